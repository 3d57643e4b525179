import assert from 'node:assert/strict';
import { findReferences, hasReferenceSyntax, isReferenceName, parseTemplate } from '../../core/references.ts';

describe('core/references: the $NAME syntax', () => {
  it('finds $NAME and ${NAME} with the offsets of the whole reference, $ to end of name or }', () => {
    const text = 'postgres://$DB_USER:${DB_PASSWORD}@$DB_HOST:$DB_PORT/app';
    assert.deepEqual(findReferences(text), [
      { name: 'DB_USER', start: 11, end: 19 },
      { name: 'DB_PASSWORD', start: 20, end: 34 },
      { name: 'DB_HOST', start: 35, end: 43 },
      { name: 'DB_PORT', start: 44, end: 52 },
    ]);
    for (const ref of findReferences(text)) assert.match(text.slice(ref.start, ref.end), /^\$\{?[A-Z_]+\}?$/);
  });

  it('takes the longest run of name characters after a bare $, so ${NAME} is how a name is followed by letters', () => {
    assert.deepEqual(findReferences('$HOST_backup.tar'), [{ name: 'HOST_backup', start: 0, end: 12 }]);
    assert.deepEqual(findReferences('${HOST}_backup'), [{ name: 'HOST', start: 0, end: 7 }]);
  });

  it('accepts lower-case names and digits after the first character', () => {
    assert.deepEqual(
      findReferences('$a1 $_x ${b2_c}').map((r) => r.name),
      ['a1', '_x', 'b2_c'],
    );
  });

  it('skips $$, the escape for a literal $, including when a name follows it', () => {
    assert.deepEqual(findReferences('$$NAME costs $$5'), []);
    // `$$$A` is a literal $ then a reference; `$$$$A` is two literal $ then the letter A.
    assert.deepEqual(findReferences('$$$A'), [{ name: 'A', start: 2, end: 4 }]);
    assert.deepEqual(findReferences('$$$$A'), []);
  });

  it('leaves a $ that does not start a name literal: digits, spaces, punctuation, an empty or unclosed brace, the end', () => {
    for (const text of ['$5', 'a $ b', '$-x', '${}', '${1A}', '${A-B}', '${A', '${ A }', 'end$', '$']) {
      assert.deepEqual(findReferences(text), [], text);
    }
  });

  it('reads on after a literal $ so a reference right behind it is still found', () => {
    assert.deepEqual(findReferences('${$A}'), [{ name: 'A', start: 2, end: 4 }]);
    assert.deepEqual(findReferences('$5$B'), [{ name: 'B', start: 2, end: 4 }]);
  });

  it('reports offsets in UTF-16 code units, as editors count them', () => {
    const text = '🔑é $KEY';
    const [ref] = findReferences(text);
    assert.deepEqual(ref, { name: 'KEY', start: 4, end: 8 });
    assert.equal(text.slice(ref!.start, ref!.end), '$KEY');
  });

  it('splits a text into literals (with $$ collapsed) around its references', () => {
    assert.deepEqual(parseTemplate('a$$b $X-${Y}$ $$'), {
      literals: ['a$b ', '-', '$ $'],
      references: [
        { name: 'X', start: 5, end: 7 },
        { name: 'Y', start: 8, end: 12 },
      ],
    });
    assert.deepEqual(parseTemplate(''), { literals: [''], references: [] });
    assert.deepEqual(parseTemplate('no refs'), { literals: ['no refs'], references: [] });
  });

  it('tells whether a text has anything the resolver would change', () => {
    assert.equal(hasReferenceSyntax('price $5, ${}'), false);
    assert.equal(hasReferenceSyntax('$$'), true);
    assert.equal(hasReferenceSyntax('x $A'), true);
  });

  it('recognizes reference names', () => {
    assert.equal(isReferenceName('DB_HOST'), true);
    assert.equal(isReferenceName('_a9'), true);
    assert.equal(isReferenceName('9A'), false);
    assert.equal(isReferenceName('A-B'), false);
    assert.equal(isReferenceName(''), false);
  });

  it('scans a long run of $ signs and a megabyte of text in one pass', () => {
    // A backtracking pattern would take quadratic time on these; the scanner reads each character once.
    const dollars = '$'.repeat(200_001);
    assert.deepEqual(findReferences(dollars), []);
    assert.equal(parseTemplate(dollars).literals[0]!.length, 100_001);
    const many = '${A'.repeat(300_000);
    assert.deepEqual(findReferences(many), []);
  });
});
