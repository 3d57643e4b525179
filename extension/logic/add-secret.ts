// "Add Secret": key (uppercased live, validated live), value in a password prompt, optional description.
import type { SecretMeta } from '../../core/api-types.ts';
import { normalizeKey } from '../../core/secret-key.ts';
import { Cancelled, ExtensionError } from '../errors.ts';
import type { SecretsApi, Target, UiPort } from './ports.ts';
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
  options: { args?: AddSecretArgs; existingKeys?: ReadonlySet<string> } = {},
): Promise<SecretMeta> {
  const input = options.args ?? (await promptForSecret(ui, target, options.existingKeys));
  const key = normalizeKey(input.key);
  const problem = validateKey(key) ?? validateNewValue(input.value) ?? validateDescription(input.description ?? '');
  if (problem) throw new ExtensionError('EXT_INVALID_INPUT', problem);
  const description = input.description?.trim();
  return api.createSecret(target.org, target.env, { key, value: input.value, ...(description ? { description } : {}) });
}

async function promptForSecret(ui: UiPort, target: Target, existing: ReadonlySet<string> = new Set()): Promise<AddSecretArgs> {
  const title = `Add Secret to ${target.env}`;
  const key = await ui.input({
    title,
    prompt: 'Secret key',
    placeholder: 'STRIPE_SECRET_KEY',
    transform: keyAsTyped,
    validate: (v) => validateKey(v, existing, target.env),
  });
  if (key === undefined) throw new Cancelled();
  const value = await ui.input({ title, prompt: `Value of ${normalizeKey(key)}`, password: true, validate: validateNewValue });
  if (value === undefined) throw new Cancelled();
  const description = await ui.input({ title, prompt: 'Description (optional)', validate: validateDescription });
  if (description === undefined) throw new Cancelled();
  return { key, value, description };
}
