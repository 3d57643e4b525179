// Writing .env files that the programs people load them with read back byte for byte, and that none of
// them runs. What each reader does (proven against the real programs by test/core/dotenv.test.ts):
// - Node (`--env-file`, `util.parseEnv`) drops every carriage return, expands only `\n` in "…", and ends
//   '…' and "…" at the first matching quote, so it has no way to hold both quote kinds.
// - dotenv reads a raw CR as a line feed, turns `\n` / `\r` in "…" into line breaks and has no other
//   escape; a backslash before a closing quote makes it look for a later one (parseDotenv models it).
// - dotenv-expand, applied to what dotenv parsed, cannot see quotes: it expands `$NAME` and `${…}`,
//   turns `\$` into `$`, and runs `$(…)` as a shell command, in any quotes.
// - dotenvx reads like dotenv, then expands and runs `$(…)` in everything but '…'.
// - python-dotenv (and docker-compose 1.x, which reads env files with it) expands `${…}` even in '…',
//   reads `\\` and `\'` as escapes in '…' and the usual backslash escapes in "…".
// - bash and dash `set -a; . ./file` run `$(…)`, backticks and whatever follows a word on the line.
// So: `$(` is refused in every dialect (dotenv-expand would run it whatever the quoting); every emitted
// form is an inert shell word (core/shell-word.ts); the portable default uses only what all of them agree
// on; a named dialect writes what that one reader reads, and refuses by name what it cannot.
import { SecretsError } from './errors.ts';
import { ENV_NAME_PATTERN } from './env-name.ts';
import { parseDotenv } from './dotenv-parse.ts';
import { isInertShellWord } from './shell-word.ts';

export { parseDotenv } from './dotenv-parse.ts';

/** The program a .env file is written for; `portable` (the default) is read the same way by all of them. */
export const DOTENV_DIALECTS = ['portable', 'node', 'dotenv', 'dotenvx', 'python-dotenv', 'compose', 'shell'] as const;
export type DotenvDialect = (typeof DOTENV_DIALECTS)[number];

export function isDotenvDialect(name: string): name is DotenvDialect {
  return (DOTENV_DIALECTS as readonly string[]).includes(name);
}

export type DotenvProblem =
  | 'invalid-key'
  | 'lone-surrogate'
  | 'nul'
  | 'command-substitution'
  | 'carriage-return'
  | 'quotes'
  | 'expansion'
  | 'backslash'
  | 'no-quoting';

const READER: Record<DotenvDialect, string> = {
  portable: 'some of the supported readers (Node, dotenv, dotenv-expand, dotenvx, python-dotenv, docker compose, bash/dash)',
  node: "Node's --env-file and util.parseEnv",
  dotenv: 'the dotenv package',
  dotenvx: 'dotenvx',
  'python-dotenv': 'python-dotenv',
  compose: 'docker compose',
  shell: 'bash and dash',
};

function problemText(reason: DotenvProblem, dialect: DotenvDialect): string {
  const reader = READER[dialect];
  switch (reason) {
    case 'invalid-key':
      return 'the key is not an environment variable name (letters, digits and _, not starting with a digit)';
    case 'lone-surrogate':
      return 'the value contains a lone UTF-16 surrogate, which a UTF-8 file cannot hold';
    case 'nul':
      return 'the value contains a NUL character, which no environment variable can hold';
    case 'command-substitution':
      return 'the value contains "$(", or a $NAME / ${…} reference next to a $ or ( that could expand into one, which dotenv-expand runs as a command in any quotes (dotenvx and shells outside single quotes), so no .env file can carry it safely';
    case 'carriage-return':
      return `the value contains a carriage return, which ${reader} cannot read back`;
    case 'quotes':
      return `the value contains a single quote together with a double quote or backtick, which ${reader} cannot read back in any quoting that is also inert in a shell`;
    case 'expansion':
      return `the value contains a $ that ${reader} would expand ($NAME, \${…}, \\$), or a $ in a value only double quotes can hold, where a shell sourcing the file would expand it`;
    case 'backslash':
      return `the value contains a backslash that ${reader} would read as an escape (\\\\, a trailing \\, or any \\ where double quotes are needed)`;
    case 'no-quoting':
      return `no quoting that ${reader} reads back exactly is also inert in a shell`;
  }
}

/** A secret that cannot be written to a .env file for `dialect` exactly and safely. Names the key, never the value. */
export class DotenvUnrepresentableError extends SecretsError {
  readonly key: string;
  readonly reason: DotenvProblem;
  readonly dialect: DotenvDialect;
  constructor(key: string, reason: DotenvProblem, dialect: DotenvDialect = 'portable') {
    const hint =
      dialect === 'portable' && reason !== 'invalid-key' && reason !== 'lone-surrogate' && reason !== 'nul' && reason !== 'command-substitution'
        ? '; if one program reads the file, name it as the dialect (node, dotenv, dotenvx, python-dotenv, compose or shell)'
        : '';
    super(
      'SECRETS_DOTENV_UNREPRESENTABLE',
      `Cannot write ${JSON.stringify(key)} to a .env file (${dialect}): ${problemText(reason, dialect)}${hint}`,
    );
    this.name = 'DotenvUnrepresentableError';
    this.key = key;
    this.reason = reason;
    this.dialect = dialect;
  }
}

const ENV_NAME = ENV_NAME_PATTERN;
// Read literally, unquoted, by every reader and by shells (no `~`, `$`, `#`, quotes or spaces).
const PLAIN = /^[A-Za-z0-9_./@%+,:=-]+$/;
const LONE_SURROGATE = /\p{Surrogate}/u;
// What dotenv-expand expands (or unescapes) inside any quotes.
const EXPANDS = /\$[A-Za-z_{]|\\\$/;

/** Why a value has no form; encoders return it instead of a written form. */
interface Refusal {
  readonly refused: DotenvProblem;
}
type Written = string | Refusal;
const refuse = (refused: DotenvProblem): Refusal => ({ refused });

/**
 * A .env file holding `entries` in their order, one `KEY=value` per entry (a value may span lines inside
 * quotes), ending with a newline, in the form `dialect` reads back exactly. Throws
 * DotenvUnrepresentableError, before returning anything, for a key that is not an environment variable
 * name or a value that has no such form that is also safe in every reader.
 */
export function formatDotenv(entries: Readonly<Record<string, string>>, dialect: DotenvDialect = 'portable'): string {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(entries)) {
    // Readers collect into plain objects, where `__proto__` would set the prototype instead of a key.
    if (!ENV_NAME.test(key) || key === '__proto__') throw new DotenvUnrepresentableError(key, 'invalid-key', dialect);
    const written = formatValue(value, dialect);
    if (typeof written !== 'string') throw new DotenvUnrepresentableError(key, written.refused, dialect);
    // Whatever the dialect, the line must be inert where it is not the intended reader: a literal shell
    // word, and no `$(` for dotenv-expand or dotenvx to run.
    if (written.includes('$(') || !isInertShellWord(written)) throw new DotenvUnrepresentableError(key, 'no-quoting', dialect);
    lines.push(`${key}=${written}`);
  }
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}

function formatValue(value: string, dialect: DotenvDialect): Written {
  if (value === '' || PLAIN.test(value)) return value;
  if (LONE_SURROGATE.test(value)) return refuse('lone-surrogate');
  if (value.includes('\0')) return refuse('nul');
  if (value.includes('$(') || buildsCommand(value)) return refuse('command-substitution');
  switch (dialect) {
    case 'portable':
      return portable(value);
    case 'node':
      return node(value);
    case 'dotenv':
      return dotenv(value);
    case 'dotenvx':
      return dotenvx(value);
    case 'python-dotenv':
    case 'compose':
      return pythonDotenv(value);
    case 'shell':
      return `'${value.replaceAll("'", "'\\''")}'`;
  }
}

/**
 * Whether dotenv-expand, which expands references in any quotes and then runs what looks like `$(…)`,
 * could assemble a `$(` from this value: a reference (`$NAME`, `${…}`) right after a `$`, or right before
 * a `(` or another `$`, where the referenced value (from this file or the environment) supplies the rest.
 */
function buildsCommand(value: string): boolean {
  for (let at = value.indexOf('$'); at !== -1; at = value.indexOf('$', at + 1)) {
    const end = referenceEnd(value, at);
    if (end === -1) continue;
    if (value[at - 1] === '$' || value[end] === '(' || value[end] === '$') return true;
  }
  return false;
}

/** Index just past the reference starting with the `$` at `at`, or -1 if none starts there. */
function referenceEnd(value: string, at: number): number {
  if (value[at + 1] === '{') {
    let depth = 0;
    for (let i = at + 1; i < value.length; i++) {
      if (value[i] === '{') depth++;
      else if (value[i] === '}' && --depth === 0) return i + 1;
    }
    return value.length;
  }
  const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(value.slice(at + 1));
  return name === null ? -1 : at + 1 + name[0].length;
}

/**
 * '…' when the value has no single quote, nothing dotenv-expand or python-dotenv expands and no backslash
 * they or dotenv read as an escape; "…" for a value with a single quote and no `"`, backtick, `$` or
 * backslash. Node drops carriage returns, so none is portable.
 */
function portable(value: string): Written {
  if (value.includes('\r')) return refuse('carriage-return');
  if (!value.includes("'")) {
    if (EXPANDS.test(value)) return refuse('expansion');
    if (value.includes('\\\\') || value.endsWith('\\')) return refuse('backslash');
    return dotenvReadsBack(`'${value}'`, value);
  }
  if (value.includes('"') || value.includes('`')) return refuse('quotes');
  if (value.includes('$')) return refuse('expansion');
  if (value.includes('\\')) return refuse('backslash');
  return dotenvReadsBack(`"${value}"`, value);
}

/** Node: '…' is literal to the first single quote; "…" is literal but for `\n`, to the first double quote. */
function node(value: string): Written {
  if (value.includes('\r')) return refuse('carriage-return');
  if (!value.includes("'")) return `'${value}'`;
  if (value.includes('"')) return refuse('quotes');
  if (value.includes('\\n')) return refuse('backslash');
  return shellInert(`"${value}"`);
}

/** dotenv: the first of '…', "…" (with `\n` / `\r` for line breaks), the bare value that reads back. */
function dotenv(value: string): Written {
  const candidates = [`'${value}'`];
  if (!/\\[nr]/.test(value)) candidates.push(`"${value.replaceAll('\n', '\\n').replaceAll('\r', '\\r')}"`);
  candidates.push(value);
  for (const written of candidates) if (readsBack(written, value) && isInertShellWord(written)) return written;
  // Double quotes would have held it, but a shell would expand or run what is in them.
  const double = candidates[1];
  if (double !== undefined && readsBack(double, value)) return refuse(value.includes('$') ? 'expansion' : 'quotes');
  if (value.includes('\r')) return refuse('carriage-return');
  if (value.endsWith('\\')) return refuse('backslash');
  if (value.includes("'") && (value.includes('"') || value.includes('`'))) return refuse('quotes');
  return refuse('no-quoting');
}

/** dotenvx: '…' is literal (it never expands there); "…" expands `$`, `\$` and `\n`. CRs become line feeds. */
function dotenvx(value: string): Written {
  if (value.includes('\r')) return refuse('carriage-return');
  if (!value.includes("'")) {
    if (value.endsWith('\\')) return refuse('backslash');
    return dotenvReadsBack(`'${value}'`, value);
  }
  if (value.includes('"') || value.includes('`')) return refuse('quotes');
  if (value.includes('$')) return refuse('expansion');
  if (value.includes('\\')) return refuse('backslash');
  return dotenvReadsBack(`"${value}"`, value);
}

/**
 * python-dotenv (and docker-compose 1.x): '…' reads `\\` and `\'` as escapes, "…" the usual backslash
 * escapes; `${…}` is expanded in both and has no escape. CRs outside an escape become line feeds.
 */
function pythonDotenv(value: string): Written {
  if (value.includes('${')) return refuse('expansion');
  // Its quote patterns take `\` + quote as an escaped quote, even after an escaped backslash.
  if (value.endsWith('\\')) return refuse('backslash');
  if (!value.includes("'") && !value.includes('\r')) return `'${value.replaceAll('\\', '\\\\')}'`;
  if (value.includes('$')) return refuse('expansion');
  if (value.includes('`')) return refuse('quotes');
  const body = value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\r', '\\r');
  return shellInert(`"${body}"`);
}

function shellInert(written: string): Written {
  return isInertShellWord(written) ? written : refuse('no-quoting');
}

/** `written` when dotenv reads it back as `value`, the surest check of its quote-closing rules. */
function dotenvReadsBack(written: string, value: string): Written {
  return readsBack(written, value) ? written : refuse('no-quoting');
}

// Lines after the probe that catch a quote dotenv did not close on the probe's own line: its search for a
// closing quote would run on to one of these and swallow the line break.
const PROBE_TAIL = "\nPROBE_S='#'\nPROBE_D=\"#\"\nPROBE_B=`#`\n";

/** Whether dotenv reads `KEY=written` back as `value`, whatever lines follow it. */
function readsBack(written: string, value: string): boolean {
  const parsed = parseDotenv(`KEY=${written}${PROBE_TAIL}`);
  return parsed.KEY === value && parsed.PROBE_S === '#' && parsed.PROBE_D === '#' && parsed.PROBE_B === '#';
}
