// "Compare Environments": which keys exist in which environments of one organization. Only metadata
// is fetched (list calls), so no value can ever reach the comparison.
import type { SecretsApi } from './ports.ts';

export interface Comparison {
  org: string;
  /** The workspace whose effective sets were compared, if any. */
  workspace?: string;
  environments: string[];
  rows: { key: string; presentIn: boolean[]; versions: (number | null)[] }[];
}

export async function compareEnvironments(api: SecretsApi, org: string, environments: string[], workspace?: string): Promise<Comparison> {
  const lists = await Promise.all(environments.map((env) => api.listSecrets(org, workspace === undefined ? env : { workspace, environment: env })));
  const keys = new Set<string>();
  for (const list of lists) for (const s of list) keys.add(s.key);
  const byEnv = lists.map((list) => new Map(list.map((s) => [s.key, s.version])));
  const rows = [...keys].sort().map((key) => ({
    key,
    presentIn: byEnv.map((m) => m.has(key)),
    versions: byEnv.map((m) => m.get(key) ?? null),
  }));
  return { org, ...(workspace !== undefined ? { workspace } : {}), environments, rows };
}

/** Keys missing from at least one of the environments compared. */
export function differences(c: Comparison): Comparison['rows'] {
  return c.rows.filter((r) => r.presentIn.some((p) => !p));
}

export function comparisonMarkdown(c: Comparison): string {
  const head = `| Key | ${c.environments.join(' | ')} |`;
  const rule = `|---|${c.environments.map(() => ':---:').join('|')}|`;
  const rows = c.rows.map((r) => `| \`${r.key}\` | ${r.presentIn.map((p, i) => (p ? `✓ v${r.versions[i]}` : '—')).join(' | ')} |`);
  const missing = differences(c).length;
  return [
    `# Secrets in ${c.workspace === undefined ? c.org : `${c.org}/${c.workspace}`}: ${c.environments.join(' vs ')}`,
    '',
    `${c.rows.length} keys, ${missing} missing from at least one environment. Values are never compared or shown.`,
    '',
    head,
    rule,
    ...rows,
    '',
  ].join('\n');
}
