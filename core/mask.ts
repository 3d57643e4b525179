// What a log masker must hide for one secret value. A value leaks not only verbatim: a multi-line key is
// logged line by line, and tools print values base64'd (basic auth, Kubernetes), URL- or form-encoded
// (connection strings, query strings), JSON-escaped (structured logs) or as hex (dumps).

/**
 * Below this many characters a string cannot be masked safely: hiding it would blank out ordinary text
 * all over a log, and it shows a reader what it is from context anyway. Consumers warn about such values.
 */
export const MIN_MASK_LENGTH = 4;

/** What masked text is replaced with. */
export const REDACTED = '***';

/** Whether a value (trimmed, counted in characters) is too short to be masked safely. */
export function isTooShortToMask(value: string): boolean {
  let count = 0;
  for (const _ of value.trim()) if (++count >= MIN_MASK_LENGTH) return false;
  return true;
}

// A line made only of punctuation, symbols and spaces (`}`, `-----`, `"""`, `});`) is structure, not secret.
const STRUCTURE_ONLY = /^[\p{P}\p{S}\s]*$/u;

function isTrivialLine(line: string): boolean {
  return isTooShortToMask(line) || STRUCTURE_ONLY.test(line);
}

/**
 * The strings to hide for a value, most specific first, deduplicated, never empty strings: the value
 * itself (whatever its length: consumers decide, see isTooShortToMask), each trimmed non-trivial line,
 * and its base64 (also as it appears inside a longer base64 text, at each of the three byte alignments),
 * base64url, URL-encoded, form-encoded, JSON-escaped and lower-case hex forms.
 */
export function maskForms(value: string): string[] {
  if (value.length === 0) return [];
  const forms = new Set<string>([value]);
  for (const line of value.split(/\r\n|\r|\n/)) {
    const trimmed = line.trim();
    if (!isTrivialLine(trimmed)) forms.add(trimmed);
  }
  // Two zero bytes in front let every alignment of the embedded base64 share one buffer (this runs for
  // thousands of values at an Action's start, where each allocation shows).
  const padded = Buffer.allocUnsafe(Buffer.byteLength(value, 'utf8') + 2);
  padded[0] = 0;
  padded[1] = 0;
  padded.write(value, 2, 'utf8');
  const bytes = padded.subarray(2);
  forms.add(bytes.toString('base64'));
  for (const shift of [0, 1, 2]) {
    const inner = embeddedBase64(padded.subarray(2 - shift), bytes.length, shift);
    if (!isTooShortToMask(inner)) forms.add(inner);
  }
  forms.add(bytes.toString('base64url'));
  const uri = uriEncoded(value);
  if (uri !== undefined) forms.add(uri);
  forms.add(formEncoded(value, uri));
  forms.add(JSON.stringify(value).slice(1, -1));
  forms.add(bytes.toString('hex'));
  forms.delete('');
  return [...forms];
}

/**
 * The base64 characters that depend on the value's bytes alone when `shift` bytes of something else come
 * before them in a longer base64 text (`Basic base64(user:token)`): the characters straddling the value's
 * edges differ with the neighbours, so they are left out.
 */
function embeddedBase64(shifted: Buffer, length: number, shift: number): string {
  const encoded = shifted.toString('base64');
  const firstBit = shift * 8;
  const endBit = firstBit + length * 8;
  return encoded.slice(Math.ceil(firstBit / 6), Math.floor(endBit / 6));
}

function uriEncoded(value: string): string | undefined {
  try {
    return encodeURIComponent(value);
  } catch {
    // A lone surrogate cannot be URL-encoded, so it cannot appear URL-encoded in a log either.
    return undefined;
  }
}

/**
 * application/x-www-form-urlencoded, as URLSearchParams writes it, derived from encodeURIComponent's output
 * (URLSearchParams itself is several times slower): the form serializer also escapes !'()~ and writes a
 * space as +. A lone surrogate has no URI form; URLSearchParams then writes U+FFFD, so it serves there.
 * `uri` is the value's encodeURIComponent form when the caller has it already (undefined: none exists).
 */
export function formEncoded(value: string, uri: string | undefined = uriEncoded(value)): string {
  if (uri === undefined) return new URLSearchParams([['', value]]).toString().slice(1);
  return uri.replace(/%20|[!'()~]/g, (c) => (c === '%20' ? '+' : `%${c.charCodeAt(0).toString(16).toUpperCase()}`));
}

/** Every string to hide for several values, longest first (the order redact wants). */
export function maskFormsOf(values: Iterable<string>): string[] {
  const all = new Set<string>();
  for (const value of values) for (const form of maskForms(value)) all.add(form);
  return [...all].sort((a, b) => b.length - a.length);
}

/**
 * Replaces every occurrence of any of `forms` in `text` with `***`, in one left-to-right pass trying the
 * longest form first, so a value and one of its lines both masked leave no fragment behind. Compiles the
 * forms on every call: to redact many texts with the same forms, use compileRedactor once.
 */
export function redact(text: string, forms: Iterable<string>): string {
  return compileRedactor(forms)(text);
}

/**
 * A function that redacts like `redact(text, forms)` with `forms` compiled once (a snapshot: forms added to
 * the iterable later are not seen, so compile again when the set of secrets changes).
 */
export function compileRedactor(forms: Iterable<string>): (text: string) => string {
  const unique = [...new Set(forms)].filter((f) => f.length > 0).sort((a, b) => b.length - a.length);
  if (unique.length === 0) return (text) => text;
  // V8 refuses a regular expression holding a literal of 32 Ki characters or more, and its SyntaxError
  // quotes the whole pattern, i.e. the secret. Long forms are therefore replaced by plain splitting,
  // before the rest (they are the longest, so the longest-first order holds).
  const long = unique.filter((f) => escapeRegExp(f).length > MAX_REGEXP_LITERAL);
  const short = unique.filter((f) => escapeRegExp(f).length <= MAX_REGEXP_LITERAL);
  const pattern = short.length > 0 ? new RegExp(short.map(escapeRegExp).join('|'), 'g') : null;
  return (text) => {
    if (text.length === 0) return text;
    let out = text;
    for (const form of long) out = out.split(form).join(REDACTED);
    return pattern ? out.replace(pattern, REDACTED) : out;
  };
}

const MAX_REGEXP_LITERAL = 16 * 1024;

function escapeRegExp(literal: string): string {
  return literal.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}
