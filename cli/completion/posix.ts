// The bash and zsh scripts. Both walk the words typed so far the same way (the command, its verb, how
// many positional words, skipping option values) and share the generated lookup functions; only the
// way candidates are handed to the shell differs.
import type { Completion, CompletionSpec } from './spec.ts';

const q = (words: readonly string[]) => words.join(' ');

/** `case` lookups shared by both shells: flags, verbs and positional completion per command. */
function lookups(spec: CompletionSpec): string {
  const kind = (c: Completion): string =>
    c === null ? 'none' : 'dynamic' in c ? `dynamic ${c.dynamic}` : 'files' in c ? 'files' : `words ${q(c.words)}`;
  const flags = spec.commands.map((c) => `    ${c.name}) echo '${q(c.flags)}' ;;`).join('\n');
  const verbs = spec.commands.filter((c) => c.verbs.length > 0).map((c) => `    ${c.name}) echo '${q(c.verbs)}' ;;`).join('\n');
  const positional = spec.commands
    .flatMap((c) => c.positionals.map((p, i) => `    '${c.name} ${i}') echo '${kind(p)}' ;;`))
    .join('\n');
  // A command-specific entry must come before the catch-all (`*' --org'`) of the same option.
  const valueCase = (v: CompletionSpec['values'][number]) =>
    `    ${v.command === '*' ? "*'" : `'${v.command}`} ${v.option}') echo '${kind(v.completion)}' ;;`;
  const valueCases = [...spec.values.filter((v) => v.command !== '*'), ...spec.values.filter((v) => v.command === '*')].map(valueCase);
  return `__secrets_commands='${q(spec.commands.map((c) => c.name))}'
__secrets_valued=' ${q(spec.valued)} '
__secrets_flags() {
  case $1 in
${flags}
    *) echo '--url --org --env --json --help --version' ;;
  esac
}
__secrets_verbs() {
  case $1 in
${verbs}
  esac
}
__secrets_positional() {
  case "$1 $2" in
${positional}
    *) echo none ;;
  esac
}
__secrets_value() {
  case "$1 $2" in
${valueCases.join('\n')}
    *) echo none ;;
  esac
}`;
}

/** The walk over the typed words; $1.. are the words before the cursor (without `secrets`). */
const WALK = `__secrets_walk() {
  __secrets_cmd='' __secrets_verb='' __secrets_npos=0 __secrets_org='' __secrets_env='' __secrets_url='' __secrets_ws=''
  local skip='' w
  for w in "$@"; do
    if [ -n "$skip" ]; then
      case $skip in --org) __secrets_org=$w ;; --env) __secrets_env=$w ;; --url) __secrets_url=$w ;; --workspace) __secrets_ws=$w ;; esac
      skip=''
      continue
    fi
    case $__secrets_valued in *" $w "*) skip=$w; continue ;; esac
    case $w in -*) continue ;; esac
    if [ -z "$__secrets_cmd" ]; then
      __secrets_cmd=$w
    elif [ -z "$__secrets_verb" ] && [ -n "$(__secrets_verbs "$__secrets_cmd")" ]; then
      __secrets_verb=$w
    else
      __secrets_npos=$((__secrets_npos + 1))
    fi
  done
}
# Organizations, environments, workspaces or keys from the server, with the --url/--org/--env/--workspace typed so far.
__secrets_dynamic() {
  set -- __complete "$1"
  [ -n "$__secrets_url" ] && set -- "$@" --url "$__secrets_url"
  [ -n "$__secrets_org" ] && set -- "$@" --org "$__secrets_org"
  [ -n "$__secrets_env" ] && [ "$2" = keys ] && set -- "$@" --env "$__secrets_env"
  [ -n "$__secrets_ws" ] && [ "$2" = keys ] && set -- "$@" --workspace "$__secrets_ws"
  command secrets "$@" 2>/dev/null
}
# What to offer for the word at the cursor: "kind args…" (words LIST / dynamic WHAT / files / none).
__secrets_what() {
  local cur=$1 prev=$2 v
  if [ -n "$prev" ]; then
    case $__secrets_valued in *" $prev "*)
      v=$(__secrets_value "$__secrets_cmd" "$prev")
      [ "$v" = none ] && v=$(__secrets_value '*' "$prev")
      echo "$v"
      return ;;
    esac
  fi
  if [ -z "$__secrets_cmd" ]; then
    case $cur in -*) echo 'words --help --version' ;; *) echo "words $__secrets_commands help" ;; esac
    return
  fi
  case $cur in -*) echo "words $(__secrets_flags "$__secrets_cmd")"; return ;; esac
  if [ "$__secrets_cmd" = help ]; then echo "words $__secrets_commands"; return; fi
  if [ -z "$__secrets_verb" ] && [ -n "$(__secrets_verbs "$__secrets_cmd")" ]; then
    echo "words $(__secrets_verbs "$__secrets_cmd")"
    return
  fi
  __secrets_positional "$__secrets_cmd" "$__secrets_npos"
}`;

export function bashScript(spec: CompletionSpec): string {
  return `# secrets completion for bash. Load it with:  source <(secrets completion bash)
# or save it as ~/.local/share/bash-completion/completions/secrets
${lookups(spec)}
${WALK}
_secrets() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev='' what kind
  [ "$COMP_CWORD" -gt 1 ] && prev=\${COMP_WORDS[COMP_CWORD-1]}
  __secrets_walk "\${COMP_WORDS[@]:1:COMP_CWORD-1}"
  what=$(__secrets_what "$cur" "$prev")
  kind=\${what%% *}
  COMPREPLY=()
  case $kind in
    words) mapfile -t COMPREPLY < <(compgen -W "\${what#words }" -- "$cur") ;;
    dynamic) mapfile -t COMPREPLY < <(compgen -W "$(__secrets_dynamic "\${what#dynamic }")" -- "$cur") ;;
    files) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
  esac
}
complete -F _secrets secrets
`;
}

export function zshScript(spec: CompletionSpec): string {
  return `#compdef secrets
# secrets completion for zsh. Load it with:  source <(secrets completion zsh)
# or save it as _secrets in a directory of your $fpath.
${lookups(spec)}
${WALK}
_secrets() {
  local cur=\${words[CURRENT]} prev='' what kind
  local -a cands
  (( CURRENT > 2 )) && prev=\${words[CURRENT-1]}
  __secrets_walk "\${(@)words[2,CURRENT-1]}"
  what=$(__secrets_what "$cur" "$prev")
  kind=\${what%% *}
  case $kind in
    words) cands=(\${=what#words }); compadd -- $cands ;;
    dynamic) cands=(\${(f)"$(__secrets_dynamic "\${what#dynamic }")"}); compadd -- $cands ;;
    files) _files ;;
  esac
}
if (( ! $+functions[compdef] )); then
  autoload -Uz compinit && compinit -u
fi
compdef _secrets secrets
`;
}
