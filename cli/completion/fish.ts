// The fish script: fish's own `complete` rules, one per command, verb, flag and value.
import type { Completion, CompletionSpec } from './spec.ts';

const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function source(c: Completion): string {
  if (c === null) return '';
  if ('dynamic' in c) return ` -a ${quote(`(__secrets_dynamic ${c.dynamic})`)}`;
  if ('files' in c) return ' -F';
  return ` -a ${quote(c.words.join(' '))}`;
}

export function fishScript(spec: CompletionSpec): string {
  const names = spec.commands.map((c) => c.name).join(' ');
  const lines = [
    '# secrets completion for fish. Load it with:  secrets completion fish | source',
    '# or save it as ~/.config/fish/completions/secrets.fish',
    'function __secrets_dynamic',
    '    set -l words (commandline -opc)',
    '    set -l args __complete $argv[1]',
    '    for i in (seq 2 (math (count $words) - 1))',
    '        switch $words[$i]',
    '            case --url --org',
    '                set -a args $words[$i] $words[(math $i + 1)]',
    '            case --env --workspace',
    '                test $argv[1] = keys; and set -a args $words[$i] $words[(math $i + 1)]',
    '        end',
    '    end',
    '    command secrets $args 2>/dev/null',
    'end',
    'complete -c secrets -f',
    `complete -c secrets -n '__fish_use_subcommand' -a help -d 'Help for a command'`,
    `complete -c secrets -n '__fish_seen_subcommand_from help' -a ${quote(names)}`,
  ];
  for (const c of spec.commands) {
    const seen = `__fish_seen_subcommand_from ${c.name}`;
    lines.push(`complete -c secrets -n '__fish_use_subcommand' -a ${c.name} -d ${quote(c.summary)}`);
    if (c.verbs.length > 0) {
      lines.push(`complete -c secrets -n ${quote(`${seen}; and not __fish_seen_subcommand_from ${c.verbs.join(' ')}`)} -a ${quote(c.verbs.join(' '))}`);
    }
    for (const flag of c.flags) {
      const name = flag.slice(2);
      const takesValue = spec.valued.includes(flag);
      const value = spec.values.find((v) => v.option === flag && v.command === c.name) ?? spec.values.find((v) => v.option === flag && v.command === '*');
      lines.push(`complete -c secrets -n ${quote(seen)} -l ${name}${takesValue ? ' -r' : ''}${value ? source(value.completion) : ''}`);
    }
    // Fish cannot count positional words cheaply; the first positional kind is offered for all of them.
    const first = c.positionals.find((p) => p !== null);
    if (first && c.verbs.length === 0) lines.push(`complete -c secrets -n ${quote(seen)}${source(first)}`);
  }
  return lines.join('\n') + '\n';
}
