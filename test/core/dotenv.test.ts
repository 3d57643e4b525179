import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretsError } from '../../core/errors.ts';
import { DOTENV_DIALECTS, DotenvUnrepresentableError, formatDotenv, type DotenvDialect, type DotenvProblem } from '../../core/dotenv.ts';
import { isInertShellWord } from '../../core/shell-word.ts';
import { prng } from '../helpers/prng.ts';
import { READERS, readWith, SYSTEM_PYTHON, type ReaderName } from '../helpers/dotenv-readers.ts';

// A file a command in a value would create: long, unique per run, and checked after every reader ran.
const CANARY = join(tmpdir(), `dotenv-canary-${randomBytes(12).toString('hex')}`);
const PREFIX = 'K_';

/** Which real readers a dialect promises to be read back exactly by. */
const READ_BY: Record<DotenvDialect, readonly ReaderName[]> = {
  portable: READERS,
  node: ['node util.parseEnv', 'node --env-file'],
  dotenv: ['dotenv'],
  dotenvx: ['dotenvx'],
  'python-dotenv': ['python-dotenv'],
  compose: ['docker-compose env_file'],
  shell: ['bash set -a; .', 'dash set -a; .'],
};

const PEM =
  '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\nMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNbvJZHtCSuYEvu\n+Mn4x0Qj/3z5YGGs2Lf/Wr6EHgmXt2MfHbP/K2T8e5Zm6ZNYz/+Xk/2UjaZL9g==\n-----END PRIVATE KEY-----\n';
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUX0b2lq9t\n+/x=\n-----END CERTIFICATE-----';
const JSON_CREDENTIALS = JSON.stringify({ type: 'service_account', private_key: PEM, client_email: 'a@b.test' }, null, 2);

/** Hostile and everyday values, by name. The list first. */
const CORPUS: Record<string, string> = {
  BOTH_QUOTES: `it's "quoted"`,
  SINGLE_QUOTE: "it's",
  DOUBLE_QUOTE: 'say "hi"',
  QUOTED_SINGLE: "'quoted'",
  QUOTED_DOUBLE: '"quoted"',
  CR: 'a\rb',
  CRLF: 'line1\r\nline2',
  QUOTE_NEWLINE: "it's\nnext",
  DQUOTE_NEWLINE: 'say "hi"\nnext',
  CMD_SUBST: `$(touch ${CANARY})`,
  CMD_SUBST_QUOTED: `'$(touch ${CANARY})'`,
  CMD_IN_DEFAULT: `\${UNSET_X:-$(touch ${CANARY})}`,
  BACKTICKS: `\`touch ${CANARY}\``,
  BACKTICK_AND_QUOTE: `it's \`touch ${CANARY}\``,
  BREAK_OUT_DOUBLE: `"; touch ${CANARY}; echo "`,
  BREAK_OUT_SINGLE: `'; touch ${CANARY}; echo '`,
  NEXT_LINE_COMMAND: `x\ntouch ${CANARY}`,
  NEXT_LINE_ENTRY: `x'\nK_INJECTED=$(touch ${CANARY})\n'`,
  DOLLAR_NAME: '$HOME',
  DOLLAR_BRACES: '${X:-y}',
  DOLLAR_ESCAPED: '\\$HOME',
  DOLLAR_ALONE: 'cost $ 5',
  DOLLAR_DIGIT: 'pa$5word',
  DOLLAR_DOLLAR: 'a$$',
  REFERENCE_AFTER_DOLLAR: 'a$$b',
  REFERENCE_BEFORE_PAREN: '${K_DOLLAR}(x)',
  TRAILING_BACKSLASH: 'C:\\dir\\',
  DOUBLE_BACKSLASH: 'a\\\\b',
  BACKSLASH: 'a\\b',
  BACKSLASH_N: 'not a newline: \\n',
  BACKSLASH_NEWLINE: 'a\\\nb',
  TILDE: '~',
  TILDE_PATH: '~/x:~/y',
  HASH: 'a#b',
  HASH_SPACED: 'a # not a comment',
  HASH_START: '#start',
  SPACES: '  padded  ',
  TABS: '\tx\t',
  EQUALS: 'a=b=c',
  BASE64: 'aGk+Pw==',
  UNICODE: 'héllo wörld 🔑 日本語',
  LINE_SEPARATOR: 'a\u2028b\u2029c',
  NBSP: '\u00a0nbsp\u00a0',
  PEM,
  CERT,
  JSON: '{"user":"admin","pass":"p@ss w0rd","list":[1,2]}',
  JSON_PRETTY: JSON_CREDENTIALS,
  JSON_ESCAPES: '{"a":"line\\nbreak","b":"q\\"uote"}',
  EMPTY: '',
  SPACE: ' ',
  PLAIN: 'plain-token_1.2',
  URL: 'https://user@db.test:5432/app?ssl=true&x=1',
  MULTILINE: 'line1\nline2\n',
  LEADING_NEWLINE: '\nvalue',
  LOOKS_LIKE_ENTRY: 'X=1\nK_INJECTED=yes',
  LOOKS_LIKE_EXPORT: 'export X=1',
  NUL: 'a\u0000b',
  NUMBER_LIKE: '0123',
  BOOLEAN_LIKE: 'yes',
  ENCRYPTED_LIKE: 'encrypted-not:abc',
};

// Weighted towards what means something to a dotenv reader or a shell.
const PIECES = [
  'a', 'Z', '0', 'n', 'r', ' ', '\t', '\n', '\n', '\r', '\r\n', '#', '=', ':', '$', '${A}', '$A', '~',
  "'", "'", '"', '"', '`', '\\', '\\', '\\n', '\\"', "\\'", 'export ', 'é', '🔑', '\u2028', '{', '}', ';', '|',
  '&', '(', ')', '*', '?', '!', '$(', 'touch ',
];

function randomCorpus(seed: number, count: number): Record<string, string> {
  const next = prng(seed);
  const out: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    let value = '';
    const length = Math.floor(next() * 12);
    for (let j = 0; j < length; j++) value += PIECES[Math.floor(next() * PIECES.length)];
    out[`RANDOM_${i}`] = value;
  }
  return out;
}

interface Written {
  file: string;
  expected: Record<string, string>;
  refused: Map<string, DotenvProblem>;
}

/** Writes each value on its own (so one refusal does not hide the rest), then all that were written as one file. */
function writeAll(values: Record<string, string>, dialect: DotenvDialect): Written {
  const expected: Record<string, string> = {};
  const refused = new Map<string, DotenvProblem>();
  for (const [name, value] of Object.entries(values)) {
    const key = PREFIX + name;
    try {
      formatDotenv({ [key]: value }, dialect);
      expected[key] = value;
    } catch (err) {
      assert.ok(err instanceof DotenvUnrepresentableError, String(err));
      assert.equal(err.key, key);
      refused.set(name, err.reason);
    }
  }
  return { file: formatDotenv(expected, dialect), expected, refused };
}

/** Every reader reads `file`; those the dialect promises must read `expected` exactly; none may run the canary. */
function assertReadBack(dialect: DotenvDialect, { file, expected }: Written): void {
  const failures: string[] = [];
  for (const reader of READERS) {
    const promised = READ_BY[dialect].includes(reader);
    let got: Record<string, string>;
    try {
      got = readWith(reader, file, PREFIX);
    } catch (err) {
      // A reader a dialect does not promise may reject the file (it must not run anything: checked below),
      // but a reader that is not installed fails the test here too.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw err;
      if (promised) failures.push(`${reader} failed: ${String(err).slice(0, 300)}`);
      continue;
    }
    if (!promised) continue;
    for (const key of new Set([...Object.keys(expected), ...Object.keys(got)])) {
      if (got[key] !== expected[key]) {
        failures.push(`${reader}: ${key} written as ${JSON.stringify(lineOf(file, key))} read back as ${JSON.stringify(got[key])}, not ${JSON.stringify(expected[key])}`);
      }
    }
  }
  assert.equal(existsSync(CANARY), false, `a reader ran a command from the ${dialect} file`);
  assert.deepEqual(failures, [], failures.join('\n'));
}

function lineOf(file: string, key: string): string {
  const at = file.indexOf(`${key}=`);
  return at === -1 ? '(not written)' : file.slice(at, at + 120);
}

describe('core/dotenv: the readers the tests compare against are installed', () => {
  it('runs Node, dotenv, dotenv-expand, dotenvx, python-dotenv, docker-compose, bash and dash (none skipped)', function () {
    this.timeout(30_000);
    for (const reader of READERS) assert.deepEqual(readWith(reader, "K_READY='yes'\n", PREFIX), { K_READY: 'yes' }, reader);
    assert.match(execFileSync(SYSTEM_PYTHON, ['-c', 'import dotenv; print("ok")'], { encoding: 'utf8' }), /ok/);
  });
});

describe('core/dotenv: formatDotenv, portable (the default)', () => {
  before(() => rmSync(CANARY, { force: true }));
  afterEach(() => assert.equal(existsSync(CANARY), false, 'the canary command ran'));

  it('writes what every reader reads back byte for byte, and nothing any of them runs', function () {
    this.timeout(60_000);
    assertReadBack('portable', writeAll(CORPUS, 'portable'));
  });

  it('writes PEM keys, certificates, JSON and everyday values, which every reader agrees on', () => {
    const { refused } = writeAll(CORPUS, 'portable');
    for (const name of ['PEM', 'CERT', 'JSON', 'JSON_PRETTY', 'JSON_ESCAPES', 'SINGLE_QUOTE', 'DOUBLE_QUOTE', 'QUOTE_NEWLINE',
      'BACKTICKS', 'BREAK_OUT_DOUBLE', 'BREAK_OUT_SINGLE', 'NEXT_LINE_COMMAND', 'TILDE', 'TILDE_PATH', 'HASH', 'SPACES',
      'UNICODE', 'EMPTY', 'URL', 'MULTILINE', 'LOOKS_LIKE_ENTRY', 'BACKSLASH', 'BACKSLASH_N', 'DOLLAR_ALONE', 'DOLLAR_DIGIT', 'DOLLAR_DOLLAR']) {
      assert.equal(refused.get(name), undefined, `${name} was refused (${refused.get(name)})`);
    }
  });

  it('refuses by name, for a reason, what no form carries for every reader', () => {
    const { refused } = writeAll(CORPUS, 'portable');
    const expected: Record<string, DotenvProblem> = {
      BOTH_QUOTES: 'quotes',
      CR: 'carriage-return',
      CRLF: 'carriage-return',
      CMD_SUBST: 'command-substitution',
      CMD_SUBST_QUOTED: 'command-substitution',
      CMD_IN_DEFAULT: 'command-substitution',
      NEXT_LINE_ENTRY: 'command-substitution',
      BACKTICK_AND_QUOTE: 'quotes',
      DOLLAR_NAME: 'expansion',
      DOLLAR_BRACES: 'expansion',
      DOLLAR_ESCAPED: 'expansion',
      TRAILING_BACKSLASH: 'backslash',
      DOUBLE_BACKSLASH: 'backslash',
      REFERENCE_AFTER_DOLLAR: 'command-substitution',
      REFERENCE_BEFORE_PAREN: 'command-substitution',
      NUL: 'nul',
    };
    assert.deepEqual(Object.fromEntries(refused), expected);
  });

  it('round-trips a seeded random corpus through every reader, or refuses each value by name', function () {
    this.timeout(60_000);
    const written = writeAll(randomCorpus(20261201, 400), 'portable');
    assert.ok(Object.keys(written.expected).length > 40, `only ${Object.keys(written.expected).length} written`);
    assertReadBack('portable', written);
  });

  it('checks the whole file before writing anything: one bad value and no file', () => {
    assert.throws(() => formatDotenv({ A: 'fine', B: "it's \"x\"", C: 'fine' }), { key: 'B', reason: 'quotes' });
  });

  it('refuses a key that is not an environment variable name, naming it', () => {
    for (const key of ['1A', 'A-B', 'A B', '', '__proto__', 'É']) {
      assert.throws(() => formatDotenv({ [key]: 'x' }), { code: 'SECRETS_DOTENV_UNREPRESENTABLE', key, reason: 'invalid-key' });
    }
  });

  it('refuses a lone surrogate, which a UTF-8 file cannot hold', () => {
    assert.throws(() => formatDotenv({ A: 'x\ud800' }), { key: 'A', reason: 'lone-surrogate' });
  });

  it('is a SecretsError whose message, stack and JSON never hold the value, and that names the dialect to use', () => {
    const canary = 'CANARY-5d1f0e9a77 "x" \'y\'';
    try {
      formatDotenv({ TOKEN: canary });
      assert.fail('expected an error');
    } catch (err) {
      assert.ok(err instanceof DotenvUnrepresentableError);
      assert.ok(err instanceof SecretsError);
      assert.match(err.message, /"TOKEN"/);
      assert.match(err.message, /dialect/);
      for (const text of [err.message, String(err.stack), JSON.stringify(err)]) assert.ok(!text.includes('CANARY'), text);
    }
  });
});

describe('core/dotenv: formatDotenv for one named reader (dialect)', () => {
  before(() => rmSync(CANARY, { force: true }));
  afterEach(() => assert.equal(existsSync(CANARY), false, 'the canary command ran'));

  const random = randomCorpus(7_2026, 300);
  for (const dialect of DOTENV_DIALECTS.filter((d) => d !== 'portable')) {
    it(`${dialect}: read back exactly by ${READ_BY[dialect].join(', ')}, and run by no reader at all`, function () {
      this.timeout(60_000);
      assertReadBack(dialect, writeAll({ ...CORPUS, ...random }, dialect));
    });
  }

  it('writes in its dialect what the portable form refuses', () => {
    const mustWrite: Record<Exclude<DotenvDialect, 'portable'>, string[]> = {
      node: ['DOLLAR_NAME', 'DOLLAR_BRACES', 'DOLLAR_ESCAPED', 'TRAILING_BACKSLASH', 'DOUBLE_BACKSLASH'],
      dotenv: ['DOLLAR_NAME', 'DOLLAR_BRACES', 'DOLLAR_ESCAPED', 'DOUBLE_BACKSLASH', 'CR', 'CRLF'],
      dotenvx: ['DOLLAR_NAME', 'DOLLAR_BRACES', 'DOLLAR_ESCAPED', 'DOUBLE_BACKSLASH'],
      'python-dotenv': ['DOLLAR_NAME', 'DOLLAR_ESCAPED', 'DOUBLE_BACKSLASH', 'CR', 'CRLF', 'BOTH_QUOTES'],
      compose: ['DOLLAR_NAME', 'DOLLAR_ESCAPED', 'DOUBLE_BACKSLASH', 'CR', 'CRLF', 'BOTH_QUOTES'],
      shell: ['DOLLAR_NAME', 'DOLLAR_BRACES', 'DOLLAR_ESCAPED', 'TRAILING_BACKSLASH', 'DOUBLE_BACKSLASH', 'CR', 'CRLF', 'BOTH_QUOTES'],
    };
    for (const [dialect, names] of Object.entries(mustWrite) as [DotenvDialect, string[]][]) {
      const { refused } = writeAll(Object.fromEntries(names.map((n) => [n, CORPUS[n]!])), dialect);
      assert.deepEqual(Object.fromEntries(refused), {}, `${dialect} refused these`);
    }
  });

  it('shell writes every value but NUL and $(', () => {
    const { refused } = writeAll({ ...CORPUS, ...random }, 'shell');
    for (const [name, reason] of refused) assert.ok(reason === 'nul' || reason === 'command-substitution', `${name}: ${reason}`);
  });

  it('refuses $( in every dialect: dotenv-expand runs it inside any quotes', () => {
    for (const dialect of DOTENV_DIALECTS) {
      assert.throws(() => formatDotenv({ A: `'$(touch ${CANARY})'` }, dialect), { key: 'A', reason: 'command-substitution' });
    }
  });

  it('refuses, in every dialect, a reference next to $ or ( that dotenv-expand would expand into a command it runs', function () {
    this.timeout(30_000);
    const chains = { K_CHAIN: `\${K_DOLLAR}(touch ${CANARY})`, K_PAIR: '$K_DOLLAR$K_PAREN', K_AFTER: '$${K_PAREN}' };
    for (const dialect of DOTENV_DIALECTS) {
      for (const [key, value] of Object.entries(chains)) {
        assert.throws(() => formatDotenv({ K_DOLLAR: '$', K_PAREN: `(touch ${CANARY})`, [key]: value }, dialect), {
          key,
          reason: 'command-substitution',
        });
      }
    }
    // The refusal is needed: written by hand in single quotes, dotenv-expand runs each of them.
    for (const [key, value] of Object.entries(chains)) {
      readWith('dotenv + dotenv-expand', `K_DOLLAR='$'\nK_PAREN='(touch ${CANARY})'\n${key}='${value}'\n`, PREFIX);
      assert.equal(existsSync(CANARY), true, `dotenv-expand did not run ${key}`);
      rmSync(CANARY);
    }
  });
});

describe('core/shell-word: isInertShellWord', () => {
  it('accepts literal words and quoted parts without expansions, refuses anything a shell would expand or run', () => {
    for (const word of ['plain', "'it'\\''s'", '"a\\"b"', "'$(x)'", "'`x`'", '', "'a\nb'"]) assert.ok(isInertShellWord(word), word);
    for (const word of ['~', '$HOME', '"$x"', '"`x`"', '`x`', 'a b', 'a;b', "'open", '"open', 'a\\', 'a\\\nb', '"a\\"', 'x&', '*']) {
      assert.ok(!isInertShellWord(word), word);
    }
  });
});
