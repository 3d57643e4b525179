import assert from 'node:assert/strict';
import dotenv from 'dotenv';
import { formatDotenv } from '../../core/dotenv.ts';
import { parseDotenv } from '../../core/dotenv-parse.ts';
import { prng } from '../helpers/prng.ts';

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
    assert.deepEqual(parseDotenv(formatDotenv(entries, 'dotenv')), entries);
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

describe('core/dotenv: parseDotenv agrees with dotenv on what the writer emits', () => {
  const PIECES = ['a', ' ', '\n', '\r\n', '\r', '#', '=', '$', "'", '"', '`', '\\', '\\n', 'é', '\u2028', '\t'];
  it('reads back thousands of seeded random values written for dotenv exactly as dotenv.parse does', () => {
    const next = prng(20261201);
    const entries: Record<string, string> = {};
    for (let i = 0; i < 3000; i++) {
      let value = '';
      for (let j = Math.floor(next() * 10); j > 0; j--) value += PIECES[Math.floor(next() * PIECES.length)];
      try {
        formatDotenv({ [`K${i}`]: value }, 'dotenv');
        entries[`K${i}`] = value;
      } catch {
        // Refusals are proven against the real readers in dotenv.test.ts.
      }
    }
    const file = formatDotenv(entries, 'dotenv');
    assert.deepEqual(dotenv.parse(file), entries);
    assert.deepEqual(parseDotenv(file), entries);
  });
});
