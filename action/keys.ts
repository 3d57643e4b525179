// The `keys` input: one secret per line, optionally pinned to a kept version with `KEY@3` and renamed with
// `KEY => NAME` (a pinned key is exported under its key unless renamed). Blank lines and `#` comments are
// ignored so a long list can be grouped and explained in the workflow file.
import { keyProblem, KEY_MESSAGES, normalizeKey, splitPin } from '../core/secret-key.ts';
import { ActionError } from './errors.ts';

export interface KeySelection {
  /** The secret's key as the server stores it (uppercased), or `KEY@3` for a pinned version. */
  key: string;
  /** The env/output name it is exported under (the key itself unless renamed). */
  name: string;
  /** 1-based line in the `keys` input, for error messages. */
  line: number;
}

const ARROW = '=>';

export function parseKeys(text: string): KeySelection[] {
  const selections: KeySelection[] = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const parts = trimmed.split(ARROW);
    if (parts.length > 2) {
      throw new ActionError('ACTION_KEYS_INVALID', `keys line ${line}: use one "=>" per line, as in DB_PASSWORD => PGPASSWORD`);
    }
    const pin = splitPin(normalizeKey(parts[0]!));
    const problem = keyProblem(pin.key);
    if (problem) throw new ActionError('ACTION_KEYS_INVALID', `keys line ${line}: ${KEY_MESSAGES[problem]}`);
    if (pin.version !== undefined && Number.isNaN(pin.version)) {
      throw new ActionError('ACTION_KEYS_INVALID', `keys line ${line}: a pinned version is KEY@NUMBER, as in DB_PASSWORD@3`);
    }
    const key = pin.version === undefined ? pin.key : `${pin.key}@${pin.version}`;
    const name = parts.length === 2 ? parts[1]!.trim() : pin.key;
    if (name === '') throw new ActionError('ACTION_KEYS_INVALID', `keys line ${line}: a name is required after "=>"`);
    // The same key may be exported under several names, but the same line twice is just a duplicate.
    const id = `${key}\u0000${name}`;
    if (seen.has(id)) return;
    seen.add(id);
    selections.push({ key, name, line });
  });
  return selections;
}
