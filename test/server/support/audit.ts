// Reads an organization's audit log through the API, following cursors, so tests can look for the
// events an action must have left behind.
import assert from 'node:assert/strict';
import type { AuditAction, AuditEvent, AuditPage } from '../../../core/api-types.ts';
import type { Http } from './http.ts';

export async function auditEvents(api: Http, token: string, org: string, max = 5000): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let cursor: string | null = null;
  do {
    const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const r = await api.get<AuditPage>(`/v1/orgs/${org}/audit?limit=500${q}`, token);
    assert.equal(r.status, 200, `audit: ${r.status} ${r.text}`);
    events.push(...r.body.events);
    cursor = r.body.nextCursor;
  } while (cursor && events.length < max);
  return events;
}

export function ofAction(events: AuditEvent[], action: AuditAction): AuditEvent[] {
  return events.filter((e) => e.action === action);
}
