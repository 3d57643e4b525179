import assert from 'node:assert/strict';
import { compileRedactor, isTooShortToMask, maskForms, maskFormsOf, MIN_MASK_LENGTH, redact, REDACTED } from '../../core/mask.ts';

describe('core/mask: the strings a log masker must hide', () => {
  // Expected forms were computed independently (Python's base64, urllib.parse and json modules).
  const value = 's3cr3t pa$$/wörd+"~?>';

  it('lists the value and its base64, base64url, URL-encoded, form-encoded, JSON-escaped and hex forms', () => {
    const forms = maskForms(value);
    assert.equal(forms[0], value);
    for (const form of [
      'czNjcjN0IHBhJCQvd8O2cmQrIn4/Pg==', // base64
      'czNjcjN0IHBhJCQvd8O2cmQrIn4_Pg', // base64url, unpadded
      's3cr3t%20pa%24%24%2Fw%C3%B6rd%2B%22~%3F%3E', // encodeURIComponent
      's3cr3t+pa%24%24%2Fw%C3%B6rd%2B%22%7E%3F%3E', // application/x-www-form-urlencoded
      's3cr3t pa$$/wörd+\\"~?>', // JSON string body
      '73336372337420706124242f77c3b672642b227e3f3e', // hex, lower case
    ]) {
      assert.ok(forms.includes(form), `missing ${form}`);
    }
  });

  it('lists the base64 characters that stay the same inside a longer base64 text, at each byte alignment', () => {
    const forms = maskForms(value);
    for (const inner of ['czNjcjN0IHBhJCQvd8O2cmQrIn4/P', 'MzY3IzdCBwYSQkL3fDtnJkKyJ+Pz', 'zM2NyM3QgcGEkJC93w7ZyZCsifj8+']) {
      assert.ok(forms.includes(inner), `missing ${inner}`);
    }
  });

  it('hides a token inside a Basic authorization header, whatever comes before it', () => {
    const token = 'ghp_CANARY0123456789abcdef';
    for (const user of ['u', 'us', 'usr', 'x-access-token']) {
      const header = `Authorization: Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`;
      const masked = redact(header, maskForms(token));
      // Only the few base64 characters that straddle the user name and the token may survive.
      assert.match(masked, /^Authorization: Basic [A-Za-z0-9+/]*\*\*\*[A-Za-z0-9+/=]{0,4}$/, masked);
      const before = masked.slice('Authorization: Basic '.length, masked.indexOf(REDACTED));
      assert.ok(before.length <= Math.ceil(((user.length + 1) * 8) / 6), masked);
    }
  });

  it('adds each trimmed line of a multi-line value, skipping short and punctuation-only lines', () => {
    const pem = '-----BEGIN KEY-----\r\n  MIIEvQIBADANBgkqhkiG9w0BAQEFAASC  \n}\n\nab\n  {\n-----END KEY-----\n';
    const forms = maskForms(pem);
    assert.ok(forms.includes('-----BEGIN KEY-----'));
    assert.ok(forms.includes('MIIEvQIBADANBgkqhkiG9w0BAQEFAASC'));
    assert.ok(forms.includes('-----END KEY-----'));
    for (const trivial of ['}', '{', 'ab', '']) assert.ok(!forms.includes(trivial), JSON.stringify(trivial));
  });

  it('skips a line made only of punctuation and symbols however long it is', () => {
    const forms = maskForms('secret-line-one\n});\n-------------\n"""\nsecret-line-two');
    assert.ok(!forms.includes('});'));
    assert.ok(!forms.includes('-------------'));
    assert.ok(!forms.includes('"""'));
    assert.ok(forms.includes('secret-line-one') && forms.includes('secret-line-two'));
  });

  it('adds the trimmed value when it has surrounding space or a trailing newline, as piped input does', () => {
    assert.ok(maskForms('tok3n-value\n').includes('tok3n-value'));
    assert.ok(maskForms('  tok3n-value ').includes('tok3n-value'));
  });

  it('deduplicates forms and never lists an empty string', () => {
    const forms = maskForms('abcdef');
    assert.equal(new Set(forms).size, forms.length);
    // URL-, form- and JSON-encoding leave a plain value as it is, so it appears once.
    assert.equal(forms.filter((f) => f === 'abcdef').length, 1);
    assert.ok(!forms.includes(''));
  });

  it('returns nothing for an empty value', () => {
    assert.deepEqual(maskForms(''), []);
  });

  it('still lists a short value itself, leaving the warning to the consumer', () => {
    assert.equal(MIN_MASK_LENGTH, 4);
    const forms = maskForms('abc');
    assert.equal(forms[0], 'abc');
    assert.ok(forms.includes('YWJj'));
    assert.ok(forms.every((f) => f.length > 0));
  });

  it('lists the JSON-escaped form of a value with quotes, backslashes, newlines and control characters', () => {
    const forms = maskForms('a"b\\c\nd\te\u0001');
    assert.ok(forms.includes('a\\"b\\\\c\\nd\\te\\u0001'));
  });

  it('copes with a value holding a lone surrogate, which cannot be URL-encoded', () => {
    const forms = maskForms('abc\ud800def');
    assert.equal(forms[0], 'abc\ud800def');
    assert.ok(forms.includes('abc\\ud800def'));
  });
});

describe('core/mask: isTooShortToMask', () => {
  it('counts characters of the trimmed value against MIN_MASK_LENGTH', () => {
    assert.equal(isTooShortToMask(''), true);
    assert.equal(isTooShortToMask('abc'), true);
    assert.equal(isTooShortToMask('   abc\n'), true);
    assert.equal(isTooShortToMask('abcd'), false);
    // Three emoji are six UTF-16 units but three characters.
    assert.equal(isTooShortToMask('🔑🔑🔑'), true);
    assert.equal(isTooShortToMask('🔑🔑🔑🔑'), false);
  });
});

describe('core/mask: redact', () => {
  it('replaces every occurrence of every form with ***', () => {
    const secret = 'hunter2-pass';
    const log = `login hunter2-pass ok; b64=${Buffer.from(secret).toString('base64')}; again hunter2-pass`;
    assert.equal(redact(log, maskForms(secret)), 'login *** ok; b64=***; again ***');
  });

  it('masks the longest form first, so no fragment of a multi-line value is left', () => {
    const secret = 'line-one-secret\nline-two-secret';
    const log = `dump: ${JSON.stringify(secret)}\nline-one-secret\n  line-two-secret  \n`;
    const masked = redact(log, maskForms(secret));
    assert.equal(masked, 'dump: "***"\n***\n  ***  \n');
  });

  it('prefers the longer of two forms that start at the same place', () => {
    assert.equal(redact('abcdef abc', ['abc', 'abcdef']), '*** ***');
  });

  it('treats regular-expression characters in a value literally', () => {
    assert.equal(redact('x=a.b*c(d)[e]$^|?+\\ y=aXbbc', ['a.b*c(d)[e]$^|?+\\']), 'x=*** y=aXbbc');
  });

  it('does not mask inside its own replacement', () => {
    assert.equal(redact('a**b', ['**']), 'a***b');
  });

  it('leaves the text alone when there is nothing to hide', () => {
    assert.equal(redact('plain text', []), 'plain text');
    assert.equal(redact('plain text', ['']), 'plain text');
    assert.equal(redact('', ['x']), '');
  });

  it('compiles the forms once into a function that redacts like redact', () => {
    const forms = maskFormsOf(['first-secret', 'second-secret-longer']);
    const redactor = compileRedactor(forms);
    for (const text of ['first-secret and second-secret-longer', 'nothing', '', `b64 ${Buffer.from('first-secret').toString('base64')}`]) {
      assert.equal(redactor(text), redact(text, forms));
    }
    assert.equal(redactor('x first-secret x'), 'x *** x');
    assert.equal(compileRedactor([])('first-secret'), 'first-secret');
  });

  it('compiles a snapshot: forms added to the list afterwards need a new redactor', () => {
    const forms = ['alpha-secret'];
    const redactor = compileRedactor(forms);
    forms.push('beta-secret');
    assert.equal(redactor('alpha-secret beta-secret'), '*** beta-secret');
    assert.equal(compileRedactor(forms)('alpha-secret beta-secret'), '*** ***');
  });

  it('collects the forms of several values, longest first', () => {
    const forms = maskFormsOf(['first-secret', 'second-secret-longer']);
    assert.equal(forms[0]!.length, Math.max(...forms.map((f) => f.length)));
    assert.ok(forms.includes('first-secret') && forms.includes('second-secret-longer'));
    assert.equal(redact('first-secret second-secret-longer', forms), '*** ***');
  });
});

describe('core/mask redact with very large values', () => {
  it('redacts a 1 MiB value and all its encoded forms without a RegExp error that would quote the secret', () => {
    const value = 'Q'.repeat(512 * 1024) + 'canary-large-' + 'Z'.repeat(512 * 1024);
    const forms = maskForms(value);
    const text = `a ${value} b ${Buffer.from(value).toString('hex')} c ${Buffer.from(value).toString('base64')} d`;
    const out = redact(text, forms);
    assert.equal(out, 'a *** b *** c *** d');
  });

  it('redacts long and short secrets together in one text', () => {
    const long = 'L'.repeat(40000);
    const out = redact(`x ${long} y shortsecret z`, [...maskForms(long), ...maskForms('shortsecret')]);
    assert.equal(out, 'x *** y *** z');
  });
});
