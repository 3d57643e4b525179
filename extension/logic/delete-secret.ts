// "Delete": a modal confirmation naming the key (deletion is permanent); in production the user must
// also type the key, the way GitHub guards repository deletion.
import { Cancelled, ExtensionError } from '../errors.ts';
import { envRef, targetLabel, type SecretsApi, type Target, type UiPort } from './ports.ts';

export const PROTECTED_ENVIRONMENTS: ReadonlySet<string> = new Set(['production']);

export interface DeleteSecretArgs {
  /** true skips every prompt (programmatic use); the key itself also satisfies the typed check. */
  confirm?: boolean | string;
}

export async function deleteSecret(api: SecretsApi, ui: UiPort, target: Target, key: string, args?: DeleteSecretArgs): Promise<void> {
  if (args?.confirm !== true) await confirmDeletion(ui, target, key, args?.confirm);
  await api.deleteSecret(target.org, envRef(target), key);
}

async function confirmDeletion(ui: UiPort, target: Target, key: string, typed: string | false | undefined): Promise<void> {
  if (typed === undefined || typed === false) {
    const ok = await ui.confirm(`Delete secret ${key} from ${target.env}?`, {
      detail: `This permanently deletes ${key} from ${targetLabel(target)}. Deleted secrets cannot be recovered.`,
      confirmLabel: 'Delete',
    });
    if (!ok) throw new Cancelled();
  }
  if (!PROTECTED_ENVIRONMENTS.has(target.env)) return;
  const answer =
    typeof typed === 'string'
      ? typed
      : await ui.input({
          title: `Delete ${key} from ${target.env}`,
          prompt: `${target.env} is protected: type ${key} to confirm`,
          placeholder: key,
          validate: (v) => (v === '' || v === key ? undefined : `Type ${key} exactly`),
        });
  if (answer === undefined) throw new Cancelled();
  if (answer !== key) throw new ExtensionError('EXT_CONFIRMATION_MISMATCH');
}
