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
    if (offset >= lineStart + r.start && offset <= lineStart + r.end) return { name: r.name, start: lineStart + r.start, end: lineStart + r.end };
  }
  return undefined;
}

export interface CompletionContext {
  /** What has been typed of the name so far. */
  partial: string;
  /** Offset where the name starts (just after `$` or `${`). */
  nameStart: number;
  braced: boolean;
}

/** When the text before the cursor ends in `$`, `${`, `$PART` or `${PART`, what is being completed. */
export function completionContext(linePrefix: string): CompletionContext | undefined {
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

/** References to names that are neither secrets of the environment nor well-known variables. */
export function unknownReferences(text: string, known: ReadonlySet<string>, env: string): UnknownReference[] {
  return referencesIn(text)
    .filter((r) => !known.has(r.name) && !isWellKnown(r.name))
    .map((r) => ({ ...r, message: `${r.name} does not exist in ${env}` }));
}

/** Hover text (markdown): the secret's metadata, never its value. */
export function hoverMarkdown(meta: SecretMeta, org: string, env: string): string {
  // In a workspace (`env` is then `workspace/env`) the entry says where it lives.
  const scope = meta.scope === undefined ? '' : meta.scope === 'organization' ? ' (organization secret)' : meta.overrides ? ' (workspace secret, overrides the organization’s)' : ' (workspace secret)';
  const lines = [`**${meta.key}** — secret in \`${org}/${env}\`${scope}, version ${meta.version}`];
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
