// Writing and reading .env files the way the `dotenv` package reads them (both its default parser and its
// `fast` scanner), so what we export comes back byte for byte in any tool built on it.
//
// What dotenv understands, and so what the writer has to work with:
// - `'…'` and `` `…` `` are literal and may span lines; `"…"` turns `\n` and `\r` into line breaks and has
//   no other escape (not `\\`, not `\"`). A quote character inside its own quotes is taken as content only
//   right after a backslash, and the backslash stays in the value.
// - A quote followed on its line by more than spaces or a `#` comment does not close. If no quote closes,
//   the line is read unquoted: cut at `#`, trimmed, and one pair of matching outer quotes removed (for
//   `"`, `\n` and `\r` are still expanded). So `'it's'` reads back as `it's`, if it is one line without `#`.
// - A backslash right before the closing quote makes that quote look escaped, so dotenv looks for a later
//   closing quote, possibly lines further down, and swallows what lies between.
// - A raw carriage return anywhere in the file is read as a line feed.
// The writer picks, per value: unquoted for plain tokens; else the first of single quotes, backticks and
// double quotes (the only way to hold a carriage return, as `\r`) that closes properly; else the value
// unquoted; else quotes that dotenv reads as an unquoted line. Every choice but the plain token is read
// back by parseDotenv (which follows dotenv, as the tests prove against the package) with lines after
// it that would expose a quote left open; DotenvUnrepresentableError when no choice reads back exactly.
import { SecretsError } from './errors.ts';
import { ENV_NAME_PATTERN } from './env-name.ts';

export type DotenvProblem = 'invalid-key' | 'lone-surrogate' | 'carriage-return' | 'trailing-backslash' | 'no-quoting';

const PROBLEM_TEXT: Record<DotenvProblem, string> = {
  'invalid-key': 'the key is not an environment variable name (letters, digits and _, not starting with a digit)',
  'lone-surrogate': 'the value contains a lone UTF-16 surrogate, which a UTF-8 file cannot hold',
  'carriage-return':
    'the value contains a carriage return, which dotenv keeps only as \\r in double quotes, and double quotes would change this value (it also has a literal \\n or \\r, a trailing backslash, or a " not preceded by a backslash together with a # or a Unicode line separator)',
  'trailing-backslash':
    'the value needs quotes and ends with a backslash, which dotenv reads as escaping the closing quote',
  'no-quoting':
    'the value needs quotes, and every kind dotenv has would change it (it has \' and ` not preceded by a backslash, a line break or #, and a " or a literal \\n or \\r that double quotes would change)',
};

/** A secret that cannot be written to a .env file so that dotenv reads it back exactly. Names the key, never the value. */
export class DotenvUnrepresentableError extends SecretsError {
  readonly key: string;
  readonly reason: DotenvProblem;
  constructor(key: string, reason: DotenvProblem) {
    super('SECRETS_DOTENV_UNREPRESENTABLE', `Cannot write ${JSON.stringify(key)} to a .env file: ${PROBLEM_TEXT[reason]}`);
    this.name = 'DotenvUnrepresentableError';
    this.key = key;
    this.reason = reason;
  }
}

const ENV_NAME = ENV_NAME_PATTERN;
// Safe unquoted in dotenv and, without `$`, spaces or quotes, also in shells and docker compose files.
const PLAIN = /^[A-Za-z0-9_.,:/@%+=~^-]+$/;
const LONE_SURROGATE = /\p{Surrogate}/u;
const QUOTES = ["'", '`', '"'] as const;
type Quote = (typeof QUOTES)[number];

/**
 * A .env file holding `entries` in their order, one `KEY=value` per entry (a value may span lines inside
 * single quotes or backticks), ending with a newline. Throws DotenvUnrepresentableError for a key that is
 * not an environment variable name or a value dotenv could not read back exactly.
 */
export function formatDotenv(entries: Readonly<Record<string, string>>): string {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(entries)) {
    // dotenv collects into a plain object, where `__proto__` would set the prototype instead of a key.
    if (!ENV_NAME.test(key) || key === '__proto__') throw new DotenvUnrepresentableError(key, 'invalid-key');
    lines.push(`${key}=${formatValue(key, value)}`);
  }
  return lines.length === 0 ? '' : lines.join('\n') + '\n';
}

function formatValue(key: string, value: string): string {
  if (value === '' || PLAIN.test(value)) return value;
  if (LONE_SURROGATE.test(value)) throw new DotenvUnrepresentableError(key, 'lone-surrogate');
  const bodies = QUOTES.map((quote) => quotedBody(value, quote));
  for (let i = 0; i < QUOTES.length; i++) {
    const body = bodies[i];
    if (body === undefined || !closesProperly(body, QUOTES[i]!)) continue;
    const quoted = `${QUOTES[i]}${body}${QUOTES[i]}`;
    if (readsBack(quoted, value)) return quoted;
  }
  // Past here dotenv reads the line as unquoted text, with rules subtle enough (a quote with only spaces
  // before U+2028 closes, a quoted "line" after U+2028 is stripped, …) that reading back is the test.
  if (readsBack(value, value)) return value;
  for (let i = 0; i < QUOTES.length; i++) {
    const body = bodies[i];
    if (body === undefined) continue;
    const quoted = `${QUOTES[i]}${body}${QUOTES[i]}`;
    if (readsBack(quoted, value)) return quoted;
  }
  if (value.includes('\r')) throw new DotenvUnrepresentableError(key, 'carriage-return');
  if (value.endsWith('\\')) throw new DotenvUnrepresentableError(key, 'trailing-backslash');
  throw new DotenvUnrepresentableError(key, 'no-quoting');
}

/** What goes between the quotes, or undefined when these quotes cannot hold the value at all. */
function quotedBody(value: string, quote: Quote): string | undefined {
  if (quote !== '"') return value.includes('\r') ? undefined : value;
  if (hasBackslashEscape(value)) return undefined;
  return value.replaceAll('\n', '\\n').replaceAll('\r', '\\r');
}

/** Whether `quote + body + quote` closes at the last quote: each quote inside is escaped and no backslash ends it. */
function closesProperly(body: string, quote: Quote): boolean {
  return !body.endsWith('\\') && firstUnescaped(body, quote) === -1;
}

// Lines after the probe that catch a quote dotenv did not close on the probe's own line: its search for a
// closing quote would run on to one of these and swallow the line break.
const PROBE_TAIL = "\nPROBE_S='#'\nPROBE_D=\"#\"\nPROBE_B=`#`\n";

/** Whether dotenv reads `KEY=written` back as `value`, whatever lines follow it. */
function readsBack(written: string, value: string): boolean {
  const parsed = parseDotenv(`KEY=${written}${PROBE_TAIL}`);
  return parsed.KEY === value && parsed.PROBE_S === '#' && parsed.PROBE_D === '#' && parsed.PROBE_B === '#';
}

function firstUnescaped(body: string, quote: Quote): number {
  for (let at = body.indexOf(quote); at !== -1; at = body.indexOf(quote, at + 1)) {
    if (at === 0 || body.charCodeAt(at - 1) !== BACKSLASH) return at;
  }
  return -1;
}

/** A literal `\n` or `\r`, which double quotes would turn into a line break. */
function hasBackslashEscape(value: string): boolean {
  for (let at = value.indexOf('\\'); at !== -1; at = value.indexOf('\\', at + 1)) {
    const next = value.charCodeAt(at + 1);
    if (next === 110 /* n */ || next === 114 /* r */) return true;
  }
  return false;
}

const BACKSLASH = 92;
const SINGLE = 39;
const DOUBLE = 34;
const BACKTICK = 96;
const HASH = 35;
const EQUALS = 61;
const COLON = 58;
const LF = 10;

/** Whitespace as dotenv (and JavaScript's `\s` and trim) count it. */
function isSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** Line terminators as dotenv's scanner (and a multiline regex's `$`) count them, once CRs are gone. */
function isLineBreak(c: number): boolean {
  return c === LF || c === 0x2028 || c === 0x2029;
}

function isKeyChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45 || c === 46;
}

function isQuote(c: number): boolean {
  return c === SINGLE || c === DOUBLE || c === BACKTICK;
}

/**
 * Reads a .env file as dotenv does: `KEY=value` or `KEY: value` lines, optional `export `, `#` comments,
 * blank lines, quoted values (multi-line in any quotes; `\n` and `\r` expanded in double quotes only),
 * unquoted values cut at `#` and trimmed. A later duplicate key wins. One pass, linear in the text.
 */
export function parseDotenv(text: string): Record<string, string> {
  const src = text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
  const n = src.length;
  const out = new Map<string, string>();
  const skipSpace = (from: number): number => {
    while (from < n && isSpace(src.charCodeAt(from))) from++;
    return from;
  };
  const skipLine = (from: number): number => {
    while (from < n && !isLineBreak(src.charCodeAt(from))) from++;
    return from;
  };

  let i = 0;
  for (;;) {
    i = skipSpace(i);
    if (i >= n) break;
    if (src.charCodeAt(i) === HASH) {
      i = skipLine(i);
      continue;
    }
    const lineStart = i;
    if (src.startsWith('export', i) && isSpace(src.charCodeAt(i + 6))) {
      const afterExport = skipSpace(i + 7);
      if (isKeyChar(src.charCodeAt(afterExport))) i = afterExport;
    }
    const keyStart = i;
    while (i < n && isKeyChar(src.charCodeAt(i))) i++;
    if (i === keyStart) {
      i = skipLine(i);
      continue;
    }
    const key = src.slice(keyStart, i);
    const keyEnd = i;
    i = skipSpace(i);
    if (src.charCodeAt(i) === EQUALS) {
      i++;
    } else if (src.charCodeAt(i) === COLON && i === keyEnd && isSpace(src.charCodeAt(i + 1))) {
      i += 2;
    } else {
      i = skipLine(lineStart);
      continue;
    }

    const valueStart = i;
    const first = skipSpace(i);
    const opening = src.charCodeAt(first);
    let value: string | undefined;
    if (isQuote(opening)) {
      // The closing quote is the last one, up to the first unescaped one, that only spaces and perhaps a
      // comment follow on its line.
      const quote = src[first]!;
      let close = -1;
      let resume = -1;
      for (let at = src.indexOf(quote, first + 1); at !== -1; at = src.indexOf(quote, at + 1)) {
        let after = at + 1;
        while (after < n && !isLineBreak(src.charCodeAt(after)) && isSpace(src.charCodeAt(after))) after++;
        if (after === n || isLineBreak(src.charCodeAt(after)) || src.charCodeAt(after) === HASH) {
          close = at;
          resume = after;
        }
        if (src.charCodeAt(at - 1) !== BACKSLASH) break;
      }
      if (close !== -1) {
        value = src.slice(first + 1, close);
        i = src.charCodeAt(resume) === HASH ? skipLine(resume) : resume;
      }
    }
    if (value === undefined) {
      let lineEnd = src.indexOf('\n', valueStart);
      if (lineEnd === -1) lineEnd = n;
      // Scanning only this line for `#` keeps a large file without comments linear.
      let end = valueStart;
      while (end < lineEnd && src.charCodeAt(end) !== HASH) end++;
      let from = valueStart;
      let to = end;
      while (from < to && isSpace(src.charCodeAt(from))) from++;
      while (to > from && isSpace(src.charCodeAt(to - 1))) to--;
      const c = src.charCodeAt(from);
      value = src.slice(from, to);
      if (value.includes('\u2028') || value.includes('\u2029')) {
        // dotenv strips matching quotes per line here, treating these separators as line ends.
        value = value.replace(/^(['"`])([\s\S]*)\1$/gm, '$2');
      } else if (to - from >= 2 && isQuote(c) && src.charCodeAt(to - 1) === c) {
        value = src.slice(from + 1, to - 1);
      }
      i = end < lineEnd ? skipLine(end) : end;
    }
    if (opening === DOUBLE && value.includes('\\')) value = value.replaceAll('\\n', '\n').replaceAll('\\r', '\r');
    out.set(key, value);
  }
  return Object.fromEntries(out);
}
