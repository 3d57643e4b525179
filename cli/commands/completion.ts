import type { Command } from '../command.ts';
import { bashScript, zshScript } from '../completion/posix.ts';
import { fishScript } from '../completion/fish.ts';
import { completionSpec } from '../completion/spec.ts';
import { COMMANDS } from '../registry.ts';
import { exactArgs } from '../subcommands.ts';
import { CliError } from '../errors.ts';

const USAGE = 'secrets completion bash|zsh|fish';

export const completion: Command = {
  name: 'completion',
  summary: 'Print the shell completion script for bash, zsh or fish',
  help: `${USAGE}

  bash:  source <(secrets completion bash)        (or add that line to ~/.bashrc)
  zsh:   source <(secrets completion zsh)         (or add that line to ~/.zshrc)
  fish:  secrets completion fish | source         (or save it as ~/.config/fish/completions/secrets.fish)

Completes commands, verbs and flags, and asks the server (with your login) for organizations after
--org, environments after --env and for compare, and keys for get, set, rm and --key.`,
  options: [],
  async run(ctx) {
    const [shell] = exactArgs(ctx.args, ['SHELL'], USAGE);
    const spec = completionSpec(COMMANDS);
    if (shell === 'bash') return ctx.out(bashScript(spec));
    if (shell === 'zsh') return ctx.out(zshScript(spec));
    if (shell === 'fish') return ctx.out(fishScript(spec));
    throw new CliError('CLI_USAGE', `Unknown shell; usage: ${USAGE}`);
  },
};
