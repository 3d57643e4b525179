import assert from 'node:assert/strict';
import dotenv from 'dotenv';
import { SecretsError } from '../../core/errors.ts';
import { DotenvUnrepresentableError, formatDotenv, parseDotenv } from '../../core/dotenv.ts';
import { prng } from '../helpers/prng.ts';

// Every file is read by the three parsers we promise compatibility with.
const PARSERS: [string, (text: string) => Record<string, string>][] = [
  ['dotenv.parse', (text) => dotenv.parse(text)],
  ['dotenv.parse fast', (text) => dotenv.parse(text, { fast: true })],
  ['parseDotenv', (text) => parseDotenv(text)],
];

// Lines after an entry that catch a value whose closing quote dotenv would take as escaped: it would then
// run on to the next quote that ends a line, and swallow these.
const TRAPS = "TRAP_S='#'\nTRAP_D=\"#\"\nTRAP_B=`#`\n";
const TRAP_VALUES = { TRAP_S: '#', TRAP_D: '#', TRAP_B: '#' };

function assertRoundTrip(entries: Record<string, string>): string {
  const file = formatDotenv(entries) + TRAPS;
  for (const [name, parse] of PARSERS) {
    assert.deepEqual(parse(file), { ...entries, ...TRAP_VALUES }, `${name} read back something else from:\n${file}`);
  }
  return file;
}

function readsBackUnderEveryParser(file: string, expected: Record<string, string>): boolean {
  return PARSERS.every(([, parse]) => {
    try {
      assert.deepEqual(parse(file), expected);
      return true;
    } catch {
      return false;
    }
  });
}

/** No way of writing `value` that dotenv understands reads back exactly, so refusing it was right. */
function assertRefusalJustified(value: string, reason: string): void {
  const escaped = `"${value.replaceAll('\n', '\\n').replaceAll('\r', '\\r')}"`;
  for (const attempt of [value, `'${value}'`, `\`${value}\``, `"${value}"`, escaped]) {
    const candidate = `K=${attempt}\n${TRAPS}`;
    assert.equal(
      readsBackUnderEveryParser(candidate, { K: value, ...TRAP_VALUES }),
      false,
      `refused ${JSON.stringify(value)} (${reason}), yet dotenv reads ${JSON.stringify(attempt)} back exactly`,
    );
  }
}


// Weighted towards whatever has a meaning to a dotenv parser or a shell.
const PIECES = [
  'a', 'Z', '0', 'n', 'r', 'x', ' ', ' ', '\t', '\n', '\n', '\r', '\r\n', '#', '#', '=', ':', '$', '${A}',
  "'", "'", '"', '"', '`', '`', '\\', '\\', '\\n', '\\r', '\\"', "\\'", 'export ', 'é', '日本', '🔑',
  '\u00a0', '\u2028', '\u2029', '\ufeff', '\u0000', '\u000b', '{', '}', ',', '/',
];

function randomValue(next: () => number): string {
  const length = Math.floor(next() * 14);
  let value = '';
  for (let i = 0; i < length; i++) value += PIECES[Math.floor(next() * PIECES.length)];
  return value;
}

describe('core/dotenv: formatDotenv', () => {
  it('writes one KEY=value line per entry, in order, plain tokens unquoted, ending with a newline', () => {
    assert.equal(
      formatDotenv({ HOST: 'db.internal', PORT: '5432', URL: 'https://x.test/a?b=c', EMPTY: '', B64: 'aGk+Pw==' }),
      'HOST=db.internal\nPORT=5432\nURL=\'https://x.test/a?b=c\'\nEMPTY=\nB64=aGk+Pw==\n',
    );
  });

  it('writes nothing for no entries', () => {
    assert.equal(formatDotenv({}), '');
  });

  it('quotes with single quotes first, backticks when the value has a single quote, double quotes for a carriage return', () => {
    assert.equal(formatDotenv({ A: 'two words' }), "A='two words'\n");
    assert.equal(formatDotenv({ A: 'line1\nline2' }), "A='line1\nline2'\n");
    assert.equal(formatDotenv({ A: "it's" }), 'A=`it\'s`\n');
    assert.equal(formatDotenv({ A: "it's `x`" }), 'A="it\'s `x`"\n');
    assert.equal(formatDotenv({ A: 'a\r\nb' }), 'A="a\\r\\nb"\n');
  });

  it('keeps a $ literal inside single quotes, where docker compose and shells do not expand it either', () => {
    assert.equal(formatDotenv({ A: '$HOME ${X}' }), "A='$HOME ${X}'\n");
  });

  const edgeCases: Record<string, string> = {
    EMPTY: '',
    SPACE: ' ',
    PLAIN: 'plain',
    WORDS: 'with space',
    LEADING: '   leading',
    TRAILING: 'trailing   ',
    TABS: '\tx\t',
    HASH: 'a#b',
    HASH_START: '#start',
    HASH_SPACED: 'a # not a comment',
    EQUALS: 'a=b=c',
    ONLY_EQUALS: '=',
    DOLLARS: '$HOME ${X} $$ $',
    SINGLE: "it's",
    SINGLE_ONLY: "'",
    DOUBLE: 'say "hi"',
    DOUBLE_ONLY: '"',
    BACKTICK: 'run `ls`',
    BACKTICK_ONLY: '`',
    SINGLE_AND_DOUBLE: `it's "x"`,
    SINGLE_AND_BACKTICK: "it's `x`",
    ALL_QUOTES_ESCAPED: `\\' \\" \\\``,
    QUOTED_SINGLE: "'quoted'",
    QUOTED_DOUBLE: '"quoted"',
    QUOTED_BACKTICK: '`quoted`',
    MULTILINE: 'line1\nline2\nline3',
    CRLF: 'line1\r\nline2',
    CR_ONLY: 'a\rb',
    CR_AND_QUOTES: "it's `x`\r\n",
    NEWLINE_END: 'value\n',
    NEWLINE_START: '\nvalue',
    NEWLINES_ONLY: '\n\n',
    BACKSLASH: 'back\\slash',
    WINDOWS_DIR: 'C:\\Program Files\\',
    BACKSLASH_END: 'ends\\',
    LITERAL_BACKSLASH_N: 'not a newline: \\n',
    LITERAL_BACKSLASH_N_MULTILINE: 'literal \\n and a real\nnewline',
    BACKSLASH_NEWLINE: 'a\\\nb',
    UNICODE: 'héllo wörld 🔑 日本語',
    LINE_SEPARATOR: 'a\u2028b\u2029c',
    NBSP_AROUND: '\u00a0nbsp\u00a0',
    BOM: '\ufeffbom',
    NUL: 'a\u0000b',
    LOOKS_LIKE_ENTRY: 'X=1\nINJECTED=yes',
    LOOKS_LIKE_EXPORT: 'export X=1',
    LOOKS_LIKE_COMMENT: '# comment\nY=2',
    JSON: '{"a":"b","c":[1,2],"d":"it\'s"}',
    PEM: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n',
    LONG: 'x'.repeat(70_000),
  };

  for (const [key, value] of Object.entries(edgeCases)) {
    it(`round-trips ${key} (${JSON.stringify(value.slice(0, 40))}) through dotenv, dotenv fast and parseDotenv`, () => {
      assertRoundTrip({ [key]: value });
    });
  }

  it('round-trips all the edge cases together in one file', () => {
    assertRoundTrip(edgeCases);
  });

  it('round-trips thousands of generated values, alone and many to a file, or refuses them for a reason that holds', () => {
    const next = prng(20261123);
    let written = 0;
    let refused = 0;
    const batch: Record<string, string> = {};
    for (let i = 0; i < 3000; i++) {
      const value = randomValue(next);
      const key = `K${i}`;
      let file: string;
      try {
        file = assertRoundTrip({ [key]: value });
      } catch (err) {
        if (!(err instanceof DotenvUnrepresentableError)) throw err;
        refused++;
        assertRefusalJustified(value, err.reason);
        continue;
      }
      assert.ok(file.length > 0);
      written++;
      batch[key] = value;
    }
    // Every written value again, all in one file: one entry must not disturb the next.
    assertRoundTrip(batch);
    assert.ok(written > 2000, `only ${written} of 3000 generated values were representable`);
    assert.ok(refused > 0, 'the generator never produced an unrepresentable value, so the refusal path went untested');
  });

  it('refuses a key that is not an environment variable name, naming it', () => {
    for (const key of ['my-key', '1A', '', 'A B', 'A.B', 'É', '__proto__']) {
      assert.throws(() => formatDotenv({ [key]: 'v' }), {
        name: 'DotenvUnrepresentableError',
        code: 'SECRETS_DOTENV_UNREPRESENTABLE',
        reason: 'invalid-key',
        key,
        message: `Cannot write ${JSON.stringify(key)} to a .env file: the key is not an environment variable name (letters, digits and _, not starting with a digit)`,
      });
    }
    assert.equal(formatDotenv({ _a1: 'v', lower_case: 'w' }), '_a1=v\nlower_case=w\n');
  });

  it('refuses a carriage return in a value that double quotes would change', () => {
    for (const value of ['literal \\n\r', 'x\\r\ry', 'say "hi" #1\r', '"\u2028\r', 'ends\r\\']) {
      assert.throws(() => formatDotenv({ A: value }), {
        code: 'SECRETS_DOTENV_UNREPRESENTABLE',
        reason: 'carriage-return',
        message:
          'Cannot write "A" to a .env file: the value contains a carriage return, which dotenv keeps only as \\r in double quotes, and double quotes would change this value (it also has a literal \\n or \\r, a trailing backslash, or a " not preceded by a backslash together with a # or a Unicode line separator)',
      });
      assertRefusalJustified(value, 'carriage-return');
    }
  });

  it('refuses a value that needs quotes and ends with a backslash', () => {
    for (const value of ['line\\\nend\\', ' padded\\', '#hash\\']) {
      assert.throws(() => formatDotenv({ A: value }), {
        reason: 'trailing-backslash',
        message:
          'Cannot write "A" to a .env file: the value needs quotes and ends with a backslash, which dotenv reads as escaping the closing quote',
      });
      assertRefusalJustified(value, 'trailing-backslash');
    }
  });

  it('refuses a value that needs quotes and holds every quote character unescaped', () => {
    for (const value of ["'\"` #", "multi\nline ' ` \\n", "' ` \" #"]) {
      assert.throws(() => formatDotenv({ A: value }), {
        reason: 'no-quoting',
        message:
          'Cannot write "A" to a .env file: the value needs quotes, and every kind dotenv has would change it (it has \' and ` not preceded by a backslash, a line break or #, and a " or a literal \\n or \\r that double quotes would change)',
      });
      assertRefusalJustified(value, 'no-quoting');
    }
  });

  it('refuses a lone surrogate, which a UTF-8 file cannot hold', () => {
    assert.throws(() => formatDotenv({ A: 'x\ud800 y' }), {
      reason: 'lone-surrogate',
      message: 'Cannot write "A" to a .env file: the value contains a lone UTF-16 surrogate, which a UTF-8 file cannot hold',
    });
  });

  it('is a SecretsError whose message, stack and JSON never hold the value', () => {
    const canary = 'CANARY-91c2 # "x"\r';
    try {
      formatDotenv({ TOKEN: canary });
      assert.fail('expected an error');
    } catch (err) {
      assert.ok(err instanceof DotenvUnrepresentableError);
      assert.ok(err instanceof SecretsError);
      for (const text of [err.message, String(err.stack), JSON.stringify(err)]) assert.ok(!text.includes('CANARY'), text);
    }
  });
});

describe('core/dotenv: parseDotenv reads files as dotenv does', () => {
  const files: Record<string, string> = {
    'comments and blank lines': '# header\n\nA=1\n   # indented comment\nB=2 # trailing comment\n\n',
    'export prefix and spaces around =': 'export A=1\n  B = two words  \nexport   C="x"\n',
    'colon form': 'A: 1\nB:2\n',
    'CRLF line endings': 'A=1\r\nB="x\\ny"\r\nC=\'multi\r\nline\'\r\n',
    'a lone CR as line end': 'A=1\rB=2\r',
    'duplicate keys, last wins': 'A=1\nB=2\nA=3\n',
    'unclosed quotes': 'A="open\nB=2\nC=\'x\n',
    'double quotes expand \\n and \\r only': 'A="a\\nb\\rc\\td\\\\e"\nB=\'a\\nb\'\nC=`a\\nb`\nD=a\\nb\n',
    'escaped quotes stay escaped': 'A="say \\"hi\\""\nB=\'it\\\'s\'\n',
    'inline comment after quotes': 'A="x" # c\nB=\'y\'#c\n',
    'hash without space cuts an unquoted value': 'A=abc#def\n',
    'empty values': 'A=\nB=""\nC=\'\'\nD=   \n',
    'matching quotes around an unquoted value': 'A="x" y"\n',
    'keys with dots and dashes': 'a.b=1\nc-d=2\n',
    'lines that are not entries': 'just words\n=novalue\nA=1\n',
    'empty file': '',
    'value on the next line after =': 'A=\n"x"\nB=2\n',
  };
  for (const [name, file] of Object.entries(files)) {
    it(`matches dotenv.parse on ${name}`, () => {
      const expected = dotenv.parse(file);
      assert.deepEqual(parseDotenv(file), { ...expected });
      assert.deepEqual(dotenv.parse(file, { fast: true }), expected, 'dotenv disagrees with itself here');
    });
  }

  it('reads a value written by formatDotenv back exactly, CRs included', () => {
    const entries = { A: 'x\r\ny', B: "it's", C: '  pad  ', D: 'a#b' };
    assert.deepEqual(parseDotenv(formatDotenv(entries)), entries);
  });

  it('keeps a key named __proto__ as an own property rather than a prototype', () => {
    const parsed = parseDotenv('__proto__=x\n');
    assert.equal(Object.getOwnPropertyDescriptor(parsed, '__proto__')?.value, 'x');
    assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
  });

  it('reads a large file in one pass', () => {
    const lines: string[] = [];
    for (let i = 0; i < 50_000; i++) lines.push(`K${i}='value ${i} # not a comment'`);
    const parsed = parseDotenv(lines.join('\n'));
    assert.equal(Object.keys(parsed).length, 50_000);
    assert.equal(parsed.K49999, 'value 49999 # not a comment');
  });

  it('reads 100,000 unquoted values, a comment only on the last line', () => {
    const lines: string[] = [];
    for (let i = 0; i < 100_000; i++) lines.push(`K${i}=value-${i}`);
    lines.push('LAST=x # comment');
    const parsed = parseDotenv(lines.join('\n'));
    assert.equal(parsed.K99999, 'value-99999');
    assert.equal(parsed.LAST, 'x');
  });
});
