// Whether bash and dash, sourcing `KEY=<word>` (as `set -a; . ./file` does), read <word> as one literal
// word: nothing in it expands, substitutes or runs, and it ends where the line ends. The dotenv writer holds
// every form it emits to this, whichever program the file was written for, because people source .env
// files into shells whatever they were written for.

// Characters a shell takes literally outside quotes. Not `~` (expanded after `=` and `:` in an assignment),
// not `#`, `$`, spaces, globs or operators.
const LITERAL = /^[A-Za-z0-9_./@%+,:=-]$/;

/** True when a POSIX shell reads `word` as a single word with no expansion, substitution or command. */
export function isInertShellWord(word: string): boolean {
  const n = word.length;
  let i = 0;
  while (i < n) {
    const c = word[i]!;
    if (c === "'") {
      // Single quotes: literal to the next single quote, line breaks included.
      const close = word.indexOf("'", i + 1);
      if (close === -1) return false;
      i = close + 1;
    } else if (c === '"') {
      i = doubleQuotedEnd(word, i + 1);
      if (i === -1) return false;
    } else if (c === '\\') {
      // A backslash before a line break joins the next line onto this word: refused.
      if (i + 1 >= n || word[i + 1] === '\n') return false;
      i += 2;
    } else if (LITERAL.test(c)) {
      i++;
    } else {
      return false;
    }
  }
  return true;
}

/** Index just past the closing `"` of a double-quoted part starting at `from`, or -1. No `$` or backtick. */
function doubleQuotedEnd(word: string, from: number): number {
  for (let i = from; i < word.length; i++) {
    const c = word[i];
    // `$` in double quotes expands; even `${X}` can run code held in the environment (arithmetic in
    // `${X:$Y}`, `${X@P}`), so none is inert.
    if (c === '$' || c === '`') return -1;
    if (c === '"') return i + 1;
    if (c === '\\') i++;
  }
  return -1;
}
