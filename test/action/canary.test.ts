// Canary values built to break a careless action: newlines (LF and CRLF), both quotes, `%` and the runner's
// own escapes, `::` command syntax, unicode, padding, and text shaped like the heredoc delimiter that
// @actions/core writes into GITHUB_ENV. None may appear in the log except inside ::add-mask::, and each must
// come out of GITHUB_ENV and GITHUB_OUTPUT, read the way the runner reads them, exactly as stored.
import assert from 'node:assert/strict';
import { maskForms, isTooShortToMask } from '../../core/mask.ts';
import { Job } from './runner.ts';
import { seed, type Seeded } from './seed.ts';

const CANARIES: Record<string, string> = {
  CANARY_MULTILINE: 'canary-7f3a first line\nsecond "double" and \'single\' quotes\n  indented third  \n',
  CANARY_PERCENT: 'canary-9b2c 100% %25 %0A %0D %3A literal escapes',
  CANARY_COMMANDS: 'canary-1d4e\n::error::not a real error\n::add-mask::nope\n::set-env name=X::y\n::stop-commands::tok',
  CANARY_DELIMITER: 'canary-5e6f\nghadelimiter_00000000-0000-4000-8000-000000000000\nEOF\nCANARY_X<<EOF\n',
  CANARY_UNICODE: 'canary-8a9b ✓ пароль 密码 🔑 e\u0301 \u200b zero-width',
  CANARY_CRLF: 'canary-2c3d\r\nwindows line\r\n\r\n',
  CANARY_EQUALS: 'canary-4e5f=value=with=equals',
  CANARY_PADDED: '   canary-6a7b padded   ',
  CANARY_REF: 'prefix-${CANARY_UNICODE}-$CANARY_PERCENT-suffix',
};

function resolvedCanaries(): Record<string, string> {
  return {
    ...CANARIES,
    CANARY_REF: `prefix-${CANARIES['CANARY_UNICODE']}-${CANARIES['CANARY_PERCENT']}-suffix`,
  };
}

describe('action: canary values never reach the log and round-trip exactly (live server)', function () {
  this.timeout(60_000);
  let s: Seeded;
  let r: Awaited<ReturnType<Job['main']>>;

  before(async () => {
    s = await seed(CANARIES);
    r = await new Job().main({ url: s.url, token: s.token, org: s.org, environment: s.environment, outputs: 'true' });
  });
  after(async () => s?.stop());

  it('succeeds', () => {
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
    assert.deepEqual(r.errors, []);
  });

  it('GITHUB_ENV and GITHUB_OUTPUT, parsed like the runner, give back every value exactly', () => {
    assert.deepEqual(r.env, resolvedCanaries());
    assert.deepEqual(r.outputs, resolvedCanaries());
  });

  it('no value, line of a value or encoded form appears in stdout or stderr outside ::add-mask::', () => {
    const lines = r.stdout.split('\n');
    const logged = lines.filter((l) => !l.startsWith('::add-mask::')).join('\n') + '\n' + r.stderr;
    const all = [...Object.values(CANARIES), ...Object.values(resolvedCanaries())];
    for (const value of all) {
      for (const form of maskForms(value)) {
        if (isTooShortToMask(form)) continue;
        assert.ok(!logged.includes(form), `leaked: a form of a canary (${JSON.stringify(form.slice(0, 12))}…)`);
      }
    }
    // The only commands on stdout are the action's own: a value's `::error::` line never became one.
    const kinds = new Set(r.commands.map((c) => c.command));
    for (const k of kinds) assert.ok(['add-mask', 'debug', 'warning', 'error'].includes(k), k);
    assert.ok(!lines.some((l) => !l.startsWith('::add-mask::') && /::(set-env|stop-commands|set-output|error)/.test(l)));
  });

  it('registers each value, each resolved value and each non-trivial line as a mask', () => {
    for (const value of Object.values(resolvedCanaries())) {
      assert.ok(r.masks.includes(value), `value registered: ${JSON.stringify(value.slice(0, 12))}…`);
      for (const line of value.split(/\r\n|\r|\n/).map((l) => l.trim())) {
        if (!isTooShortToMask(line) && !/^[\p{P}\p{S}\s]*$/u.test(line)) assert.ok(r.masks.includes(line), `line registered: ${line.slice(0, 12)}…`);
      }
    }
  });

  it('registers the forms the runner does not derive: base64url, form-encoding with +, hex', () => {
    for (const value of Object.values(resolvedCanaries())) {
      const bytes = Buffer.from(value, 'utf8');
      for (const form of [bytes.toString('base64url'), bytes.toString('hex'), new URLSearchParams([['', value]]).toString().slice(1)]) {
        assert.ok(r.masks.includes(form), `form registered: ${form.slice(0, 16)}…`);
      }
    }
  });

  it('keeps values out of the summary and the saved state', () => {
    const elsewhere = r.files.summary + r.files.state;
    for (const value of Object.values(resolvedCanaries())) {
      for (const line of value.split(/\r\n|\r|\n/).map((l) => l.trim())) {
        if (!isTooShortToMask(line)) assert.ok(!elsewhere.includes(line), 'no value in summary or state');
      }
    }
    assert.match(r.summary, /CANARY_DELIMITER/);
  });
});
