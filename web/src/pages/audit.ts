// Audit Logs: newest first, a page at a time ("Load older events"), filtered by actor, action,
// environment, workspace, key, outcome and time range, exported as CSV or JSON. Events never hold a value.
// Filters go to the server; a server without audit filters gets none and the page filters what it
// loaded by the same rules (audit-filter.ts).
import { html } from 'htm/preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { AuditEvent, AuditPage as Page, Workspace } from '../../../core/api-types.ts';
import { api, ApiProblem, errorMessage, seg } from '../api.ts';
import type { PageContext } from '../context.ts';
import { ErrorText } from '../ui/dialog.ts';
import { atLeast, when } from '../ui/format.ts';
import { upperAscii } from './secrets.ts';
import { AUDIT_ACTIONS } from './audit-actions.ts';
import { auditCsv, type AuditFilter, matchesFilter, NO_FILTER, serverQuery } from './audit-filter.ts';

/** Whether this server filters the audit log; learnt from its first answer to a filtered request. */
let serverFilters = true;

const unknownQueryField = (err: unknown) =>
  err instanceof ApiProblem && err.code === 'VALIDATION_FAILED' && /^querystring\.\w+: unknown field/.test(err.message);

const PAGE_SIZE = 100;

/**
 * Whether the events were asked for with any filter: the server's answer to a filter that matches
 * nothing is empty too, and the log itself is not.
 */
const filtered = (f: AuditFilter): boolean => Object.values(f).some((v) => v !== '');

/**
 * What kind of actor a name stands for, when it is not a person: a service token, or the server itself
 * (the history retention's pruning, named `retention`). The name stays as recorded, so it is what the
 * Actor filter matches.
 */
const ACTOR_NOTES: Partial<Record<AuditEvent['actor']['type'], string>> = { service: 'service token', system: 'server, automatic' };


export function AuditPage({ ctx }: { ctx: PageContext }) {
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [filter, setFilter] = useState<AuditFilter>(NO_FILTER);
  // What the loaded events were asked for; typing waits a moment before asking again.
  const [applied, setApplied] = useState<AuditFilter>(NO_FILTER);
  const typing = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const base = `/v1/orgs/${seg(ctx.org.slug)}/audit`;
  const admin = atLeast(ctx.org.role, 'admin');
  const [workspaces, setWorkspaces] = useState<Workspace[]>([]);
  useEffect(() => {
    if (!admin) return;
    api<{ workspaces: Workspace[] }>('GET', `/v1/orgs/${seg(ctx.org.slug)}/workspaces`).then((r) => setWorkspaces(r.workspaces), () => setWorkspaces([]));
  }, [ctx.org.slug, admin]);

  const load = useCallback(async (from: string | null) => {
    if (!admin) return;
    try {
      const ask = (withFilters: boolean) => {
        const q = new URLSearchParams([['limit', String(PAGE_SIZE)], ...(withFilters ? serverQuery(applied) : [])]);
        if (from) q.set('cursor', from);
        return api<Page>('GET', `${base}?${q}`);
      };
      let page: Page;
      try {
        page = await ask(serverFilters);
      } catch (err) {
        if (!serverFilters || !unknownQueryField(err)) throw err;
        serverFilters = false;
        page = await ask(false);
      }
      setEvents((list) => (from ? [...(list ?? []), ...page.events] : page.events));
      setCursor(page.nextCursor);
      setError(null);
    } catch (err) {
      setEvents((list) => list ?? []);
      setError(errorMessage(err));
    }
  }, [base, admin, applied]);
  useEffect(() => void load(null), [load]);
  useEffect(() => {
    clearTimeout(typing.current);
    // Without server filters the loaded pages are filtered in place: nothing to ask again.
    typing.current = setTimeout(() => serverFilters && setApplied(filter), 300);
    return () => clearTimeout(typing.current);
  }, [filter]);

  const set = (field: keyof AuditFilter) => (e: Event) =>
    setFilter((f) => ({ ...f, [field]: (e.target as HTMLInputElement | HTMLSelectElement).value }));
  const shown = (events ?? []).filter((e) => matchesFilter(e, filter));

  const download = (name: string, type: string, content: string) => {
    const url = URL.createObjectURL(new Blob([content], { type }));
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  const stamp = `${ctx.org.slug}-audit`;
  if (!admin) {
    return html`<section><h1>Audit Logs</h1>
      <div class="empty"><p>The audit log of ${ctx.org.name} is open to its Admins and Owners. Ask one of them if you need to know who did what.</p></div></section>`;
  }

  return html`<section>
    <div class="page-head">
      <h1>Audit Logs</h1>
      <div class="buttons">
        <button type="button" class="secondary" disabled=${shown.length === 0} onClick=${() => download(`${stamp}.csv`, 'text/csv', auditCsv(shown))}>Export CSV</button>
        <button type="button" class="secondary" disabled=${shown.length === 0} onClick=${() => download(`${stamp}.json`, 'application/json', JSON.stringify(shown, null, 2))}>Export JSON</button>
      </div>
    </div>
    <fieldset class="filters">
      <legend>Filters</legend>
      <label><span>Actor</span><input value=${filter.actor} onInput=${set('actor')} autocomplete="off" /></label>
      <label><span>Action</span><select value=${filter.action} onChange=${set('action')}>
        <option value="">Any action</option>
        ${AUDIT_ACTIONS.map((a) => html`<option value=${a}>${a}</option>`)}
      </select></label>
      <label><span>Environment</span><select value=${filter.environment} onChange=${set('environment')}>
        <option value="">Any environment</option>
        ${ctx.environments.map((e) => html`<option value=${e.slug}>${e.name}</option>`)}
      </select></label>
      <label><span>Workspace</span><select value=${filter.workspace} onChange=${set('workspace')}>
        <option value="">Any workspace</option>
        ${workspaces.map((w) => html`<option value=${w.slug}>${w.name}</option>`)}
      </select></label>
      <label><span>Key</span><input class="mono" value=${filter.key} autocomplete="off"
        onInput=${(e: Event) => setFilter((f) => ({ ...f, key: upperAscii((e.target as HTMLInputElement).value) }))} /></label>
      <label><span>Outcome</span><select value=${filter.outcome} onChange=${set('outcome')}>
        <option value="">Any outcome</option><option value="allowed">allowed</option><option value="denied">denied</option><option value="error">error</option>
      </select></label>
      <label><span>From</span><input type="datetime-local" value=${filter.since} onInput=${set('since')} /></label>
      <label><span>To</span><input type="datetime-local" value=${filter.until} onInput=${set('until')} /></label>
    </fieldset>
    <${ErrorText} message=${error} />
    ${events === null
      ? html`<p aria-busy="true">Loading…</p>`
      : shown.length === 0
        ? html`<div class="empty"><p>${events.length === 0 && !filtered(applied) ? 'No events yet. Creating, revealing, changing or deleting a secret, and every denied attempt, is recorded here.' : 'No loaded event matches these filters.'}</p>
            ${cursor ? html`<p>Older events may match: load them below.</p>` : null}</div>`
        : html`<div class="table-wrap" tabindex="0"><table class="audit">
            <caption class="visually-hidden">Audit events, newest first</caption>
            <thead><tr><th scope="col">Time</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Environment</th><th scope="col">Workspace</th>
              <th scope="col">Keys</th><th scope="col">Outcome</th><th scope="col">IP Address</th><th scope="col">User Agent</th></tr></thead>
            <tbody>${shown.map((e) => html`<tr key=${e.id}>
              <td><time datetime=${e.time}>${when(e.time)}</time></td>
              <td>${e.actor.name ?? e.actor.type}${ACTOR_NOTES[e.actor.type] ? html` <span class="muted">(${ACTOR_NOTES[e.actor.type]})</span>` : null}</td>
              <td><code>${e.action}</code>${e.count > 1 ? html` <span class="muted">×${e.count}</span>` : null}</td>
              <td>${e.environment ?? '—'}</td>
              <td>${e.workspace ?? '—'}</td>
              <td class="mono">${e.keys.join(', ') || '—'}</td>
              <td><span class=${`outcome ${e.outcome}`}>${e.outcome}</span></td>
              <td class="mono">${e.ip || '—'}</td>
              <td class="ua">${e.userAgent ?? '—'}</td>
            </tr>`)}</tbody>
          </table></div>`}
    ${cursor ? html`<p><button type="button" class="secondary" onClick=${() => load(cursor)}>Load older events</button></p>` : null}
  </section>`;
}
