// Editor support from plain text: where the `$NAME` references are, which one the cursor is on, what to
// complete after `$`, and which names do not exist in the current environment. The VS Code adapter only
// converts offsets to positions. Hovers show metadata, never a value.
import type { SecretMeta } from '../../core/api-types.ts';
import { findReferences, type Reference } from '../../core/references.ts';

export type { Reference };

export function referencesIn(text: string): Reference[] {
  return findReferences(text);
}

/** The reference whose `$`…name span contains `offset`. */
export function referenceAt(text: string, offset: number): Reference | undefined {
  // Only the line around the offset is scanned: hovers fire constantly on large files.
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const nl = text.indexOf('\n', offset);
  const lineEnd = nl === -1 ? text.length : nl;
  const line = text.slice(lineStart, lineEnd);
  for (const r of findReferences(line)) {
    if (offset >= lineStart + r.start && offset <= lineStart + r.end) return { ...r, start: lineStart + r.start, end: lineStart + r.end };
  }
  return undefined;
}

export interface CompletionContext {
  /** What has been typed of the name so far (of the version, after `${NAME@`). */
  partial: string;
  /** Offset where the name starts (just after `$` or `${`), or the version (just after `@`). */
  nameStart: number;
  braced: boolean;
  /** After `${NAME@`: the name whose versions are being completed (a pin). */
  pinOf?: string;
}

/** When the text before the cursor ends in `$`, `${`, `$PART`, `${PART` or `${NAME@`, what is being completed. */
export function completionContext(linePrefix: string): CompletionContext | undefined {
  const pin = /\$\{([A-Za-z_][A-Za-z0-9_]*)@([0-9]*)$/.exec(linePrefix);
  if (pin && !(pin.index > 0 && linePrefix[pin.index - 1] === '$' && !isEscapedDollar(linePrefix, pin.index - 1))) {
    return { partial: pin[2]!, nameStart: linePrefix.length - pin[2]!.length, braced: true, pinOf: pin[1]!.toUpperCase() };
  }
  const m = /(\$\{?)([A-Za-z_][A-Za-z0-9_]*)?$/.exec(linePrefix);
  if (!m) return undefined;
  const dollarAt = m.index;
  // `$$` is an escaped dollar, not a reference.
  if (dollarAt > 0 && linePrefix[dollarAt - 1] === '$' && !isEscapedDollar(linePrefix, dollarAt - 1)) return undefined;
  const partial = m[2] ?? '';
  return { partial, nameStart: dollarAt + m[1]!.length, braced: m[1] === '${' };
}

function isEscapedDollar(text: string, at: number): boolean {
  let n = 0;
  for (let i = at - 1; i >= 0 && text[i] === '$'; i--) n++;
  return n % 2 === 1;
}

export function completionCandidates(secrets: readonly SecretMeta[], partial: string): SecretMeta[] {
  const p = partial.toUpperCase();
  return secrets.filter((s) => s.key.startsWith(p));
}

/** Versions offered after `${NAME@`: the current one first, then the nine before it (older ones may be pruned). */
export const PIN_CANDIDATES = 10;

export function pinCandidates(meta: SecretMeta, partial: string): number[] {
  const out: number[] = [];
  for (let v = meta.version; v >= 1 && out.length < PIN_CANDIDATES; v--) if (String(v).startsWith(partial)) out.push(v);
  return out;
}

// Names every shell, CI runner or dotenv loader provides; warning about them in a shell script would
// bury the real findings.
export const WELL_KNOWN_NAMES: ReadonlySet<string> = new Set([
  'HOME', 'PATH', 'PWD', 'OLDPWD', 'USER', 'LOGNAME', 'SHELL', 'TERM', 'LANG', 'TMPDIR', 'HOSTNAME', 'UID',
  'IFS', 'RANDOM', 'LINENO', 'SECONDS', 'BASH_SOURCE', 'FUNCNAME', 'PPID', 'EDITOR', 'CI', 'NODE_ENV',
]);
const WELL_KNOWN_PREFIXES = ['GITHUB_', 'RUNNER_', 'BASH_', 'LC_', 'XDG_', 'npm_'];

export function isWellKnown(name: string): boolean {
  return WELL_KNOWN_NAMES.has(name) || WELL_KNOWN_PREFIXES.some((p) => name.startsWith(p));
}

export interface UnknownReference extends Reference {
  message: string;
}

/** Each secret of the environment by key, with its current version. */
export function currentVersions(secrets: readonly SecretMeta[]): Map<string, number> {
  return new Map(secrets.map((s) => [s.key, s.version]));
}

/**
 * References to names that are neither secrets of the environment nor well-known variables, and pins
 * (`${NAME@9}`) to a version the secret has not reached: either fails when the file is resolved.
 */
export function unknownReferences(text: string, known: ReadonlyMap<string, number>, env: string): UnknownReference[] {
  const out: UnknownReference[] = [];
  for (const r of referencesIn(text)) {
    const current = known.get(r.name);
    if (current === undefined) {
      if (r.version !== undefined || !isWellKnown(r.name)) out.push({ ...r, message: `${r.name} does not exist in ${env}` });
    } else if (r.version !== undefined && r.version > current) {
      out.push({ ...r, message: `${r.name} has no version ${r.version} in ${env}: its current version is ${current}` });
    }
  }
  return out;
}

/** Hover text (markdown): the secret's metadata, never its value; `pinned`: the version a `${NAME@3}` names. */
export function hoverMarkdown(meta: SecretMeta, org: string, env: string, pinned?: number): string {
  // In a workspace (`env` is then `workspace/env`) the entry says where it lives.
  const scope = meta.scope === undefined ? '' : meta.scope === 'organization' ? ' (organization secret)' : meta.overrides ? ' (workspace secret, overrides the organization’s)' : ' (workspace secret)';
  if (pinned !== undefined && pinned > meta.version) {
    return `**${meta.key}@${pinned}** — \`${meta.key}\` in \`${org}/${env}\` has no version ${pinned}: its current version is ${meta.version}`;
  }
  const lines = [
    pinned === undefined
      ? `**${meta.key}** — secret in \`${org}/${env}\`${scope}, version ${meta.version}`
      : `**${meta.key}@${pinned}** — version ${pinned} of a secret in \`${org}/${env}\`${scope}, pinned: later changes do not reach it (current version ${meta.version})`,
  ];
  if (meta.description) lines.push('', escapeMarkdown(meta.description));
  lines.push('', `Updated ${meta.updatedAt} by ${escapeMarkdown(meta.updatedBy)} · created by ${escapeMarkdown(meta.createdBy)}`);
  return lines.join('\n');
}

export function missingHoverMarkdown(name: string, org: string, env: string): string {
  return `**${name}** — no such secret in \`${org}/${env}\``;
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!<>|]/g, '\\$&');
}

/** Files the editor features apply to: `.env*` (whatever language VS Code gave them), YAML, shell. */
export const LANGUAGE_IDS = ['dotenv', 'yaml', 'shellscript'] as const;
export const ENV_FILE_PATTERN = '**/{.env,.env.*,*.env}';
