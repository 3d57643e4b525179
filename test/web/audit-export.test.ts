// The Audit Logs page's filters and CSV export, on their own: what a spreadsheet reads back, and which
// events each filter keeps.
import assert from 'node:assert/strict';
import type { AuditEvent } from '../../core/api-types.ts';
import { auditCsv, matchesFilter, serverQuery, type AuditFilter } from '../../web/src/pages/audit-filter.ts';

const event = (over: Partial<AuditEvent>): AuditEvent => ({
  id: '1',
  time: '2026-01-02T03:04:05.000Z',
  actor: { type: 'user', id: 'u1', name: 'Ada' },
  action: 'secret.reveal',
  environment: 'production',
  workspace: null,
  keys: ['DB_PASSWORD'],
  outcome: 'allowed',
  ip: '127.0.0.1',
  userAgent: 'curl/8',
  count: 1,
  ...over,
});
const none: AuditFilter = { actor: '', action: '', environment: '', workspace: '', key: '', outcome: '', since: '', until: '' };

describe('web: audit filters and CSV export', () => {
  it('neutralises cells a spreadsheet would run as a formula, and quotes commas, quotes and newlines', () => {
    const csv = auditCsv([event({ actor: { type: 'user', id: 'u', name: '=HYPERLINK("http://x")' }, userAgent: '@evil,"ua"\nline' })]);
    const [head, row] = csv.split('\r\n');
    assert.equal(head, 'time,actor_type,actor,action,environment,workspace,keys,outcome,count,ip,user_agent');
    assert.ok(row!.includes(`"'=HYPERLINK(""http://x"")"`), row);
    assert.ok(csv.includes(`"'@evil,""ua""\nline"`), csv);
  });

  it('asks the server with the audit API\'s parameters (the time range as ISO instants, `until` to the end of its minute)', () => {
    const q = new Map(serverQuery({ actor: ' Ada ', action: 'secret.reveal', environment: 'production', workspace: 'billing', key: 'DB_PASSWORD', outcome: 'denied', since: '2026-01-02T03:04', until: '2026-01-02T03:05' }));
    assert.equal(q.get('actor'), 'Ada');
    assert.equal(q.get('action'), 'secret.reveal');
    assert.equal(q.get('environment'), 'production');
    assert.equal(q.get('workspace'), 'billing');
    assert.equal(q.get('key'), 'DB_PASSWORD');
    assert.equal(q.get('outcome'), 'denied');
    assert.equal(Date.parse(q.get('until')!) - Date.parse(q.get('since')!), 60_000 + 59_999);
    assert.deepEqual(serverQuery(none), []);
    assert.equal(new Map(serverQuery({ ...none, outcome: 'error' })).has('outcome'), false, 'error outcomes are picked out in the page');
  });

  it('keeps events by actor (name or id, any case), action, environment, workspace, key part, outcome and time range', () => {
    const e = event({});
    assert.equal(matchesFilter(e, none), true);
    assert.equal(matchesFilter(e, { ...none, actor: 'ada' }), true);
    assert.equal(matchesFilter(e, { ...none, actor: 'bob' }), false);
    assert.equal(matchesFilter(e, { ...none, action: 'secret.update' }), false);
    assert.equal(matchesFilter(e, { ...none, environment: 'staging' }), false);
    assert.equal(matchesFilter(e, { ...none, workspace: 'billing' }), false, 'an organization-level event is in no workspace');
    assert.equal(matchesFilter(event({ workspace: 'billing' }), { ...none, workspace: 'billing' }), true);
    assert.equal(matchesFilter(e, { ...none, actor: 'ad' }), false, 'an actor is named in full, as the API does');
    assert.equal(matchesFilter(e, { ...none, actor: 'u1' }), true, 'or by id');
    assert.equal(matchesFilter(e, { ...none, key: 'DB_PASSWORD' }), true);
    assert.equal(matchesFilter(e, { ...none, key: 'DB_PASS' }), false, 'a key is exact, as the API does');
    assert.equal(matchesFilter(e, { ...none, outcome: 'denied' }), false);
    assert.equal(matchesFilter(e, { ...none, since: '2026-01-03T00:00' }), false);
    assert.equal(matchesFilter(e, { ...none, until: '2026-01-01T00:00' }), false);
  });
});
