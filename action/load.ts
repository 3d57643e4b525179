// Fetches what the run needs in one bulk reveal. When only some keys are asked for and their values refer
// to secrets that were not asked for, those are fetched too (one more bulk request per level of
// references, usually none), so a reference never resolves against a secret the action did not read.
import type { RevealedSecret } from '../core/api-types.ts';
import { SECRET_KEY_PATTERN } from '../core/api-types.ts';
import type { SecretsClient } from '../core/client.ts';
import { findReferences } from '../core/resolve.ts';

export interface Loaded {
  /** Raw values (references unresolved) by key: the requested secrets and every secret they refer to. */
  values: Record<string, string>;
  /** Requested keys the environment does not have. */
  missing: string[];
  requests: number;
}

export interface LoadRequest {
  org: string;
  environment: string;
  /** null: the whole environment. */
  keys: string[] | null;
  /** Names a template refers to: fetched with the keys, but not reported missing (the template is). */
  alsoKeys?: string[];
  /** Called with each batch as it arrives, before anything else looks at the values (to mask them). */
  onSecrets: (secrets: RevealedSecret[]) => void;
}

export async function loadSecrets(client: SecretsClient, req: LoadRequest): Promise<Loaded> {
  const values: Record<string, string> = Object.create(null);
  const add = (secrets: RevealedSecret[]) => {
    req.onSecrets(secrets);
    for (const s of secrets) values[s.key] = s.value;
  };

  const asked = req.keys === null ? null : [...new Set([...req.keys, ...(req.alsoKeys ?? []).filter((k) => SECRET_KEY_PATTERN.test(k))])];
  const first = await client.bulkReveal(req.org, req.environment, asked === null ? {} : { keys: asked });
  add(first.secrets);
  let requests = 1;
  const selected = new Set(req.keys ?? []);
  const missing = req.keys === null ? first.missing : first.missing.filter((k) => selected.has(k));
  if (req.keys === null) return { values, missing, requests };

  const absent = new Set(first.missing);
  let pending: RevealedSecret[] = first.secrets;
  for (;;) {
    const wanted = new Set<string>();
    for (const s of pending) {
      for (const ref of findReferences(s.value)) {
        // Only a name that could be a key can be fetched; any other reference is reported as missing by resolve.
        if (!(ref.name in values) && !absent.has(ref.name) && SECRET_KEY_PATTERN.test(ref.name)) wanted.add(ref.name);
      }
    }
    if (wanted.size === 0) break;
    const more = await client.bulkReveal(req.org, req.environment, { keys: [...wanted] });
    requests++;
    for (const name of more.missing) absent.add(name);
    add(more.secrets);
    pending = more.secrets;
  }
  return { values, missing, requests };
}
