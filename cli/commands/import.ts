import type { SecretBatchItem, SecretBatchResult } from '../../core/api-types.ts';
import { SECRET_BATCH_MAX_ITEMS } from '../../core/api-types.ts';
import type { Command } from '../command.ts';
import { CliError } from '../errors.ts';
import { formatOf, parseImport, readImportText } from '../import-file.ts';
import { progress } from '../progress.ts';
import { exactArgs } from '../subcommands.ts';

const USAGE = 'secrets import FILE [--format dotenv|json] [--overwrite] [--dry-run] [--org ORG] [--env ENV] [--workspace WS]';
/** Below this many keys a bar would only flicker. */
const BAR_FROM = 200;

type Plan = { create: string[]; update: string[]; unchanged: string[]; keep: string[] };

export const importCommand: Command = {
  name: 'import',
  summary: 'Import a .env or JSON file into an environment in one all-or-nothing step',
  help: `${USAGE}

FILE is a .env file (read by the same rules as secrets export writes them) or, with --format json or a
.json name, one JSON object of KEY: "value" strings; - reads stdin. Keys are uppercased and checked, and
every value must be non-empty, before anything is sent.

The plan is printed first, keys only (never values), one per line:
  create KEY      not in the environment yet
  update KEY      exists with another value (only with --overwrite)
  same   KEY      exists with this value and is not touched
  keep   KEY      exists and is left alone (no --overwrite)
then applied in one transaction: if any key fails (changed by someone else since the plan, created
meanwhile, refused by the server) nothing is changed. Each change is audited on its own. --dry-run
prints the plan and changes nothing. On a terminal a progress bar shows the steps of a large import.`,
  options: ['format', 'overwrite', 'dry-run', 'workspace'],
  async run(ctx) {
    const [file] = exactArgs(ctx.args, ['FILE'], USAGE);
    const format = formatOf(file!, ctx.flags.format);
    const text = await readImportText(ctx.io, file!);
    const entries = parseImport(text, format, file!);
    ctx.sensitive(...entries.values());
    if (entries.size === 0) throw new CliError('CLI_INVALID_INPUT', `${file} holds no secrets`);
    if (entries.size > SECRET_BATCH_MAX_ITEMS) throw new CliError('CLI_INVALID_INPUT', `${file} holds ${entries.size} secrets; one import takes at most ${SECRET_BATCH_MAX_ITEMS}`);

    const bar = progress(ctx.io, ctx.flags['dry-run'] ? 2 : 3, entries.size >= BAR_FROM);
    try {
      const { org, env, workspace, ref, label } = await ctx.target();
      const client = ctx.client();
      bar.step(`reading ${label}`);
      const versions = new Map((await client.listSecrets(org, ref)).map((s) => [s.key, s.version]));

      const plan: Plan = { create: [], update: [], unchanged: [], keep: [] };
      const items: SecretBatchItem[] = [];
      for (const [key, value] of entries) {
        const version = versions.get(key);
        if (version === undefined) items.push({ key, value, ifMatch: 0 });
        else if (ctx.flags.overwrite) items.push({ key, value, ifMatch: version });
        else plan.keep.push(key);
      }

      let results: SecretBatchResult[] = [];
      if (items.length > 0) {
        // The server decides what changes (it alone may compare values); the dry run also checks every key.
        bar.step(`checking ${items.length} secrets`);
        results = (await client.applySecretBatch(org, ref, { secrets: items, dryRun: true })).results;
        if (!ctx.flags['dry-run']) {
          const writes = items.filter((_, i) => results[i]!.outcome !== 'unchanged');
          if (writes.length > 0) {
            bar.step(`importing ${writes.length} secrets`);
            const applied = (await client.applySecretBatch(org, ref, { secrets: writes })).results;
            const byKey = new Map(applied.map((r) => [r.key, r]));
            results = results.map((r) => byKey.get(r.key) ?? r);
          }
        }
      }
      bar.done();
      for (const r of results) (r.outcome === 'created' ? plan.create : r.outcome === 'updated' ? plan.update : plan.unchanged).push(r.key);

      const dry = Boolean(ctx.flags['dry-run']);
      if (ctx.flags.json) return ctx.json({ org, env, ...(workspace !== undefined && { workspace }), dryRun: dry, created: plan.create, updated: plan.update, unchanged: plan.unchanged, keptExisting: plan.keep });
      const lines = [
        ...plan.create.map((k) => `create ${k}`),
        ...plan.update.map((k) => `update ${k}`),
        ...plan.unchanged.map((k) => `same   ${k}`),
        ...plan.keep.map((k) => `keep   ${k}`),
      ];
      if (lines.length > 0) ctx.out(lines.join('\n'));
      const counts = `${plan.create.length} created, ${plan.update.length} updated, ${plan.unchanged.length} unchanged, ${plan.keep.length} existing left alone${plan.keep.length > 0 ? ' (--overwrite replaces them)' : ''}`;
      ctx.note(dry ? `Dry run for ${label}, nothing changed: would be ${counts}` : `Imported ${file} into ${label}: ${counts}`);
    } finally {
      bar.done();
    }
  },
};
