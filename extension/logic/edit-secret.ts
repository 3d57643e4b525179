// "Edit": the key cannot change; an empty new value keeps the current one; nothing changed means
// "No changes to save"; the version the user saw goes out as If-Match, so a concurrent edit comes back
// as STALE_VERSION instead of being silently overwritten. An organization secret's edit also chooses
// which workspaces may use it (none chosen: every workspace), when the organization has workspaces.
import type { SecretMeta } from '../../core/api-types.ts';
import { Cancelled, ExtensionError } from '../errors.ts';
import { envRef, type SecretsApi, type Target, type UiPort } from './ports.ts';
import { validateDescription, validateEditedValue } from './secret-input.ts';

export interface EditSecretArgs {
  value?: string;
  description?: string;
  /** Organization secrets only: the slugs of the workspaces that may use it; [] = every workspace. */
  workspaces?: string[];
}

export interface Patch {
  value?: string;
  description?: string;
  workspaces?: string[];
}

/** A workspace the organization secret may be limited to, as the picker lists it. */
export interface WorkspaceChoice {
  slug: string;
  name: string;
}

/** Sorted, without repeats: the server's form, so an unchanged choice compares equal. */
function normalized(slugs: readonly string[]): string[] {
  return [...new Set(slugs)].sort();
}

/** What actually changes, or undefined when nothing does. */
export function patchFor(current: Pick<SecretMeta, 'description' | 'workspaces'>, edit: EditSecretArgs): Patch | undefined {
  const patch: Patch = {};
  if (edit.value !== undefined && edit.value !== '') patch.value = edit.value;
  if (edit.description !== undefined && edit.description.trim() !== current.description) patch.description = edit.description.trim();
  if (edit.workspaces !== undefined) {
    const next = normalized(edit.workspaces);
    if (next.join('\n') !== normalized(current.workspaces ?? []).join('\n')) patch.workspaces = next;
  }
  return Object.keys(patch).length === 0 ? undefined : patch;
}

export async function editSecret(
  api: SecretsApi,
  ui: UiPort,
  target: Target,
  /** The metadata the user is looking at: its version is the If-Match. */
  seen: SecretMeta,
  args?: EditSecretArgs,
  /** The organization's workspaces: an organization secret's edit offers to limit it to some of them. */
  workspaces: readonly WorkspaceChoice[] = [],
): Promise<SecretMeta> {
  const edit = args ?? (await promptForEdit(ui, target, seen, workspaces));
  const problem = validateEditedValue(edit.value ?? '') ?? validateDescription(edit.description ?? '');
  if (problem) throw new ExtensionError('EXT_INVALID_INPUT', problem);
  // The server says the same (400): a workspace secret is its workspace's alone.
  if (edit.workspaces !== undefined && target.workspace !== undefined) {
    throw new ExtensionError('EXT_INVALID_INPUT', `${seen.key} in workspace ${target.workspace} is a workspace secret: it is that workspace's alone`);
  }
  const patch = patchFor(seen, edit);
  if (!patch) throw new ExtensionError('EXT_NO_CHANGES');
  return api.updateSecret(target.org, envRef(target), seen.key, patch, { ifMatch: seen.version });
}

async function promptForEdit(ui: UiPort, target: Target, seen: SecretMeta, workspaces: readonly WorkspaceChoice[]): Promise<EditSecretArgs> {
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
  if (target.workspace !== undefined || workspaces.length === 0) return { value, description };
  const chosen = await pickWorkspaces(ui, seen, workspaces);
  return { value, description, workspaces: chosen };
}

/** The workspaces that may use the organization secret, the current ones ticked; none ticked: every workspace. */
async function pickWorkspaces(ui: UiPort, seen: SecretMeta, workspaces: readonly WorkspaceChoice[]): Promise<string[]> {
  const current = new Set(seen.workspaces ?? []);
  // A workspace created since the list was loaded may already limit the secret: it is offered (ticked)
  // too, or accepting the pick as shown would send none ticked, which opens the secret to every workspace.
  const known = new Set(workspaces.map((w) => w.slug));
  const unknown = [...current].filter((slug) => !known.has(slug)).map((slug) => ({ slug, name: slug }));
  const chosen = await ui.pickMany(
    [...workspaces, ...unknown].map((w) => ({ label: w.slug, ...(w.name !== w.slug ? { description: w.name } : {}), picked: current.has(w.slug), value: w.slug })),
    {
      title: `Workspaces that may use ${seen.key}`,
      placeholder: current.size === 0 ? 'Every workspace may use it now; tick some to limit it to them' : 'Tick none to make it available to every workspace',
    },
  );
  if (chosen === undefined) throw new Cancelled();
  return chosen;
}
