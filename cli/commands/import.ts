import type { SecretBatchItem, SecretBatchResult } from '../../core/api-types.ts';
import { SECRET_BATCH_MAX_ITEMS } from '../../core/api-types.ts';
import { SecretsError } from '../../core/errors.ts';
import type { Command } from '../command.ts';
import { CliError } from '../errors.ts';
import { formatOf, parseImport, readImportText } from '../import-file.ts';
import { progress } from '../progress.ts';
import { printable } from '../server-text.ts';
import { exactArgs } from '../subcommands.ts';

const USAGE = 'secrets import FILE [--format dotenv|json] [--overwrite] [--dry-run] [--org ORG] [--env ENV] [--workspace WS]';
/** Below this many keys a bar would only flicker. */
const BAR_FROM = 200;

type Plan = { create: string[]; update: string[]; unchanged: string[]; keep: string[] };

/**
 * The server refused the batch after the plan was shown (a key created or changed by someone else since,
 * or a rule only the server knows): the same error and exit status, saying that nothing was imported and
 * which key failed (the problem's `body.secrets[i]` points into what was sent).
 */
function notImported(err: unknown, sent: readonly SecretBatchItem[], label: string): unknown {
  if (!(err instanceof SecretsError)) return err;
  const index = /^body\.secrets\[(\d+)\]/.exec(err.errors?.[0]?.path ?? '')?.[1];
  const key = index === undefined ? undefined : sent[Number(index)]?.key;
  const named = key === undefined || err.message.includes(key) ? err.message : `${key}: ${err.message}`;
  return new SecretsError(err.code, `Nothing was imported into ${label}: ${named}`, {
    ...(err.status !== undefined && { status: err.status }),
    ...(err.problemCode !== undefined && { problemCode: err.problemCode }),
    ...(err.detail !== undefined && { detail: err.detail }),
    ...(err.errors !== undefined && { errors: err.errors }),
  });
}

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
meanwhile, refused by the server) nothing is changed, and the error names the key (exit 7: created
meanwhile; 8: changed meanwhile). Each change is audited on its own. --dry-run
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

      // The server decides what changes (it alone may compare values); the dry run also checks every key.
      let planned: SecretBatchResult[] = [];
      if (items.length > 0) {
        bar.step(`checking ${items.length} secrets`);
        planned = (await client.applySecretBatch(org, ref, { secrets: items, dryRun: true })).results;
      }
      for (const r of planned) (r.outcome === 'created' ? plan.create : r.outcome === 'updated' ? plan.update : plan.unchanged).push(r.key);
      const dry = Boolean(ctx.flags['dry-run']);
      const counts = `${plan.create.length} created, ${plan.update.length} updated, ${plan.unchanged.length} unchanged, ${plan.keep.length} existing left alone${plan.keep.length > 0 ? ' (--overwrite replaces them)' : ''}`;
      // People see the plan before anything is written (scripts get one JSON object once it is done).
      if (!ctx.flags.json) {
        bar.done();
        const lines = [
          ...plan.create.map((k) => `create ${k}`),
          ...plan.update.map((k) => `update ${k}`),
          ...plan.unchanged.map((k) => `same   ${k}`),
          ...plan.keep.map((k) => `keep   ${k}`),
        ];
        if (lines.length > 0) ctx.out(lines.map(printable).join('\n'));
      }

      const writes = items.filter((_, i) => planned[i]!.outcome !== 'unchanged');
      if (!dry && writes.length > 0) {
        bar.step(`importing ${writes.length} secrets`);
        try {
          await client.applySecretBatch(org, ref, { secrets: writes });
        } catch (err) {
          throw notImported(err, writes, label);
        }
      }
      bar.done();

      if (ctx.flags.json) return ctx.json({ org, env, ...(workspace !== undefined && { workspace }), dryRun: dry, created: plan.create, updated: plan.update, unchanged: plan.unchanged, keptExisting: plan.keep });
      ctx.note(dry ? `Dry run for ${label}, nothing changed: would be ${counts}` : `Imported ${file} into ${label}: ${counts}`);
    } finally {
      bar.done();
    }
  },
};
