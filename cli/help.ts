// `secrets --help` and `secrets <command> --help`.
import type { Command } from './command.ts';
import { COMMANDS } from './registry.ts';
import { VERSION } from './version.ts';

export function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `secrets ${VERSION}: organization secrets from the shell

Usage: secrets <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Global options:
  --url URL     the server (else SECRETS_URL, else the stored login)
  --org ORG     the organization (else SECRETS_ORG, else the login's default)
  --env ENV     the environment (else SECRETS_ENV, else the login's default)
  --json        machine-readable output on stdout
  -h, --help    help for a command: secrets <command> --help
  -V, --version print the version

The token comes from SECRETS_TOKEN, else the stored login (only for the server it was stored for).
SECRETS_DEBUG=1 logs each request (method, path, status, time; never a value) to stderr.
Exit statuses are listed in cli/ERRORS.md.
`;
}

export function commandHelp(command: Command): string {
  const extra = command.options.map((o) => `--${o}`).join(' ');
  return `${command.summary}

Usage: ${command.help}

Options: ${extra ? extra + ' ' : ''}--url --org --env --json --help
`;
}
