// Reveals what a consumer of an environment needs, and every secret its values refer to, in as few bulk
// reveals as the API allows, so a reference resolves against what the server holds and never against a
// secret the client did not read:
// - the whole environment (or the named keys), as it was at a moment when asked for one, in one request;
// - `KEY@3` pins, asked for or written in a value or text as `${KEY@3}`, in further requests, each naming a
//   key at most once (the bulk reveal's rule) and never with `at` (a pin names its version already);
// - with named keys only, the unpinned names their values refer to: one more request per level of
//   references, usually none.
// Values are keyed as the resolver (core/resolve.ts) looks them up: `KEY`, or `KEY@3` for a pin.
import type { RevealedSecret } from './api-types.ts';
import { SECRET_KEY_PATTERN } from './api-types.ts';
import type { SecretsClient } from './client.ts';
import type { EnvironmentRef } from './client/paths.ts';
import { findReferences, referenceTarget } from './references.ts';
import { splitPin } from './secret-key.ts';

/** The bulk reveal takes at most this many keys per request. */
const MAX_KEYS_PER_REQUEST = 1000;

export interface EnvironmentRevealRequest {
  /** Keys to reveal, `KEY` or `KEY@3`; null: every secret of the environment. */
  keys: readonly string[] | null;
  /** Further names to reveal (a template's references), not reported as missing when absent. */
  alsoKeys?: readonly string[];
  /** The environment as it was at this moment (ISO time with a zone) instead of now; pins keep their version. */
  at?: string;
  /** Called with each batch as it arrives, before anything else looks at the values (to mask them). */
  onSecrets?: (secrets: readonly RevealedSecret[]) => void;
}

export interface EnvironmentReveal {
  /** Raw values (references unresolved) by `KEY` or `KEY@3`: what was asked for and everything it refers to. */
  values: Record<string, string>;
  /** What the server answered for each entry of `values` (its version and, in a workspace, its scope). */
  entries: Record<string, RevealedSecret>;
  /**
   * Asked-for keys the server did not answer, spelled as asked (`DB_PASSWORD@9` for a version not kept);
   * for a whole environment at a moment, the keys that existed then whose secret has since been deleted.
   */
  missing: string[];
  /** Bulk reveals made (each one audit event). */
  requests: number;
}

/** Whether a name can be asked of the server: a key, or a key pinned to a version. */
function askable(target: string): boolean {
  const { key, version } = splitPin(target);
  return SECRET_KEY_PATTERN.test(key) && (version === undefined || !Number.isNaN(version));
}

/**
 * Splits names into bulk reveals: the unpinned ones together (with `at`, when given), the pinned ones in as
 * few requests as naming each key once allows (without `at`, the first of them shares the unpinned request).
 */
export function planRequests(targets: readonly string[], at: string | undefined): { keys: string[]; at?: string }[] {
  const unpinned = targets.filter((t) => splitPin(t).version === undefined);
  const rounds: { keys: string[]; taken: Set<string> }[] = [];
  const first = { keys: [...unpinned], taken: new Set(unpinned) };
  if (at === undefined && unpinned.length > 0) rounds.push(first);
  for (const target of targets) {
    const { key, version } = splitPin(target);
    if (version === undefined) continue;
    let round = rounds.find((r) => !r.taken.has(key));
    if (!round) rounds.push((round = { keys: [], taken: new Set() }));
    round.keys.push(target);
    round.taken.add(key);
  }
  const requests: { keys: string[]; at?: string }[] = [];
  if (at !== undefined && unpinned.length > 0) requests.push(...chunks(unpinned).map((keys) => ({ keys, at })));
  for (const r of rounds) requests.push(...chunks(r.keys).map((keys) => ({ keys })));
  return requests;
}

function chunks(keys: string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < keys.length; i += MAX_KEYS_PER_REQUEST) out.push(keys.slice(i, i + MAX_KEYS_PER_REQUEST));
  return out;
}

export async function revealEnvironment(client: SecretsClient, org: string, env: EnvironmentRef, req: EnvironmentRevealRequest): Promise<EnvironmentReveal> {
  const values: Record<string, string> = Object.create(null);
  const entries: Record<string, RevealedSecret> = Object.create(null);
  const absent = new Set<string>();
  const missing: string[] = [];
  let requests = 0;

  /** One bulk reveal; answers are filed under the name asked (`KEY@3` for a pin), as each key is asked once. */
  const reveal = async (keys: string[] | null, at: string | undefined): Promise<RevealedSecret[]> => {
    const answer = await client.bulkReveal(org, env, { ...(keys !== null && { keys }), ...(at !== undefined && { at }) });
    requests++;
    req.onSecrets?.(answer.secrets);
    const asked = new Map((keys ?? []).map((t) => [splitPin(t).key, t]));
    for (const s of answer.secrets) {
      const target = asked.get(s.key) ?? s.key;
      values[target] = s.value;
      entries[target] = s;
    }
    for (const name of answer.missing) absent.add(name);
    if (keys === null) missing.push(...answer.missing);
    return answer.secrets;
  };
  const revealAll = async (targets: string[]): Promise<RevealedSecret[]> => {
    const got: RevealedSecret[] = [];
    for (const r of planRequests(targets, req.at)) got.push(...(await reveal(r.keys, r.at)));
    return got;
  };

  const asked = req.keys === null ? [] : unique(req.keys);
  const also = unique(req.alsoKeys ?? []).filter(askable);
  let pending: RevealedSecret[];
  if (req.keys === null) {
    pending = await reveal(null, req.at);
    // A template's pins and (at a moment) nothing else: the whole environment is there already.
    pending.push(...(await revealAll(also.filter((t) => splitPin(t).version !== undefined && !(t in values)))));
  } else {
    pending = await revealAll(unique([...asked, ...also]));
    missing.push(...asked.filter((t) => absent.has(t)));
  }

  // Follow references level by level until every name the values refer to is answered or known absent.
  for (;;) {
    const wanted = new Set<string>();
    for (const s of pending) {
      for (const ref of findReferences(s.value)) {
        const target = referenceTarget(ref);
        // A whole environment has every current name already; what it lacks is missing, and resolve says so.
        if (req.keys === null && ref.version === undefined) continue;
        if (!(target in values) && !absent.has(target) && askable(target)) wanted.add(target);
      }
    }
    if (wanted.size === 0) break;
    pending = await revealAll([...wanted]);
    // Anything asked and not answered is absent now, whatever spelling the server used for it.
    for (const t of wanted) if (!(t in values)) absent.add(t);
  }

  return { values, entries, missing, requests };
}

function unique(names: readonly string[]): string[] {
  return [...new Set(names)];
}
