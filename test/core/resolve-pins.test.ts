// Pinned references, `${NAME@3}`: looked up as the key `NAME@3` (the bulk reveal's spelling of a pin),
// braces only, and everything else about `$` unchanged.
import assert from 'node:assert/strict';
import { findReferences, MissingReferenceError, ReferenceCycleError, resolveSecrets, resolveText } from '../../core/resolve.ts';

describe('core/resolve: ${NAME@version} pinned references', () => {
  it('resolves ${DB_PASSWORD@3} to the value given for DB_PASSWORD@3, beside the current DB_PASSWORD', () => {
    const out = resolveSecrets({ URL: 'postgres://u:${DB_PASSWORD@3}@h/now=$DB_PASSWORD', DB_PASSWORD: 'current', 'DB_PASSWORD@3': 'third' });
    assert.equal(out.URL, 'postgres://u:third@h/now=current');
    assert.equal(resolveText('x=${DB_PASSWORD@3};', { 'DB_PASSWORD@3': 'third' }), 'x=third;');
  });

  it('names the pin when its version was not given, or keeps it as written with onMissing: keep', () => {
    assert.throws(() => resolveSecrets({ A: '${B@2}', B: 'b' }), (err: unknown) => err instanceof MissingReferenceError && err.missing === 'B@2' && err.secret === 'A');
    assert.equal(resolveSecrets({ A: 'x${B@2}y' }, { onMissing: 'keep' }).A, 'x${B@2}y');
  });

  it('leaves as written every $ that does not start a pinned name: $NAME@3, ${A@}, ${A@0}, ${A@x}, ${A@3 and $$', () => {
    const values = { A: 'a', 'A@3': 'pinned' };
    assert.equal(resolveText('$A@3', values), 'a@3', 'without braces the pin is plain text after $A');
    for (const literal of ['${A@}', '${A@0}', '${A@x}', '${A@3', '${A@-1}', '${@3}']) assert.equal(resolveText(literal, values), literal, literal);
    assert.equal(resolveText('$${A@3}', values), '${A@3}');
  });

  it('reports a pin in a cycle by its pinned name, and finds pins with their offsets', () => {
    assert.throws(() => resolveSecrets({ 'A@1': '${B}', B: '${A@1}' }), (err: unknown) => err instanceof ReferenceCycleError && err.cycle.join(',') === 'A@1,B,A@1');
    assert.deepEqual(findReferences('x ${DB@12} y'), [{ name: 'DB', version: 12, start: 2, end: 10 }]);
  });
});
