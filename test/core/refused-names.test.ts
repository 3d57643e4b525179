// core/refused-names.ts: the one list of names that change how programs start or find code, and the
// shell-only list, checked against the real bash, dash and zsh rather than against a copy of the list.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkExportNames, isExecRiskName, RefusedNameError, refusedNameReason, refusedNames } from '../../core/refused-names.ts';
import { isSecretsError } from '../../core/errors.ts';

const SHELLS = ['bash', 'dash', 'zsh'] as const;
const CLEAN_ENV = { PATH: '/usr/bin:/bin' };
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Every parameter a clean, non-interactive shell already has: the ones it sets or treats specially. */
function specialParameters(): Set<string> {
  const listings = [
    execFileSync('bash', ['--norc', '--noprofile', '-c', 'compgen -v'], { env: CLEAN_ENV, encoding: 'utf8' }),
    execFileSync('dash', ['-c', 'set'], { env: CLEAN_ENV, encoding: 'utf8' }).replace(/=.*$/gm, ''),
    execFileSync('zsh', ['-f', '-c', 'print -l ${(k)parameters}'], { env: CLEAN_ENV, encoding: 'utf8' }),
  ];
  return new Set(listings.flatMap((l) => l.split('\n')).filter((n) => IDENTIFIER.test(n)));
}

describe('core: refused names', () => {
  it('refuses the loader, shell start-up, runtime, tool and runner names, each with its reason', () => {
    for (const name of ['LD_PRELOAD', 'LD_LIBRARY_PATH', 'LD_AUDIT', 'DYLD_INSERT_LIBRARIES', 'GCONV_PATH']) assert.match(refusedNameReason(name)!, /dynamic loader/, name);
    for (const name of ['BASH_ENV', 'ENV', 'PROMPT_COMMAND', 'PS1', 'PS4', 'SHELLOPTS', 'BASHOPTS', 'BASH_FUNC_ls%%', 'ZDOTDIR', 'CDPATH', 'GLOBIGNORE']) {
      assert.match(refusedNameReason(name)!, /a shell reads it/, name);
    }
    for (const name of ['NODE_OPTIONS', 'NODE_PATH', 'PYTHONSTARTUP', 'PYTHONPATH', 'PYTHONHOME', 'PERL5OPT', 'PERL5LIB', 'PERLLIB', 'RUBYOPT', 'RUBYLIB', 'JAVA_TOOL_OPTIONS', '_JAVA_OPTIONS', 'JDK_JAVA_OPTIONS', 'CLASSPATH']) {
      assert.match(refusedNameReason(name)!, /language runtime/, name);
    }
    for (const name of ['GIT_SSH', 'GIT_SSH_COMMAND', 'GIT_EXEC_PATH', 'GIT_CONFIG_COUNT', 'GIT_CONFIG_KEY_0', 'GIT_ASKPASS', 'GIT_PROXY_COMMAND', 'GIT_EXTERNAL_DIFF', 'GIT_PAGER', 'GIT_EDITOR', 'EDITOR', 'VISUAL', 'PAGER', 'SSH_ASKPASS', 'LESSOPEN', 'LESSCLOSE', 'MANPAGER', 'BROWSER']) {
      assert.match(refusedNameReason(name)!, /runs the command/, name);
    }
    for (const name of ['GITHUB_TOKEN', 'GITHUB_ENV', 'RUNNER_TEMP', 'ACTIONS_RUNTIME_TOKEN', 'INPUT_TOKEN', 'STATE_FILES']) assert.match(refusedNameReason(name)!, /runner owns it/, name);
    for (const name of ['PATH', 'IFS', '_']) assert.ok(refusedNameReason(name), name);
    for (const name of ['DATABASE_URL', 'DB_PASSWORD', 'STRIPE_KEY', 'NODE_ENV', 'PYTHON_VERSION', 'GIT_AUTHOR_NAME', 'LDFLAGS', 'PATHS', 'MY_PATH', 'HOMEPAGE']) {
      assert.equal(refusedNameReason(name, { ignoreCase: false }), null, name);
    }
  });

  it('compares ignoring case where the platform does (Windows), and npm_config_ in any case everywhere', () => {
    assert.equal(refusedNameReason('Path', { ignoreCase: false }), null);
    assert.ok(refusedNameReason('Path', { ignoreCase: true }));
    assert.ok(refusedNameReason('node_options', { ignoreCase: true }));
    assert.ok(refusedNameReason('npm_config_script_shell', { ignoreCase: false }));
    assert.ok(refusedNameReason('NPM_CONFIG_SCRIPT_SHELL', { ignoreCase: false }));
    assert.deepEqual(refusedNames(['Path', 'APP'], { ignoreCase: true, allow: ['PATH'] }), []);
    assert.equal(refusedNames(['Path'], { ignoreCase: false, allow: ['PATH'] }).length, 0, 'Path is not PATH on Linux');
  });

  it('lets allowed names through, but never a name that is not a variable name', () => {
    assert.deepEqual(refusedNames(['NODE_OPTIONS', 'APP'], { allow: ['NODE_OPTIONS'], ignoreCase: false }), []);
    const bad = refusedNames(['A=B', 'X; rm -rf ~', '1X'], { allow: ['A=B', 'X; rm -rf ~', '1X'], ignoreCase: false });
    assert.deepEqual(bad.map((r) => r.key), ['"A=B"', '"X; rm -rf ~"', '"1X"']);
  });

  it('throws one RefusedNameError (SECRETS_NAME_REFUSED) naming every refused key and why', () => {
    let thrown: unknown;
    try {
      checkExportNames(['APP', 'NODE_OPTIONS', 'LD_PRELOAD'], { ignoreCase: false });
    } catch (err) {
      thrown = err;
    }
    assert.ok(thrown instanceof RefusedNameError && isSecretsError(thrown, 'SECRETS_NAME_REFUSED'));
    assert.match(thrown.message, /^Refusing to export secrets named NODE_OPTIONS \(a language runtime[^)]*\); LD_PRELOAD \(the dynamic loader/);
    assert.deepEqual(thrown.refused.map((r) => r.key), ['NODE_OPTIONS', 'LD_PRELOAD']);
    assert.deepEqual((thrown.toJSON() as { refused: unknown[] }).refused.length, 2);
  });

  it('flags for the server what every client refuses (not the shell-only names)', () => {
    assert.equal(isExecRiskName('BASH_ENV'), true);
    assert.equal(isExecRiskName('NPM_CONFIG_USERCONFIG'), true);
    assert.equal(isExecRiskName('DATABASE_URL'), false);
    assert.equal(isExecRiskName('RANDOM'), false);
    assert.ok(refusedNameReason('RANDOM', { shell: true, ignoreCase: false }));
  });

  it('every parameter bash, dash and zsh treat specially is refused for shell export, or export sets it exactly and runs nothing', function () {
    this.timeout(60_000);
    const dir = mkdtempSync(join(tmpdir(), 'refused-names-shells-'));
    const marker = join(dir, 'executed');
    // Arithmetic assignment (bash's RANDOM/OPTIND, zsh's integer parameters) runs $(…) in a subscript.
    const payloads = [`x[$(touch ${marker})]`, `path[$(touch ${marker})]`, `argv[$(touch ${marker})] \`touch ${marker}\``];
    const names = [...specialParameters()].filter((n) => refusedNameReason(n, { shell: true, ignoreCase: false }) === null).sort();
    assert.ok(names.length > 10, 'the shells list their ordinary parameters too (HOSTNAME, TERM, …)');
    const wrong: string[] = [];
    for (const shell of SHELLS) {
      for (const payload of payloads) {
        // Each name in a subshell of its own, exactly as `secrets export --format shell` prints it.
        const script = names.map((n) => `( export ${n}='${payload}'; /usr/bin/printenv ${n} | tr -d '\\n'; printf '\\0' )`).join('\n');
        const flags = shell === 'bash' ? ['--norc', '--noprofile'] : shell === 'zsh' ? ['-f'] : [];
        const out = execFileSync(shell, [...flags, '-c', script], { env: CLEAN_ENV, encoding: 'utf8' }).split('\0');
        names.forEach((n, i) => {
          if (out[i] !== payload) wrong.push(`${shell}: ${n} → ${JSON.stringify(out[i])}`);
        });
      }
    }
    assert.deepEqual(wrong, [], 'add these to the shell-only list of core/refused-names.ts');
    assert.equal(existsSync(marker), false, 'an assignment ran a command');
  });

  it('the shell-only list is needed: without it bash and zsh run a command on export of RANDOM or COLUMNS', () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'refused-names-proof-')), 'executed');
    spawnSync('zsh', ['-f', '-c', `export COLUMNS='path[$(touch ${marker})]'`], { env: CLEAN_ENV, stdio: 'ignore' });
    assert.equal(existsSync(marker), true, 'zsh evaluates an integer parameter assignment as arithmetic');
    const bashMarker = `${marker}-bash`;
    spawnSync('bash', ['--norc', '--noprofile', '-c', `export RANDOM='x[$(touch ${bashMarker})]'`], { env: CLEAN_ENV, stdio: 'ignore' });
    assert.equal(existsSync(bashMarker), true, 'bash evaluates an assignment to RANDOM as arithmetic');
    assert.ok(refusedNameReason('COLUMNS', { shell: true, ignoreCase: false }));
    assert.ok(refusedNameReason('RANDOM', { shell: true, ignoreCase: false }));
  });
});
