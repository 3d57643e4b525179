import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { inspect } from 'node:util';
import { SecretsClient } from '../../core/client.ts';
import { codeForResponse, SECRETS_ERROR_CODES, SecretsError, type SecretsErrorCode } from '../../core/errors.ts';
import { problem, startScriptedServer, type Step } from './support/scripted-server.ts';

const ROOT = resolve(import.meta.dirname, '../..');

describe('core error catalogue', () => {
  const doc = readFileSync(join(ROOT, 'core/ERRORS.md'), 'utf8');
  const documented = new Set([...doc.matchAll(/^\|\s*`(SECRETS_[A-Z_]+)`\s*\|/gm)].map((m) => m[1]!));

  it('documents every code of core/errors.ts in core/ERRORS.md, and nothing else', () => {
    assert.deepEqual([...documented].sort(), [...SECRETS_ERROR_CODES].sort());
  });

  it('lists every SECRETS_ code that core/ source raises', () => {
    const raised = new Set<string>();
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts')) for (const m of readFileSync(p, 'utf8').matchAll(/'(SECRETS_[A-Z_]+)'/g)) raised.add(m[1]!);
      }
    };
    walk(join(ROOT, 'core'));
    const unknown = [...raised].filter((c) => !(SECRETS_ERROR_CODES as readonly string[]).includes(c));
    assert.deepEqual(unknown, []);
  });

  it('maps every problem code of docs/api.md to the core code of its HTTP status family', () => {
    const api = readFileSync(join(ROOT, 'docs/api.md'), 'utf8');
    const rows = [...api.matchAll(/^\|\s*`([A-Z_]+)`\s*\|\s*(\d{3})\s*\|/gm)].map((m) => ({ code: m[1]!, status: Number(m[2]) }));
    assert.ok(rows.length >= 25, `found only ${rows.length} rows in the docs/api.md error table`);
    const byStatus: Record<number, SecretsErrorCode> = {
      400: 'SECRETS_VALIDATION',
      401: 'SECRETS_UNAUTHORIZED',
      403: 'SECRETS_FORBIDDEN',
      404: 'SECRETS_NOT_FOUND',
      405: 'SECRETS_NOT_FOUND',
      409: 'SECRETS_CONFLICT',
      412: 'SECRETS_STALE_VERSION',
      413: 'SECRETS_TOO_LARGE',
      415: 'SECRETS_VALIDATION',
      429: 'SECRETS_RATE_LIMITED',
      500: 'SECRETS_SERVER',
      502: 'SECRETS_SERVER',
      503: 'SECRETS_AUDIT_UNAVAILABLE',
    };
    // A 503 that is not about the audit log: the readiness probe's answer, which is the server failing.
    const byCode: Record<string, SecretsErrorCode> = { NOT_READY: 'SECRETS_SERVER' };
    for (const { code, status } of rows) {
      const expected = byCode[code] ?? byStatus[status];
      assert.equal(codeForResponse(status, code), expected, `${code} (${status})`);
      // Each documented code's core code is also what its ERRORS.md row names.
      const row = doc.split('\n').find((l) => l.startsWith(`| \`${expected}\``))!;
      assert.ok(row.includes(`\`${code}\``), `core/ERRORS.md row for ${expected} lists ${code}`);
    }
  });

  it('falls back to the HTTP status for answers without a known problem code', () => {
    assert.equal(codeForResponse(404, 'SOMETHING_NEW'), 'SECRETS_NOT_FOUND');
    assert.equal(codeForResponse(422), 'SECRETS_VALIDATION');
    assert.equal(codeForResponse(502), 'SECRETS_SERVER');
    assert.equal(codeForResponse(503), 'SECRETS_SERVER');
    assert.equal(codeForResponse(504), 'SECRETS_TIMEOUT');
    assert.equal(codeForResponse(302), 'SECRETS_SERVER');
  });

  it('serialises name, code, message and subclass fields to JSON', () => {
    class CycleLike extends SecretsError {
      readonly cycle = ['A', 'B', 'A'];
    }
    const json = JSON.parse(JSON.stringify(new CycleLike('SECRETS_REFERENCE_CYCLE', 'A → B → A', { attempts: 1 })));
    assert.deepEqual(json, { name: 'SecretsError', code: 'SECRETS_REFERENCE_CYCLE', message: 'A → B → A', attempts: 1, cycle: ['A', 'B', 'A'] });
  });
});

describe('core/client errors never carry the token or a value (canaries)', () => {
  const TOKEN = 'scrt_pat_CANARYTOKEN7f3a9c2e';
  const VALUE = 'canary-value-4d8b1e0f';

  function assertClean(err: unknown, label: string): void {
    assert.ok(err instanceof SecretsError, `${label}: expected SecretsError, got ${String(err)}`);
    const views = [String(err), err.stack ?? '', JSON.stringify(err), inspect(err, { depth: 10, showHidden: true })];
    for (const v of views) {
      assert.ok(!v.includes(TOKEN), `${label}: token leaked into ${v}`);
      assert.ok(!v.includes(VALUE), `${label}: value leaked into ${v}`);
    }
    assert.equal((err as { cause?: unknown }).cause, undefined, `${label}: no cause attached`);
  }

  // A hostile or buggy server that echoes the token and the value back in every field of its problem.
  const echo = (status: number, code: string): Step => {
    const step = problem(status, code, `bad token ${TOKEN} for value ${VALUE}`) as { status: number; body: Record<string, unknown> };
    step.body.title = `title ${VALUE}`;
    step.body.errors = [{ path: `/value/${VALUE}`, message: `must not be ${VALUE} (token ${TOKEN})` }];
    return step;
  };

  const httpCases: [string, Step, SecretsErrorCode][] = [
    ['400', echo(400, 'VALIDATION_FAILED'), 'SECRETS_VALIDATION'],
    ['401', echo(401, 'UNAUTHORIZED'), 'SECRETS_UNAUTHORIZED'],
    ['403', echo(403, 'FORBIDDEN'), 'SECRETS_FORBIDDEN'],
    ['404', echo(404, 'SECRET_NOT_FOUND'), 'SECRETS_NOT_FOUND'],
    ['409', echo(409, 'SECRET_EXISTS'), 'SECRETS_CONFLICT'],
    ['412', echo(412, 'STALE_VERSION'), 'SECRETS_STALE_VERSION'],
    ['413', echo(413, 'PAYLOAD_TOO_LARGE'), 'SECRETS_TOO_LARGE'],
    ['429', { ...echo(429, 'RATE_LIMITED'), headers: { 'retry-after': '3600' } }, 'SECRETS_RATE_LIMITED'],
    ['500', echo(500, 'INTERNAL'), 'SECRETS_SERVER'],
    ['503', echo(503, 'AUDIT_UNAVAILABLE'), 'SECRETS_AUDIT_UNAVAILABLE'],
    ['502 html', { status: 502, headers: { 'content-type': 'text/html' }, body: `<p>${TOKEN} ${VALUE}</p>` }, 'SECRETS_SERVER'],
    ['200 unreadable', { status: 200, body: `{"value":"${VALUE}"` }, 'SECRETS_SERVER'],
  ];

  for (const [label, step, code] of httpCases) {
    it(`HTTP ${label} → ${code}, with token and value redacted`, async () => {
      const server = await startScriptedServer([step]);
      const client = new SecretsClient({ baseUrl: server.url, token: TOKEN, userAgent: 't/1', retries: 0 });
      try {
        const err = await client.createSecret('acme', 'production', { key: 'K', value: VALUE }).catch((e: unknown) => e);
        assertClean(err, label);
        assert.equal((err as SecretsError).code, code);
        const err2 = await client.updateSecret('acme', 'production', 'K', { value: VALUE }, { ifMatch: 1 }).catch((e: unknown) => e);
        assertClean(err2, `${label} (update)`);
      } finally {
        await client.close();
        await server.close();
      }
    });
  }

  it('keeps the server’s detail readable around the redaction', async () => {
    const server = await startScriptedServer([echo(400, 'VALIDATION_FAILED')]);
    const client = new SecretsClient({ baseUrl: server.url, token: TOKEN, userAgent: 't/1', retries: 0 });
    try {
      const err = (await client.createSecret('a', 'b', { key: 'K', value: VALUE }).catch((e: unknown) => e)) as SecretsError;
      assert.equal(err.message, 'bad token *** for value ***');
      assert.equal(err.detail, err.message);
      assert.equal(err.problemCode, 'VALIDATION_FAILED');
      assert.equal(err.status, 400);
      assert.deepEqual(err.errors, [{ path: '/value/***', message: 'must not be *** (token ***)' }]);
    } finally {
      await client.close();
      await server.close();
    }
  });

  const networkCases: [string, Step, SecretsErrorCode][] = [
    ['connection reset', { reset: true }, 'SECRETS_NETWORK'],
    ['no answer', { hang: true }, 'SECRETS_TIMEOUT'],
    ['stalled body', { stallBody: true }, 'SECRETS_TIMEOUT'],
  ];
  for (const [label, step, code] of networkCases) {
    it(`${label} → ${code}, with nothing of the request attached`, async () => {
      const server = await startScriptedServer([step]);
      const client = new SecretsClient({ baseUrl: server.url, token: TOKEN, userAgent: 't/1', retries: 1, retryBaseDelayMs: 1, timeoutMs: 200 });
      try {
        const err = await client.revealSecret('acme', 'production', 'K').catch((e: unknown) => e);
        assertClean(err, label);
        assert.equal((err as SecretsError).code, code);
        const err2 = await client.createSecret('acme', 'production', { key: 'K', value: VALUE }).catch((e: unknown) => e);
        assertClean(err2, `${label} (create)`);
      } finally {
        await client.close();
        await server.close();
      }
    });
  }

  it('connection refused and a closed client → SECRETS_NETWORK, clean', async () => {
    const server = await startScriptedServer([{ status: 200, body: {} }]);
    const url = server.url;
    await server.close();
    const client = new SecretsClient({ baseUrl: url, token: TOKEN, userAgent: 't/1', retries: 0 });
    const refused = await client.createSecret('a', 'b', { key: 'K', value: VALUE }).catch((e: unknown) => e);
    assertClean(refused, 'refused');
    assert.equal((refused as SecretsError).code, 'SECRETS_NETWORK');
    await client.close();
    const closed = await client.me().catch((e: unknown) => e);
    assertClean(closed, 'closed');
    assert.equal((closed as SecretsError).code, 'SECRETS_NETWORK');
  });

  it('does not show the token when the client itself is inspected or serialised', () => {
    const client = new SecretsClient({ baseUrl: 'http://127.0.0.1:9', token: TOKEN, userAgent: 't/1' });
    for (const v of [inspect(client, { depth: 10, showHidden: true }), JSON.stringify(client), String(client)]) {
      assert.ok(!v.includes(TOKEN), v);
    }
    return client.close();
  });

  it('rejects a malformed token without echoing it', () => {
    for (const bad of [`${TOKEN}\n`, ` ${TOKEN}`, `${TOKEN}\r\nx-evil: 1`]) {
      assert.throws(
        () => new SecretsClient({ baseUrl: 'http://127.0.0.1:9', token: bad, userAgent: 't/1' }),
        (e: unknown) => e instanceof TypeError && !String(e).includes(TOKEN) && !(e.stack ?? '').includes(TOKEN),
      );
    }
  });
});
