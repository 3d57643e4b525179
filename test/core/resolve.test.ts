import assert from 'node:assert/strict';
import { SecretsError } from '../../core/errors.ts';
import {
  DEFAULT_MAX_VALUE_LENGTH,
  MissingReferenceError,
  ReferenceCycleError,
  ResolvedValueTooLargeError,
  resolveSecrets,
  resolveText,
} from '../../core/resolve.ts';

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof Error);
    return err;
  }
  assert.fail('expected an error');
}

describe('core/resolve: $NAME references between secrets', () => {
  it('resolves the connection string from the issue', () => {
    const out = resolveSecrets({
      DATABASE_URL: 'postgres://$DB_USER:${DB_PASSWORD}@$DB_HOST:$DB_PORT/app',
      DB_USER: 'app',
      DB_PASSWORD: 's3cret',
      DB_HOST: 'db.internal',
      DB_PORT: '5432',
    });
    assert.equal(out.DATABASE_URL, 'postgres://app:s3cret@db.internal:5432/app');
    assert.equal(out.DB_PASSWORD, 's3cret');
  });

  it('returns every key, in the input order, and leaves the input untouched', () => {
    const input = { Z: '$A!', A: 'a', M: 'plain' };
    const copy = { ...input };
    const out = resolveSecrets(input);
    assert.deepEqual(Object.keys(out), ['Z', 'A', 'M']);
    assert.deepEqual(out, { Z: 'a!', A: 'a', M: 'plain' });
    assert.deepEqual(input, copy);
  });

  it('uses ${NAME} to end a name before more name characters', () => {
    assert.equal(resolveSecrets({ A: '${HOST}_backup', HOST: 'h' }).A, 'h_backup');
    assert.throws(() => resolveSecrets({ A: '$HOST_backup', HOST: 'h' }), {
      message: 'Secret A references HOST_backup, which is not a secret in this environment',
    });
  });

  it('turns $$ into a literal $, also right before a name', () => {
    assert.deepEqual(resolveSecrets({ A: 'pa$$word $$B costs $$5 $$$B', B: 'b' }), { A: 'pa$word $B costs $5 $b', B: 'b' });
  });

  it('leaves a $ that does not start a name as written', () => {
    const value = 'price $5, regex ^a$, ${}, ${1A}, ${A-B}, ${A unclosed, trailing $';
    assert.equal(resolveSecrets({ A: value, A_B: 'no' }).A, value);
  });

  it('resolves chains, whatever order the secrets come in', () => {
    const out = resolveSecrets({ A: '[$B]', B: '($C)', C: '{${D}}', D: 'd' });
    assert.deepEqual(out, { A: '[({d})]', B: '({d})', C: '{d}', D: 'd' });
    assert.deepEqual(resolveSecrets({ D: 'd', C: '{${D}}', B: '($C)', A: '[$B]' }).A, '[({d})]');
  });

  it('inserts a resolved value as it is, without reading references in it again', () => {
    // B's `$$X` resolves to `$X`; pasted into A it must stay `$X`, not become a reference to X.
    assert.deepEqual(resolveSecrets({ A: 'a:$B', B: '$$X', X: 'no' }), { A: 'a:$X', B: '$X', X: 'no' });
  });

  it('resolves a secret referenced many times once, and references to it see the same value', () => {
    const out = resolveSecrets({ A: '$C$C', B: '${C}-${C}', C: '$D', D: 'd' });
    assert.deepEqual(out, { A: 'dd', B: 'd-d', C: 'd', D: 'd' });
  });

  it('resolves a chain in which every secret adds to the next without copying it at each link', () => {
    // 20,000 links of 8 characters: the results total 1.6 billion characters if each is copied out.
    const values: Record<string, string> = {};
    const n = 20_000;
    for (let i = 0; i < n - 1; i++) values[`K${i}`] = `${String(i).padStart(7, '0')}/$K${i + 1}`;
    values[`K${n - 1}`] = 'end';
    const out = resolveSecrets(values);
    assert.equal(out.K0!.length, 8 * (n - 1) + 3);
    assert.ok(out.K0!.startsWith('0000000/0000001/'));
    assert.ok(out.K0!.endsWith('/0019998/end'));
  });

  it('resolves a chain of 100,000 references without overflowing the stack', () => {
    const values: Record<string, string> = {};
    const n = 100_000;
    for (let i = 0; i < n - 1; i++) values[`K${i}`] = `$K${i + 1}`;
    values[`K${n - 1}`] = 'end';
    const out = resolveSecrets(values);
    assert.equal(out.K0, 'end');
    assert.equal(out[`K${n / 2}`], 'end');
  });

  it('names the whole cycle in order, first key repeated last', () => {
    const err = thrown(() => resolveSecrets({ A: 'x$B', B: 'y${A}' }));
    assert.ok(err instanceof ReferenceCycleError);
    assert.ok(err instanceof SecretsError);
    assert.equal(err.code, 'SECRETS_REFERENCE_CYCLE');
    assert.equal(err.message, 'Secret references form a cycle: A → B → A');
    assert.deepEqual(err.cycle, ['A', 'B', 'A']);
  });

  it('reports a self-reference as A → A', () => {
    const err = thrown(() => resolveSecrets({ A: 'again $A' }));
    assert.equal(err.message, 'Secret references form a cycle: A → A');
    assert.deepEqual((err as ReferenceCycleError).cycle, ['A', 'A']);
  });

  it('reports only the secrets on the cycle when it is reached through others', () => {
    const err = thrown(() => resolveSecrets({ ENTRY: '$A', A: '$B', B: '$C', C: '$A' }));
    assert.equal(err.message, 'Secret references form a cycle: A → B → C → A');
  });

  it('names the secret holding the reference and the missing name', () => {
    const err = thrown(() => resolveSecrets({ DATABASE_URL: 'postgres://$DB_USER@h', DB_USER: '${DB_USR}' }));
    assert.ok(err instanceof MissingReferenceError);
    assert.ok(err instanceof SecretsError);
    assert.equal(err.code, 'SECRETS_REFERENCE_MISSING');
    assert.equal(err.message, 'Secret DB_USER references DB_USR, which is not a secret in this environment');
    assert.equal(err.secret, 'DB_USER');
    assert.equal(err.missing, 'DB_USR');
  });

  it('matches names case-sensitively', () => {
    assert.throws(() => resolveSecrets({ A: '$db', DB: 'x' }), {
      message: 'Secret A references db, which is not a secret in this environment',
    });
  });

  it('with onMissing "keep", leaves missing references exactly as written and resolves the rest', () => {
    const out = resolveSecrets({ A: '$NOPE ${NOPE} $B ${B}', B: 'b' }, { onMissing: 'keep' });
    assert.equal(out.A, '$NOPE ${NOPE} b b');
  });

  it('with onMissing "keep", still reports a cycle', () => {
    assert.throws(() => resolveSecrets({ A: '$B', B: '$A' }, { onMissing: 'keep' }), {
      message: 'Secret references form a cycle: A → B → A',
    });
  });

  it('never turns a missing reference into an empty string', () => {
    assert.throws(() => resolveSecrets({ A: 'x$MISSING' }), MissingReferenceError);
    assert.notEqual(resolveSecrets({ A: 'x$MISSING' }, { onMissing: 'keep' }).A, 'x');
  });

  it('treats an empty value as a value, not as missing', () => {
    assert.deepEqual(resolveSecrets({ A: '<$E>', E: '' }), { A: '<>', E: '' });
  });

  it('accepts values in an object without a prototype', () => {
    const values = Object.assign(Object.create(null) as Record<string, string>, { A: '$B!', B: 'b', toString: '$B' });
    assert.deepEqual(resolveSecrets(values), { A: 'b!', B: 'b', toString: 'b' });
    assert.equal(resolveText('${A} $toString', values), 'b! b');
  });

  it('does not take names from Object.prototype for secrets', () => {
    assert.throws(() => resolveSecrets({ A: '$toString $constructor' }), {
      message: 'Secret A references toString, which is not a secret in this environment',
    });
  });

  it('resolves a key named __proto__ as ordinary data', () => {
    const values = JSON.parse('{"__proto__": "p", "A": "$__proto__"}') as Record<string, string>;
    const out = resolveSecrets(values);
    assert.equal(Object.getOwnPropertyDescriptor(out, '__proto__')?.value, 'p');
    assert.equal(out.A, 'p');
  });

  it('stops exponentially growing references with a typed error instead of exhausting memory', () => {
    const values: Record<string, string> = { L0: 'xxxxxxxx' };
    for (let i = 1; i <= 40; i++) values[`L${i}`] = `$L${i - 1}$L${i - 1}`;
    const err = thrown(() => resolveSecrets(values));
    assert.ok(err instanceof ResolvedValueTooLargeError);
    assert.equal(err.code, 'SECRETS_REFERENCE_TOO_LARGE');
    // 8 · 2^17 = 1 MiB exactly still fits; L18 is the first that does not.
    assert.equal(err.secret, 'L18');
    assert.equal(
      err.message,
      `Secret L18 resolves to more than ${DEFAULT_MAX_VALUE_LENGTH} characters; check its references for repeated expansion`,
    );
  });

  it('honours a smaller maxValueLength', () => {
    assert.equal(resolveSecrets({ A: '$B$B', B: '12345' }, { maxValueLength: 10 }).A, '1234512345');
    assert.throws(() => resolveSecrets({ A: '$B$B!', B: '12345' }, { maxValueLength: 10 }), {
      message: 'Secret A resolves to more than 10 characters; check its references for repeated expansion',
    });
  });

  it('puts no value into any resolver error, its stack or its JSON form', () => {
    const canary = 'CANARY-7f3a9c';
    const cases = [
      () => resolveSecrets({ A: `${canary}$B`, B: `${canary}$A` }),
      () => resolveSecrets({ A: `${canary}$NOPE` }),
      () => resolveSecrets({ A: `$B$B`, B: canary }, { maxValueLength: 5 }),
      () => resolveText(`${canary} $NOPE`, { A: canary }),
      () => resolveText('$A', { A: `$B$B`, B: canary }, { maxValueLength: 5 }),
    ];
    for (const run of cases) {
      const err = thrown(run);
      for (const text of [err.message, String(err.stack), JSON.stringify(err), String(err)]) {
        assert.ok(!text.includes(canary), text);
      }
    }
  });
});

describe('core/resolve: resolveText for templates and workflow inputs', () => {
  const values = { DB_USER: 'app', DB_PASSWORD: 'pw', DATABASE_URL: 'postgres://$DB_USER:$DB_PASSWORD@h' };

  it('replaces references in a text with fully resolved values', () => {
    assert.equal(resolveText('url=${DATABASE_URL}\nuser=$DB_USER\n', values), 'url=postgres://app:pw@h\nuser=app\n');
  });

  it('turns $$ into $ and leaves other $ alone', () => {
    assert.equal(resolveText('cost: $$5 and $5, ${} $', values), 'cost: $5 and $5, ${} $');
  });

  it('returns a text without references unchanged', () => {
    assert.equal(resolveText('nothing here', values), 'nothing here');
    assert.equal(resolveText('', values), '');
  });

  it('reports a missing reference in the text itself, with no secret named', () => {
    const err = thrown(() => resolveText('hello $NAME', values));
    assert.ok(err instanceof MissingReferenceError);
    assert.equal(err.message, 'The text references NAME, which is not a secret in this environment');
    assert.equal(err.secret, null);
    assert.equal(err.missing, 'NAME');
  });

  it('keeps missing references as written with onMissing "keep"', () => {
    assert.equal(resolveText('${GITHUB_SHA} $DB_USER $HOME', values, { onMissing: 'keep' }), '${GITHUB_SHA} app $HOME');
  });

  it('resolves only the secrets the text reaches, so a broken secret elsewhere does not matter', () => {
    const broken = { ...values, LOOP: '$LOOP', DANGLING: '$NOWHERE' };
    assert.equal(resolveText('$DB_USER', broken), 'app');
    assert.throws(() => resolveText('$LOOP', broken), { message: 'Secret references form a cycle: LOOP → LOOP' });
    assert.throws(() => resolveText('$DANGLING', broken), {
      message: 'Secret DANGLING references NOWHERE, which is not a secret in this environment',
    });
  });

  it('limits the secrets a text pulls in, not the text itself', () => {
    assert.equal(resolveText('$A$A$A', { A: 'abcd' }, { maxValueLength: 10 }), 'abcdabcdabcd');
    assert.throws(() => resolveText('$A', { A: '$B$B$B', B: 'abcd' }, { maxValueLength: 10 }), {
      message: 'Secret A resolves to more than 10 characters; check its references for repeated expansion',
    });
  });

  it('resolves a template of 100,000 references, several megabytes long', () => {
    const values: Record<string, string> = {};
    const lines: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      values[`K${i}`] = `value-${i}`;
      lines.push(`K${i}=\${K${i}}`);
    }
    const out = resolveText(lines.join('\n'), values).split('\n');
    assert.equal(out.length, 100_000);
    assert.equal(out[99_999], 'K99999=value-99999');
  });
});
