// Reads a .env file the way the npm `dotenv` package does (its default parser and its `fast` scanner agree
// on everything this reads; test/core/dotenv-parse.test.ts proves it against the package). The writer in
// core/dotenv.ts uses it to check that a form it picked for the `dotenv` reader comes back exactly.
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
