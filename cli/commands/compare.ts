import type { Command } from '../command.ts';
import { printableRow } from '../server-text.ts';
import { exactArgs } from '../subcommands.ts';
import { table } from '../table.ts';

const USAGE = 'secrets compare ENV_A ENV_B [--org ORG] [--workspace WS]';

export interface Comparison {
  a: string;
  b: string;
  onlyInA: { key: string; version: number }[];
  onlyInB: { key: string; version: number }[];
  inBoth: { key: string; versionA: number; versionB: number }[];
}

export const compare: Command = {
  name: 'compare',
  summary: 'Which keys two environments share and which only one has (with versions; never values)',
  help: `${USAGE}

Reads only metadata (the same as secrets ls), so Viewers can compare and no value is revealed or
audited as read. Versions count the changes in each environment; equal versions do not mean equal values.
With --workspace (or SECRETS_WORKSPACE) it compares that workspace's effective sets.`,
  options: ['workspace'],
  async run(ctx) {
    const [a, b] = exactArgs(ctx.args, ['ENV_A', 'ENV_B'], USAGE);
    const org = await ctx.org();
    const workspace = ctx.workspace();
    const client = ctx.client();
    const ref = (environment: string) => (workspace === undefined ? environment : { workspace, environment });
    const [listA, listB] = await Promise.all([client.listSecrets(org, ref(a!)), client.listSecrets(org, ref(b!))]);
    const inB = new Map(listB.map((s) => [s.key, s.version]));
    const inA = new Map(listA.map((s) => [s.key, s.version]));
    const result: Comparison = {
      a: a!,
      b: b!,
      onlyInA: listA.filter((s) => !inB.has(s.key)).map((s) => ({ key: s.key, version: s.version })),
      onlyInB: listB.filter((s) => !inA.has(s.key)).map((s) => ({ key: s.key, version: s.version })),
      inBoth: listA.filter((s) => inB.has(s.key)).map((s) => ({ key: s.key, versionA: s.version, versionB: inB.get(s.key)! })),
    };
    if (ctx.flags.json) return ctx.json(result);
    const rows = [
      ...result.onlyInA.map((s) => [s.key, String(s.version), '-', `only in ${a}`]),
      ...result.onlyInB.map((s) => [s.key, '-', String(s.version), `only in ${b}`]),
      ...result.inBoth.map((s) => [s.key, String(s.versionA), String(s.versionB), 'in both']),
    ].sort((x, y) => (x[0]! < y[0]! ? -1 : x[0]! > y[0]! ? 1 : 0));
    if (rows.length === 0) return ctx.note(`No secrets in ${org}/${a} or ${org}/${b}`);
    ctx.out(table(['KEY', a!.toUpperCase(), b!.toUpperCase(), 'WHERE'], rows.map(printableRow)));
    ctx.note(`${result.onlyInA.length} only in ${a}, ${result.onlyInB.length} only in ${b}, ${result.inBoth.length} in both`);
  },
};
