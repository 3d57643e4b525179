// "Roll Back": a secret gets a new version with the value and description of an older one. A modal
// names both versions first; the version the History view showed as current goes out as If-Match, so a
// change made since comes back as STALE_VERSION instead of being rolled over.
import type { SecretMeta } from '../../core/api-types.ts';
import { Cancelled, ExtensionError } from '../errors.ts';
import { envRef, targetLabel, type SecretsApi, type Target, type UiPort } from './ports.ts';

export interface RollbackArgs {
  /** true skips the confirmation (programmatic use). */
  confirm?: boolean;
}

export async function rollbackSecret(
  api: SecretsApi,
  ui: UiPort,
  target: Target,
  key: string,
  /** The version the user rolls back to, and the current version the user was shown (If-Match). */
  versions: { to: number; shownCurrent: number },
  args?: RollbackArgs,
): Promise<SecretMeta> {
  if (versions.to === versions.shownCurrent) {
    throw new ExtensionError('EXT_NO_CHANGES', `Version ${versions.to} is the current version of ${key}: no changes to save`);
  }
  if (args?.confirm !== true) {
    const ok = await ui.confirm(`Roll back ${key} in ${target.env} to version ${versions.to}?`, {
      detail:
        `${key} in ${targetLabel(target)} gets version ${versions.shownCurrent + 1} with the value and description of version ${versions.to}. ` +
        `Version ${versions.shownCurrent} stays in the history. If someone changed ${key} since version ${versions.shownCurrent}, nothing is changed.`,
      confirmLabel: 'Roll Back',
    });
    if (!ok) throw new Cancelled();
  }
  return api.rollbackSecret(target.org, envRef(target), key, versions.to, { ifMatch: versions.shownCurrent });
}
