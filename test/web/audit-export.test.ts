// The Audit Logs page's filters and CSV export, on their own: what a spreadsheet reads back, and which
// events each filter keeps.
import assert from 'node:assert/strict';
import type { AuditEvent } from '../../core/api-types.ts';
import { auditCsv, matchesFilter, type AuditFilter } from '../../web/src/pages/audit-filter.ts';

const event = (over: Partial<AuditEvent>): AuditEvent => ({
  id: '1',
  time: '2026-01-02T03:04:05.000Z',
  actor: { type: 'user', id: 'u1', name: 'Ada' },
  action: 'secret.reveal',
  environment: 'production',
  keys: ['DB_PASSWORD'],
  outcome: 'allowed',
  ip: '127.0.0.1',
  userAgent: 'curl/8',
  count: 1,
  ...over,
});
const none: AuditFilter = { actor: '', action: '', environment: '', key: '', outcome: '', since: '', until: '' };

describe('web: audit filters and CSV export', () => {
  it('neutralises cells a spreadsheet would run as a formula, and quotes commas, quotes and newlines', () => {
    const csv = auditCsv([event({ actor: { type: 'user', id: 'u', name: '=HYPERLINK("http://x")' }, userAgent: '@evil,"ua"\nline' })]);
    const [head, row] = csv.split('\r\n');
    assert.equal(head, 'time,actor_type,actor,action,environment,keys,outcome,count,ip,user_agent');
    assert.ok(row!.includes(`"'=HYPERLINK(""http://x"")"`), row);
    assert.ok(csv.includes(`"'@evil,""ua""\nline"`), csv);
  });

  it('keeps events by actor (name or id, any case), action, environment, key part, outcome and time range', () => {
    const e = event({});
    assert.equal(matchesFilter(e, none), true);
    assert.equal(matchesFilter(e, { ...none, actor: 'ada' }), true);
    assert.equal(matchesFilter(e, { ...none, actor: 'bob' }), false);
    assert.equal(matchesFilter(e, { ...none, action: 'secret.update' }), false);
    assert.equal(matchesFilter(e, { ...none, environment: 'staging' }), false);
    assert.equal(matchesFilter(e, { ...none, key: 'PASS' }), true);
    assert.equal(matchesFilter(e, { ...none, key: 'STRIPE' }), false);
    assert.equal(matchesFilter(e, { ...none, outcome: 'denied' }), false);
    assert.equal(matchesFilter(e, { ...none, since: '2026-01-03T00:00' }), false);
    assert.equal(matchesFilter(e, { ...none, until: '2026-01-01T00:00' }), false);
  });
});
