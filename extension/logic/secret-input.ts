// Live validation of what the user types into the add/edit prompts, with the product's own messages
// (the same ones the server answers with), so a bad key is caught before any request.
import { DESCRIPTION_MAX_LENGTH, SECRET_VALUE_MAX_BYTES } from '../../core/api-types.ts';
import { KEY_MESSAGES, keyProblem, normalizeKey } from '../../core/secret-key.ts';

/** Keys are uppercased as typed, like the dashboard does. */
export function keyAsTyped(raw: string): string {
  return raw.toUpperCase();
}

export function validateKey(raw: string, existing: ReadonlySet<string> = new Set(), env?: string): string | undefined {
  const key = normalizeKey(raw);
  const problem = keyProblem(key);
  if (problem) return KEY_MESSAGES[problem];
  if (existing.has(key)) return `A secret with the key ${key} already exists${env ? ` in ${env}` : ''}`;
  return undefined;
}

export function validateNewValue(value: string): string | undefined {
  if (value.length === 0) return 'Secret value is required';
  return validateValueSize(value);
}

/** Editing: empty is allowed (it keeps the current value). */
export function validateEditedValue(value: string): string | undefined {
  return value.length === 0 ? undefined : validateValueSize(value);
}

export function validateDescription(text: string): string | undefined {
  return text.length > DESCRIPTION_MAX_LENGTH ? `Description must be at most ${DESCRIPTION_MAX_LENGTH} characters` : undefined;
}

function validateValueSize(value: string): string | undefined {
  return Buffer.byteLength(value, 'utf8') > SECRET_VALUE_MAX_BYTES ? `Secret value must be at most ${SECRET_VALUE_MAX_BYTES / 1024} KiB` : undefined;
}
