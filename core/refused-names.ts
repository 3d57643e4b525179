// The one list of environment names a secret is not exported under unless the user names it: names that
// change how programs start or find code. An Editor can create `BASH_ENV` or `NODE_OPTIONS`; exported
// as-is, its value would run in every later shell or node process of the job. The Action, `secrets run`
// and `secrets export` refuse these names by default; the server flags them (docs/api.md, `execRisk`).
//
// Sources, per group (docs/security.md §1 lists them with the tests):
// - loader: ld.so(8) (every LD_* is read by glibc's loader; LD_PRELOAD/LD_AUDIT load code), dyld(1)
//   (DYLD_*), glibc's GCONV_PATH (CVE-2021-4034) and GLIBC_TUNABLES (CVE-2023-4911).
// - shell: bash(1) INVOCATION and Shell Variables (BASH_ENV, ENV, PROMPT_COMMAND, PS0–PS4 undergo
//   expansion, SHELLOPTS/BASHOPTS turn on xtrace etc., BASH_FUNC_* are exported functions,
//   BASH_LOADABLES_PATH, BASH_XTRACEFD, INPUTRC, MAILPATH messages are expanded), dash(1) (ENV), zsh's
//   STARTUP FILES and zshparam(1) (ZDOTDIR, FPATH, MODULE_PATH, NULLCMD/READNULLCMD, PROMPT*, RPROMPT*),
//   oh-my-zsh's ZSH/ZSH_* directories; PATH, CDPATH, GLOBIGNORE, EXECIGNORE, FIGNORE, IFS, `_`, HISTFILE.
// - runtimes: node(1) "Environment variables" (NODE_OPTIONS, NODE_PATH, NODE_REPL_EXTERNAL_MODULE),
//   python(1) ENVIRONMENT (PYTHONSTARTUP, PYTHONPATH, PYTHONHOME, PYTHONUSERBASE, PYTHONBREAKPOINT,
//   PYTHONWARNINGS, whose category is imported), perlrun(1) (PERL5OPT, PERL5LIB, PERLLIB, PERL5DB),
//   ruby(1) (RUBYOPT, RUBYLIB), the JDK's java(1) and JVMTI (JAVA_TOOL_OPTIONS, _JAVA_OPTIONS,
//   JDK_JAVA_OPTIONS, CLASSPATH; MAVEN_OPTS, GRADLE_OPTS pass JVM options such as -javaagent), .NET
//   (DOTNET_STARTUP_HOOKS, CORECLR_/COR_ profiler variables), `go help environment` (GOFLAGS carries
//   -toolexec), cargo(1) (RUSTC_WRAPPER, RUSTC_WORKSPACE_WRAPPER, CARGO_BUILD_RUSTC_WRAPPER).
// - tools that run the command a variable names: git(1) ENVIRONMENT VARIABLES and git-config(1)
//   (GIT_SSH, GIT_SSH_COMMAND, GIT_EXEC_PATH, GIT_ASKPASS, GIT_PROXY_COMMAND, GIT_EXTERNAL_DIFF,
//   GIT_PAGER, GIT_EDITOR, GIT_SEQUENCE_EDITOR, GIT_TEMPLATE_DIR, GIT_CONFIG_* which sets any config
//   such as core.sshCommand), EDITOR, VISUAL, FCEDIT, PAGER, MANPAGER, BROWSER (Python's webbrowser),
//   SSH_ASKPASS, SUDO_ASKPASS, LESSOPEN/LESSCLOSE/LESS (less(1) runs input preprocessors and `+`
//   commands), npm-config(7) (npm_config_*, any case: script-shell, node-options, …), Yarn's yarnPath.
// - where programs read their start-up files: HOME, XDG_CONFIG_HOME (~/.bashrc, ~/.gitconfig, .npmrc).
// - the GitHub Actions runner's own variables: GITHUB_*, RUNNER_*, ACTIONS_*, INPUT_*, STATE_*.
//
// A second, shorter list is refused only where the output is evaluated by a shell (`secrets export
// --format shell`): parameters bash, dash or zsh treat specially when assigned. Assigning RANDOM,
// OPTIND or HISTCMD in bash, or COLUMNS, LINES, HISTSIZE, SHLVL, UID … in zsh, evaluates the value as
// arithmetic, which runs `$(…)` inside a subscript; others are read-only, set the user id, or are tied
// to arrays. test/core/refused-names.test.ts derives every special parameter from the real shells and
// checks each is either here or assigned exactly.
import { SecretsError } from './errors.ts';

interface Rule {
  readonly name: string;
  /** Matches every name starting with `name`. */
  readonly prefix?: true;
  /** Compared ignoring case on every platform (npm reads its configuration variables that way). */
  readonly anyCase?: true;
  readonly reason: string;
}

const LOADER = 'the dynamic loader reads it: it can load a library into every program started';
const SHELL = 'a shell reads it at start-up, before a prompt or when it runs commands: its value can run commands';
const RUNTIME = 'a language runtime reads it at start-up: its value can load or run code';
const TOOL = 'a tool runs the command it names';
const STARTUP_FILES = 'it moves where programs read their start-up files, which can run commands';
const RUNNER = 'the GitHub Actions runner owns it: setting it changes how later steps run';

const rule = (reason: string, names: readonly string[], extra: Partial<Rule> = {}): Rule[] =>
  names.map((name) => ({ name, reason, ...extra }));

const RULES: readonly Rule[] = [
  ...rule(LOADER, ['LD_', 'DYLD_'], { prefix: true }),
  ...rule(LOADER, ['GCONV_PATH', 'GLIBC_TUNABLES']),

  ...rule(SHELL, ['BASH_', 'ZSH_'], { prefix: true }),
  ...rule(SHELL, [
    'BASH', 'BASH_ENV', 'ENV', 'BASHOPTS', 'SHELLOPTS', 'PROMPT_COMMAND', 'PS0', 'PS1', 'PS2', 'PS3', 'PS4',
    'PROMPT', 'PROMPT2', 'PROMPT3', 'PROMPT4', 'RPROMPT', 'RPROMPT2', 'RPS1', 'RPS2', 'SPROMPT',
    'ZDOTDIR', 'ZSH', 'FPATH', 'MODULE_PATH', 'NULLCMD', 'READNULLCMD', 'INPUTRC', 'MAIL', 'MAILPATH',
    'MAILCHECK', 'HISTFILE', 'CDPATH', 'GLOBIGNORE', 'EXECIGNORE', 'FIGNORE',
  ]),
  { name: 'PATH', reason: 'it decides which program every command name runs' },
  { name: 'IFS', reason: 'it changes how shells split words, so commands run with other arguments' },
  { name: '_', reason: 'shells set it to the program being run; programs trust it as their own path' },

  ...rule(RUNTIME, [
    'NODE_OPTIONS', 'NODE_PATH', 'NODE_REPL_EXTERNAL_MODULE',
    'PYTHONSTARTUP', 'PYTHONPATH', 'PYTHONHOME', 'PYTHONUSERBASE', 'PYTHONBREAKPOINT', 'PYTHONWARNINGS', 'PYTHONINSPECT',
    'PERL5OPT', 'PERL5LIB', 'PERLLIB', 'PERL5DB',
    'RUBYOPT', 'RUBYLIB',
    'JAVA_TOOL_OPTIONS', '_JAVA_OPTIONS', 'JDK_JAVA_OPTIONS', 'CLASSPATH', 'MAVEN_OPTS', 'GRADLE_OPTS',
    'DOTNET_STARTUP_HOOKS', 'DOTNET_ADDITIONAL_DEPS', 'CORECLR_ENABLE_PROFILING', 'COR_ENABLE_PROFILING',
    'GOFLAGS', 'RUSTC_WRAPPER', 'RUSTC_WORKSPACE_WRAPPER', 'CARGO_BUILD_RUSTC_WRAPPER',
  ]),
  ...rule(RUNTIME, ['CORECLR_PROFILER', 'COR_PROFILER'], { prefix: true }),

  ...rule(TOOL, ['GIT_CONFIG'], { prefix: true }),
  ...rule(TOOL, [
    'GIT_SSH', 'GIT_SSH_COMMAND', 'GIT_EXEC_PATH', 'GIT_ASKPASS', 'GIT_PROXY_COMMAND', 'GIT_EXTERNAL_DIFF',
    'GIT_PAGER', 'GIT_EDITOR', 'GIT_SEQUENCE_EDITOR', 'GIT_TEMPLATE_DIR',
    'EDITOR', 'VISUAL', 'FCEDIT', 'PAGER', 'MANPAGER', 'BROWSER', 'SSH_ASKPASS', 'SUDO_ASKPASS',
    'LESSOPEN', 'LESSCLOSE', 'LESS', 'YARN_YARN_PATH',
  ]),
  { name: 'npm_config_', prefix: true, anyCase: true, reason: 'npm (and pnpm) read it as configuration, which can name the shell and node options scripts run with' },
  ...rule(STARTUP_FILES, ['HOME', 'XDG_CONFIG_HOME']),

  ...rule(RUNNER, ['GITHUB_', 'RUNNER_', 'ACTIONS_', 'INPUT_', 'STATE_'], { prefix: true }),
];

const SHELL_SPECIAL_REASON =
  'bash, dash or zsh treat it specially when it is assigned (arithmetic evaluation that can run commands, a read-only or computed value, the user id, a tied array), so an `export` line would not set it exactly';

// Parameters of bash 5, dash 0.5 and zsh 5 whose assignment is not a plain one (those already refused
// above, such as PATH, PS4, BASHOPTS and every BASH_*/ZSH_*, are not repeated). Case matters to shells,
// so zsh's lower-case tied arrays and special hashes are listed as they are spelled.
const SHELL_SPECIAL: ReadonlySet<string> = new Set([
  // bash
  'BASHPID', 'DIRSTACK', 'EPOCHREALTIME', 'EPOCHSECONDS', 'EUID', 'GROUPS', 'HISTCMD', 'LINENO', 'OPTIND',
  'PPID', 'RANDOM', 'SECONDS', 'SRANDOM', 'UID', 'FUNCNAME',
  // zsh
  'ARGC', 'COLUMNS', 'EGID', 'FUNCNEST', 'GID', 'HISTCHARS', 'HISTSIZE', 'KEYBOARD_HACK', 'KEYTIMEOUT',
  'LINES', 'LISTMAX', 'SAVEHIST', 'SHLVL', 'TRY_BLOCK_ERROR', 'TRY_BLOCK_INTERRUPT', 'TTYIDLE', 'USERNAME',
  'WATCH',
  'aliases', 'argv', 'builtins', 'cdpath', 'commands', 'dirstack', 'dis_aliases', 'dis_builtins',
  'dis_functions', 'dis_functions_source', 'dis_galiases', 'dis_patchars', 'dis_reswords', 'dis_saliases',
  'fignore', 'fpath', 'funcfiletrace', 'funcsourcetrace', 'funcstack', 'functions', 'functions_source',
  'functrace', 'galiases', 'histchars', 'history', 'historywords', 'jobdirs', 'jobstates', 'jobtexts',
  'keymaps', 'mailpath', 'manpath', 'module_path', 'modules', 'nameddirs', 'options', 'parameters',
  'patchars', 'path', 'pipestatus', 'prompt', 'psvar', 'reswords', 'saliases', 'signals', 'status',
  'termcap', 'terminfo', 'userdirs', 'usergroups', 'watch', 'widgets', 'zsh_eval_context',
  'zsh_scheduled_events',
]);

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface RefusedNameOptions {
  /** Compare ignoring case, as Windows does for environment names. Default: this process's platform. */
  ignoreCase?: boolean;
  /** The names will be assigned by a shell (`export NAME='…'` evaluated by bash, dash or zsh). */
  shell?: boolean;
}

/** Why exporting a secret under `name` is refused by default, or null when it is not. */
export function refusedNameReason(name: string, opts: RefusedNameOptions = {}): string | null {
  const ignoreCase = opts.ignoreCase ?? process.platform === 'win32';
  const upper = name.toUpperCase();
  for (const r of RULES) {
    const fold = ignoreCase || r.anyCase === true;
    const subject = fold ? upper : name;
    const pattern = fold ? r.name.toUpperCase() : r.name;
    if (r.prefix ? subject.startsWith(pattern) : subject === pattern) return r.reason;
  }
  if (opts.shell) {
    if (SHELL_SPECIAL.has(name)) return SHELL_SPECIAL_REASON;
    if (ignoreCase && [...SHELL_SPECIAL].some((s) => s.toUpperCase() === upper)) return SHELL_SPECIAL_REASON;
  }
  return null;
}

/** Whether the server and UIs should flag a secret key: every client refuses to export it by default. */
export function isExecRiskName(key: string): boolean {
  return refusedNameReason(key, { ignoreCase: false }) !== null;
}

export interface RefusedName {
  key: string;
  reason: string;
}

/** A secret's name was refused for export; names the key(s) and why, never a value. */
export class RefusedNameError extends SecretsError {
  readonly refused: RefusedName[];

  constructor(refused: RefusedName[]) {
    const list = refused.map((r) => `${r.key} (${r.reason})`).join('; ');
    super('SECRETS_NAME_REFUSED', `Refusing to export ${refused.length === 1 ? 'a secret named' : 'secrets named'} ${list}`);
    this.name = 'RefusedNameError';
    this.refused = refused;
  }
}

export interface ExportNameCheck extends RefusedNameOptions {
  /** Names the user explicitly lets through (`allow-names:`, `--allow-name`). */
  allow?: Iterable<string>;
}

/** The names of `names` that are refused and not allowed, with the reason for each. */
export function refusedNames(names: Iterable<string>, opts: ExportNameCheck = {}): RefusedName[] {
  const ignoreCase = opts.ignoreCase ?? process.platform === 'win32';
  const fold = (n: string) => (ignoreCase ? n.toUpperCase() : n);
  const allowed = new Set([...(opts.allow ?? [])].map(fold));
  const out: RefusedName[] = [];
  for (const key of names) {
    // No opt-in for these: a shell would read the rest of the line as code, and an environment entry
    // `A=B=C` is variable A.
    if (!VARIABLE_NAME.test(key)) {
      out.push({ key: JSON.stringify(key), reason: 'it is not a variable name (letters, digits and _, not starting with a digit)' });
      continue;
    }
    if (allowed.has(fold(key))) continue;
    const reason = refusedNameReason(key, { ...opts, ignoreCase });
    if (reason !== null) out.push({ key, reason });
  }
  return out;
}

/** Throws RefusedNameError naming every refused name that is not allowed. */
export function checkExportNames(names: Iterable<string>, opts: ExportNameCheck = {}): void {
  const refused = refusedNames(names, opts);
  if (refused.length > 0) throw new RefusedNameError(refused);
}
