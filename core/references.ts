// The `$NAME` reference syntax, scanned by hand in one left-to-right pass: no regular expression, so no
// backtracking, and the cost is linear in the length of the text.
//
//   $NAME    a reference; NAME is the longest run of [A-Za-z0-9_] starting with a letter or underscore
//   ${NAME}  a reference, for when a name character follows (`${HOST}_backup`)
//   ${NAME@3} a reference pinned to version 3 of NAME (braces only: `$NAME@3` is `$NAME` then `@3`)
//   $$       a literal `$`
//   any other `$` (`$5`, `$ `, `${}`, `${1}`, `${A-B}`, an unclosed `${A`, a `$` at the end) is literal,
//   with what follows it read as ordinary text: a price or a regex in a value must not become an error.

/** Where a reference sits in a text: `start` is the `$`, `end` is just past the name or the `}`. */
export interface Reference {
  name: string;
  /** Set for a pinned reference, `${NAME@3}`. */
  version?: number;
  start: number;
  end: number;
}

/** The name a reference is looked up by: `NAME`, or `NAME@3` for a pinned one (as the bulk reveal's `keys` spell it). */
export function referenceTarget(ref: Reference): string {
  return ref.version === undefined ? ref.name : `${ref.name}@${ref.version}`;
}

/**
 * A text split at its references: `literals[i]` comes before `references[i]`, and one more literal ends
 * it, so `literals.length === references.length + 1`. Literals already have `$$` turned into `$`.
 */
export interface Template {
  literals: string[];
  references: Reference[];
}

const DOLLAR = 36;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const AT = 64;
const ZERO = 48;
const NINE = 57;
/** Digits of a pinned version at most (the server's versions go to 15 digits). */
const MAX_VERSION_DIGITS = 15;

function isNameStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isNamePart(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}

/** Whether a string is a name a reference can point at. */
export function isReferenceName(name: string): boolean {
  if (name.length === 0 || !isNameStart(name.charCodeAt(0))) return false;
  for (let i = 1; i < name.length; i++) if (!isNamePart(name.charCodeAt(i))) return false;
  return true;
}

/** Reads the reference or escape at `text[at] === '$'`. */
function readAt(text: string, at: number): { kind: 'escape' | 'literal'; end: number } | Reference {
  const next = text.charCodeAt(at + 1);
  if (next === DOLLAR) return { kind: 'escape', end: at + 2 };
  if (isNameStart(next)) {
    let end = at + 2;
    while (end < text.length && isNamePart(text.charCodeAt(end))) end++;
    return { name: text.slice(at + 1, end), start: at, end };
  }
  if (next === OPEN_BRACE && isNameStart(text.charCodeAt(at + 2))) {
    let close = at + 3;
    while (close < text.length && isNamePart(text.charCodeAt(close))) close++;
    if (text.charCodeAt(close) === CLOSE_BRACE) return { name: text.slice(at + 2, close), start: at, end: close + 1 };
    if (text.charCodeAt(close) === AT && text.charCodeAt(close + 1) > ZERO && text.charCodeAt(close + 1) <= NINE) {
      let end = close + 2;
      while (end < text.length && end - close <= MAX_VERSION_DIGITS && text.charCodeAt(end) >= ZERO && text.charCodeAt(end) <= NINE) end++;
      if (text.charCodeAt(end) === CLOSE_BRACE) return { name: text.slice(at + 2, close), version: Number(text.slice(close + 1, end)), start: at, end: end + 1 };
    }
  }
  return { kind: 'literal', end: at + 1 };
}

/** Splits a text into literals and references. */
export function parseTemplate(text: string): Template {
  const literals: string[] = [];
  const references: Reference[] = [];
  let pending: string[] = [];
  let from = 0;
  let at = text.indexOf('$');
  while (at !== -1) {
    const found = readAt(text, at);
    if ('name' in found) {
      pending.push(text.slice(from, at));
      literals.push(pending.length === 1 ? pending[0]! : pending.join(''));
      pending = [];
      references.push(found);
    } else {
      // `$$` keeps one `$`; a lone literal `$` keeps itself.
      pending.push(text.slice(from, at + 1));
    }
    from = found.end;
    at = text.indexOf('$', from);
  }
  pending.push(text.slice(from));
  literals.push(pending.length === 1 ? pending[0]! : pending.join(''));
  return { literals, references };
}

/** Every reference in a text with its offsets (UTF-16 code units), for editor hovers and diagnostics. */
export function findReferences(text: string): Reference[] {
  const references: Reference[] = [];
  let at = text.indexOf('$');
  while (at !== -1) {
    const found = readAt(text, at);
    if ('name' in found) references.push(found);
    at = text.indexOf('$', found.end);
  }
  return references;
}

/** Whether a text contains anything the resolver would change (a reference or a `$$`). */
export function hasReferenceSyntax(text: string): boolean {
  let at = text.indexOf('$');
  while (at !== -1) {
    const found = readAt(text, at);
    if (!('kind' in found) || found.kind === 'escape') return true;
    at = text.indexOf('$', found.end);
  }
  return false;
}
