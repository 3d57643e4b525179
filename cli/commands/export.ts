import { DOTENV_DIALECTS, formatDotenv, isDotenvDialect, type DotenvDialect } from '../../core/dotenv.ts';
import { MOMENT_EXAMPLE } from '../../core/moment.ts';
import { checkExportNames } from '../../core/refused-names.ts';
import type { Command } from '../command.ts';
import { CliError } from '../errors.ts';
import { momentFlag } from '../moment-flag.ts';
import { noArgs } from '../positionals.ts';
import { resolvedValues } from '../resolved.ts';
import { shellExports } from '../shell-export.ts';

const USAGE = `secrets export [--format dotenv|json|shell] [--dialect ${DOTENV_DIALECTS.join('|')}] [--at TIME] [--keep-missing] [--allow-name NAME]… [--org ORG] [--env ENV] [--workspace WS]`;
const FORMATS = ['dotenv', 'json', 'shell'] as const;
type Format = (typeof FORMATS)[number];

export const exportCommand: Command = {
  name: 'export',
  summary: "Print an environment's resolved values as dotenv, JSON or shell exports",
  help: `${USAGE}

Reveals every secret of the environment in one request, resolves \`$NAME\` / \`\${NAME}\` references, and
prints them sorted by key. dotenv (the default) is read back exactly by Node (--env-file), dotenv,
dotenv-expand, dotenvx, python-dotenv, docker compose and \`set -a; . ./file\` in bash or dash, and none of
them runs anything in it; a value no form all of them agree on can hold is refused, naming the key: then
--dialect names the one program that reads the file (node, dotenv, dotenvx, python-dotenv, compose, shell)
and the file is written for it, still never with anything any of them would run. shell prints
\`export KEY='value'\` lines for \`eval "$(secrets export --format shell)"\`; json (or --json) prints one
object. A cycle is an error naming it; so is a reference to a missing secret, unless --keep-missing
leaves such references as written. A secret whose name changes how programs start or find code
(BASH_ENV, NODE_OPTIONS, LD_PRELOAD, PATH, …) is refused, naming it, unless --allow-name NAME (repeatable)
lets it through. A pinned reference \`\${NAME@3}\` uses version 3 of NAME (one more request); a version
that is not kept is an error naming it.

--at TIME prints the environment as it was at that moment (an ISO 8601 time with a zone, e.g.
${MOMENT_EXAMPLE}): every key that existed then, with its value of then. A key whose secret has been
deleted since has no value left: an error naming it, unless --keep-missing leaves it out.`,
  options: ['format', 'dialect', 'keep-missing', 'allow-name', 'at', 'workspace'],
  async run(ctx) {
    noArgs(ctx, USAGE);
    const format = chooseFormat(ctx.flags.format, ctx.flags.json);
    const dialect = chooseDialect(ctx.flags.dialect, format);
    const at = momentFlag(ctx.flags.at, '--at');
    const target = await ctx.target();
    const values = await resolvedValues(ctx, target, at === undefined ? {} : { at });
    const allow = ctx.flags['allow-name'] ?? [];
    checkExportNames(Object.keys(values), { allow });
    const sorted = Object.fromEntries(Object.entries(values).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    if (format === 'json') return ctx.json(sorted);
    if (format === 'shell') {
      ctx.io.stdout.write(shellExports(sorted, allow));
      return;
    }
    ctx.io.stdout.write(formatDotenv(sorted, dialect));
  },
};

function chooseFormat(flag: string | undefined, json: boolean | undefined): Format {
  if (flag === undefined) return json ? 'json' : 'dotenv';
  if (!(FORMATS as readonly string[]).includes(flag)) {
    throw new CliError('CLI_USAGE', `Unknown format "${flag}": use dotenv, json or shell`);
  }
  if (json && flag !== 'json') throw new CliError('CLI_USAGE', `--json conflicts with --format ${flag}`);
  return flag as Format;
}

function chooseDialect(flag: string | undefined, format: Format): DotenvDialect {
  if (flag === undefined) return 'portable';
  if (format !== 'dotenv') throw new CliError('CLI_USAGE', `--dialect applies to --format dotenv only`);
  if (!isDotenvDialect(flag)) throw new CliError('CLI_USAGE', `Unknown dialect "${flag}": use ${DOTENV_DIALECTS.join(', ')}`);
  return flag;
}
