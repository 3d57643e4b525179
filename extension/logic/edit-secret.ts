// "Edit": the key cannot change; an empty new value keeps the current one; nothing changed means
// "No changes to save"; the version the user saw goes out as If-Match, so a concurrent edit comes back
// as STALE_VERSION instead of being silently overwritten.
import type { SecretMeta } from '../../core/api-types.ts';
import { Cancelled, ExtensionError } from '../errors.ts';
import { envRef, type SecretsApi, type Target, type UiPort } from './ports.ts';
import { validateDescription, validateEditedValue } from './secret-input.ts';

export interface EditSecretArgs {
  value?: string;
  description?: string;
}

export interface Patch {
  value?: string;
  description?: string;
}

/** What actually changes, or undefined when nothing does. */
export function patchFor(current: Pick<SecretMeta, 'description'>, edit: EditSecretArgs): Patch | undefined {
  const patch: Patch = {};
  if (edit.value !== undefined && edit.value !== '') patch.value = edit.value;
  if (edit.description !== undefined && edit.description.trim() !== current.description) patch.description = edit.description.trim();
  return Object.keys(patch).length === 0 ? undefined : patch;
}

export async function editSecret(
  api: SecretsApi,
  ui: UiPort,
  target: Target,
  /** The metadata the user is looking at: its version is the If-Match. */
  seen: SecretMeta,
  args?: EditSecretArgs,
): Promise<SecretMeta> {
  const edit = args ?? (await promptForEdit(ui, target, seen));
  const problem = validateEditedValue(edit.value ?? '') ?? validateDescription(edit.description ?? '');
  if (problem) throw new ExtensionError('EXT_INVALID_INPUT', problem);
  const patch = patchFor(seen, edit);
  if (!patch) throw new ExtensionError('EXT_NO_CHANGES');
  return api.updateSecret(target.org, envRef(target), seen.key, patch, { ifMatch: seen.version });
}

async function promptForEdit(ui: UiPort, target: Target, seen: SecretMeta): Promise<EditSecretArgs> {
  const title = `Edit ${seen.key} in ${target.env} (version ${seen.version})`;
  const value = await ui.input({
    title,
    prompt: `New value of ${seen.key} — leave empty to keep the current value`,
    password: true,
    validate: validateEditedValue,
  });
  if (value === undefined) throw new Cancelled();
  const description = await ui.input({ title, prompt: 'Description', value: seen.description, validate: validateDescription });
  if (description === undefined) throw new Cancelled();
  return { value, description };
}
