// An environment's values with `$NAME` references resolved: one bulk reveal (one round trip, one audit
// event), plus one for the versions `${NAME@3}` pins refer to, then the core resolver. Used by `export`
// and `run`.
import { SecretsError } from '../core/errors.ts';
import { resolveSecrets } from '../core/resolve.ts';
import { revealEnvironment } from '../core/reveal-environment.ts';
import type { Context, Target } from './context.ts';

export async function resolvedValues(ctx: Context, { org, ref, label }: Target, opts: { at?: string } = {}): Promise<Record<string, string>> {
  const keepMissing = Boolean(ctx.flags['keep-missing']);
  const revealed = await revealEnvironment(ctx.client(), org, ref, {
    keys: null,
    ...(opts.at !== undefined && { at: opts.at }),
    onSecrets: (secrets) => {
      for (const s of secrets) ctx.sensitive(s.value);
    },
  });
  // At a moment, a key whose secret has been deleted since has no value left: the environment of then cannot be given whole.
  if (revealed.missing.length > 0) {
    const message = `${revealed.missing.join(', ')} existed in ${label} at ${opts.at} but ${revealed.missing.length === 1 ? 'was' : 'were'} deleted since: ${revealed.missing.length === 1 ? 'its value is' : 'their values are'} gone`;
    if (!keepMissing) throw new SecretsError('SECRETS_NOT_FOUND', `${message} (--keep-missing leaves ${revealed.missing.length === 1 ? 'it' : 'them'} out)`);
    ctx.note(`secrets: warning: ${message}; left out`);
  }
  const resolved = resolveSecrets(revealed.values, { onMissing: keepMissing ? 'keep' : 'error' });
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(resolved)) {
    // A resolved value can be a new string (`postgres://$USER:$PASSWORD@…`) that must be masked too.
    ctx.sensitive(value);
    // A pinned version (`DB_PASSWORD@3`) was read for the values that refer to it; it is not a key to export.
    if (!key.includes('@')) out[key] = value;
  }
  return out;
}
