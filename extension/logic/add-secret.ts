// "Add Secret": key (uppercased live, validated live), value in a password prompt, optional description.
import type { SecretMeta } from '../../core/api-types.ts';
import { normalizeKey } from '../../core/secret-key.ts';
import { Cancelled, ExtensionError } from '../errors.ts';
import { envRef, type SecretsApi, type Target, type UiPort } from './ports.ts';
import { keyAsTyped, validateDescription, validateKey, validateNewValue } from './secret-input.ts';

export interface AddSecretArgs {
  key: string;
  value: string;
  description?: string;
}

export async function addSecret(
  api: SecretsApi,
  ui: UiPort,
  target: Target,
  /** `overridableKeys`: in a workspace, the organization secrets that adding the same key overrides. */
  options: { args?: AddSecretArgs; existingKeys?: ReadonlySet<string>; overridableKeys?: ReadonlySet<string> } = {},
): Promise<SecretMeta> {
  const input = options.args ?? (await promptForSecret(ui, target, options.existingKeys, options.overridableKeys));
  const key = normalizeKey(input.key);
  const problem = validateKey(key) ?? validateNewValue(input.value) ?? validateDescription(input.description ?? '');
  if (problem) throw new ExtensionError('EXT_INVALID_INPUT', problem);
  const description = input.description?.trim();
  return api.createSecret(target.org, envRef(target), { key, value: input.value, ...(description ? { description } : {}) });
}

async function promptForSecret(ui: UiPort, target: Target, existing: ReadonlySet<string> = new Set(), overridable: ReadonlySet<string> = new Set()): Promise<AddSecretArgs> {
  const title = target.workspace === undefined ? `Add Secret to ${target.env}` : `Add Secret to ${target.workspace}/${target.env}`;
  const key = await ui.input({
    title,
    prompt: 'Secret key',
    placeholder: 'STRIPE_SECRET_KEY',
    transform: keyAsTyped,
    validate: (v) => validateKey(v, existing, target.env),
  });
  if (key === undefined) throw new Cancelled();
  const overrides = overridable.has(normalizeKey(key));
  const value = await ui.input({
    title,
    prompt: overrides ? `Value of ${normalizeKey(key)} in workspace ${target.workspace} — it overrides the organization secret there` : `Value of ${normalizeKey(key)}`,
    password: true,
    validate: validateNewValue,
  });
  if (value === undefined) throw new Cancelled();
  const description = await ui.input({ title, prompt: 'Description (optional)', validate: validateDescription });
  if (description === undefined) throw new Cancelled();
  return { key, value, description };
}
