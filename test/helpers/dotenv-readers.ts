// The real dotenv readers people load our files with, each run the way its users run it, on one file at a
// time so a corpus of many keys costs one process per parser. Nothing here is a model: each reader is the
// installed package or program. A reader that is missing throws (the test fails), never skips.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import dotenv from 'dotenv';

const require = createRequire(import.meta.url);
// CommonJS packages without bundled types we rely on; their shapes are the documented ones.
const dotenvExpand = require('dotenv-expand') as {
  expand(options: { parsed: Record<string, string>; processEnv: Record<string, string> }): { parsed?: Record<string, string> };
};
const dotenvx = require('@dotenvx/dotenvx') as {
  parse(src: string, options: { processEnv: Record<string, string> }): Record<string, string>;
};

/** python-dotenv is the Debian package, installed for the system interpreter (test/setup/apt-packages.txt). */
export const SYSTEM_PYTHON = '/usr/bin/python3';

export type ReaderName =
  | 'node util.parseEnv'
  | 'node --env-file'
  | 'dotenv'
  | 'dotenv + dotenv-expand'
  | 'dotenvx'
  | 'python-dotenv'
  | 'docker-compose env_file'
  | 'bash set -a; .'
  | 'dash set -a; .';

export const READERS: readonly ReaderName[] = [
  'node util.parseEnv',
  'node --env-file',
  'dotenv',
  'dotenv + dotenv-expand',
  'dotenvx',
  'python-dotenv',
  'docker-compose env_file',
  'bash set -a; .',
  'dash set -a; .',
];

/** The variables `text` defines whose names start with `prefix`, as `reader` reads them. */
export function readWith(reader: ReaderName, text: string, prefix: string): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'dotenv-read-'));
  try {
    const file = join(dir, 'test.env');
    writeFileSync(file, text);
    return onlyPrefixed(readFile(reader, file, text, dir), prefix);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function onlyPrefixed(vars: Record<string, string | null>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars)) if (k.startsWith(prefix) && v !== null) out[k] = v;
  return out;
}

// Child processes start with only these, so the reader cannot pick up the test's own environment.
const CLEAN_ENV = { PATH: '/usr/local/bin:/usr/bin:/bin', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
const run = (file: string, args: string[], cwd: string): string =>
  execFileSync(file, args, { cwd, env: CLEAN_ENV, encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });

function readFile(reader: ReaderName, file: string, text: string, dir: string): Record<string, string | null> {
  switch (reader) {
    case 'node util.parseEnv':
      return parseEnv(text) as Record<string, string>;
    case 'node --env-file':
      return JSON.parse(
        run(process.execPath, [`--env-file=${file}`, '-e', 'process.stdout.write(JSON.stringify(process.env))'], dir),
      ) as Record<string, string>;
    case 'dotenv':
      return dotenv.parse(text);
    case 'dotenv + dotenv-expand': {
      // As its README shows: expand what dotenv parsed, here into an empty environment.
      const expanded = dotenvExpand.expand({ parsed: dotenv.parse(text), processEnv: {} });
      if (expanded.parsed === undefined) throw new Error('dotenv-expand returned nothing');
      return expanded.parsed;
    }
    case 'dotenvx':
      return dotenvx.parse(text, { processEnv: {} });
    case 'python-dotenv':
      return JSON.parse(
        run(SYSTEM_PYTHON, ['-c', 'import json,sys,dotenv; print(json.dumps(dotenv.dotenv_values(sys.argv[1])))', file], dir),
      ) as Record<string, string | null>;
    case 'docker-compose env_file':
      return composeEnvFile(file, dir);
    case 'bash set -a; .':
    case 'dash set -a; .': {
      const shell = reader.startsWith('bash') ? 'bash' : 'dash';
      // `env -0` separates with NUL, the one byte no variable can hold.
      const out = run(shell, ['-c', 'set -a; . "$1"; exec env -0', shell, file], dir);
      const vars: Record<string, string> = {};
      for (const entry of out.split('\0')) {
        const eq = entry.indexOf('=');
        if (eq > 0) vars[entry.slice(0, eq)] = entry.slice(eq + 1);
      }
      return vars;
    }
  }
}

/**
 * docker-compose (the Debian package) reads a service's `env_file:` when it renders the configuration;
 * `config` needs no Docker engine. The rendered file is a compose file again, where `$` is written `$$`.
 */
function composeEnvFile(file: string, dir: string): Record<string, string | null> {
  const composeFile = join(dir, 'compose.yml');
  writeFileSync(composeFile, `services:\n  reader:\n    image: scratch\n    env_file: [${JSON.stringify(file)}]\n`);
  // Read back with the YAML library docker-compose wrote it with, so no second YAML dialect gets a say.
  const script = 'set -o pipefail; docker-compose -f "$1" --project-directory "$2" config | "$3" -c "$4"';
  const toJson = 'import json,sys,yaml; print(json.dumps(yaml.safe_load(sys.stdin)["services"]["reader"].get("environment", {})))';
  const env = JSON.parse(run('bash', ['-c', script, 'bash', composeFile, dir, SYSTEM_PYTHON, toJson], dir)) as Record<
    string,
    string | number | boolean | null
  >;
  const out: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(env)) out[k] = v === null ? null : String(v).replaceAll('$$', '$');
  return out;
}
