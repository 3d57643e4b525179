// An environment's values with `$NAME` references resolved: one bulk reveal (one round trip, one audit
// event), then the core resolver. Used by `export` and `run`.
import { resolveSecrets } from '../core/resolve.ts';
import type { Context, Target } from './context.ts';

export async function resolvedValues(ctx: Context, { org, env }: Target): Promise<Record<string, string>> {
  const { secrets } = await ctx.client().bulkReveal(org, env);
  const raw: Record<string, string> = {};
  for (const s of secrets) {
    ctx.sensitive(s.value);
    raw[s.key] = s.value;
  }
  const resolved = resolveSecrets(raw, { onMissing: ctx.flags['keep-missing'] ? 'keep' : 'error' });
  // A resolved value can be a new string (`postgres://$USER:$PASSWORD@…`) that must be masked too.
  for (const v of Object.values(resolved)) ctx.sensitive(v);
  return resolved;
}
