import { SECRET_KEY_MAX_LENGTH, SECRET_KEY_PATTERN } from './api-types.ts';

export type KeyProblem = 'required' | 'invalid';

// Only ASCII is trimmed and uppercased. Unicode case mapping folds other letters onto ASCII ones
// ('ſ' → 'S', 'ı' → 'I', 'ß' → 'SS'), so `DB_PAſſWORD` would address `DB_PASSWORD`; left as typed, a
// non-ASCII letter stays non-ASCII and keyProblem refuses the key.
const ASCII_SPACE_AT_ENDS = /^[ \t\r\n]+|[ \t\r\n]+$/g;
const ASCII_LOWER = /[a-z]+/g;

/** Keys are uppercased as typed (the dashboard does the same), then checked: ASCII only. */
export function normalizeKey(raw: string): string {
  return raw.replace(ASCII_SPACE_AT_ENDS, '').replace(ASCII_LOWER, (s) => s.toUpperCase());
}

/** Why a (normalized) key is unacceptable, or null when it is fine. */
export function keyProblem(key: string): KeyProblem | null {
  if (key.length === 0) return 'required';
  if (key.length > SECRET_KEY_MAX_LENGTH || !SECRET_KEY_PATTERN.test(key)) return 'invalid';
  return null;
}

export const KEY_MESSAGES: Record<KeyProblem, string> = {
  required: 'Secret key is required',
  invalid: `Secret key must start with a letter or underscore and contain only A–Z, 0–9 and _ (max ${SECRET_KEY_MAX_LENGTH})`,
};

/** A pinned version's digits, as the server reads them (`KEY@3`; no leading zero, at most 15 digits). */
export const PIN_VERSION_PATTERN = /^[1-9][0-9]{0,14}$/;

/**
 * `KEY` or `KEY@3`, the bulk reveal's spelling of a key pinned to a kept version (also what `${KEY@3}`
 * is looked up as): the key (unchecked) and the version, if pinned. Text after an `@` that is not a
 * version number gives `version: NaN`, for the caller to refuse.
 */
export function splitPin(target: string): { key: string; version?: number } {
  const at = target.lastIndexOf('@');
  if (at === -1) return { key: target };
  const digits = target.slice(at + 1);
  return { key: target.slice(0, at), version: PIN_VERSION_PATTERN.test(digits) ? Number(digits) : NaN };
}
