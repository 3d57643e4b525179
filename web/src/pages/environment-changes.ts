// What changed in one environment between two moments: keys added, changed (old → new version) and
// removed, from GET …/changes. Never values. The moments are typed in the browser's own time zone and
// sent as UTC instants; an empty "To" means now. Compared with now, those who may (Admin+; in a
// workspace also its owner) can roll the environment back to "From": every changed key gets a new
// version with its value of then, in one transaction and one audit event, after a confirmation.
// `envPath` is an environment's path (an organization's, or a workspace's for its effective set).
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { EnvironmentChanges, EnvironmentRollback } from '../../../core/api-types.ts';
import { api, errorMessage, webProblem } from '../api.ts';
import { Dialog, ErrorText } from '../ui/dialog.ts';
import { whenExact as when } from '../ui/format.ts';
import { toast } from '../ui/toast.ts';

/** A datetime-local value ("2026-11-01T14:02" or with seconds) as an ISO instant, or null. */
export function instantOf(local: string): string | null {
  if (!local.trim()) return null;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** An instant as a datetime-local value in the browser's zone, to the millisecond. */
export function localOf(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export const DAY_MS = 24 * 3600 * 1000;

type Row = { key: string; kind: 'added' | 'changed' | 'removed'; versions: string };

export function ChangesDialog(props: { envPath: string; envName: string; canRollBack?: boolean; onRolledBack?: () => void; onClose: () => void }) {
  const [from, setFrom] = useState(() => localOf(new Date(Date.now() - DAY_MS)));
  const [to, setTo] = useState('');
  const [result, setResult] = useState<EnvironmentChanges | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // The moment the shown changes start from, when they run up to now: what a rollback goes back to.
  const [shownFrom, setShownFrom] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [removeNew, setRemoveNew] = useState(false);

  const ask = async (fromAt: string, toAt: string | null) => {
    const q = new URLSearchParams({ from: fromAt });
    if (toAt) q.set('to', toAt);
    setResult(await api<EnvironmentChanges>('GET', `${props.envPath}/changes?${q}`));
    setShownFrom(toAt ? null : fromAt);
  };
  const rollBack = async () => {
    if (!shownFrom) return;
    setConfirming(false);
    try {
      const done = await api<EnvironmentRollback>('POST', `${props.envPath}/rollback`, { body: { at: shownFrom, removeNew } });
      const parts = [`${done.restored.length} restored`, `${done.removed.length} removed`];
      if (done.unrestorable.length) parts.push(`not restorable (deleted since): ${done.unrestorable.join(', ')}`);
      toast(`Rolled ${props.envName} back to ${when(done.at)}: ${parts.join(', ')}`);
      props.onRolledBack?.();
      await ask(shownFrom, null);
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    const fromAt = instantOf(from);
    const toAt = instantOf(to);
    if (!fromAt || (to.trim() && !toAt)) {
      setResult(null);
      setError(webProblem(fromAt ? 'WEB_MOMENT_INVALID' : 'WEB_MOMENT_REQUIRED').message);
      return;
    }
    setBusy(true);
    try {
      await ask(fromAt, toAt);
      setError(null);
    } catch (err) {
      setResult(null);
      setError(errorMessage(err));
    }
    setBusy(false);
  };

  const rows: Row[] = result
    ? [
        ...result.added.map((a): Row => ({ key: a.key, kind: 'added', versions: `version ${a.version}` })),
        ...result.changed.map((c): Row => ({ key: c.key, kind: 'changed', versions: `version ${c.from} → ${c.to}` })),
        ...result.removed.map((r): Row => ({ key: r.key, kind: 'removed', versions: `version ${r.version}` })),
      ].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    : [];
  return html`<${Dialog} title=${`Changes in ${props.envName}`} wide=${true} onClose=${props.onClose}>
    <p class="hint">Keys added, changed and removed between two moments, with their versions. Values are never shown here.</p>
    <form onSubmit=${submit} novalidate autocomplete="off">
      <div class="moments">
        <div><label for="changes-from">From</label>
          <input id="changes-from" type="datetime-local" step="0.001" value=${from} onInput=${(e: Event) => setFrom((e.target as HTMLInputElement).value)} /></div>
        <div><label for="changes-to">To <span class="muted">(empty: now)</span></label>
          <input id="changes-to" type="datetime-local" step="0.001" value=${to} onInput=${(e: Event) => setTo((e.target as HTMLInputElement).value)} /></div>
      </div>
      <${ErrorText} message=${error} />
      <div class="buttons"><button type="button" class="secondary" onClick=${props.onClose}>Close</button>
        <button type="submit" disabled=${busy}>Show changes</button></div>
    </form>
    ${result
      ? html`<div role="status">
          <p class="verdict">${rows.length === 0
            ? `Nothing changed between ${when(result.from)} and ${when(result.to)}.`
            : `${result.added.length} added, ${result.changed.length} changed, ${result.removed.length} removed between ${when(result.from)} and ${when(result.to)}.`}</p>
          ${rows.length > 0
            ? html`<div class="table-wrap" tabindex="0"><table>
                <caption class="visually-hidden">Changes in ${props.envName}</caption>
                <thead><tr><th scope="col">Key</th><th scope="col">Change</th><th scope="col">Versions</th></tr></thead>
                <tbody>${rows.map((r) => html`<tr key=${r.key}>
                  <th scope="row"><code>${r.key}</code></th><td class=${`change-${r.kind}`}>${r.kind}</td><td>${r.versions}</td>
                </tr>`)}</tbody>
              </table></div>`
            : null}
          ${props.canRollBack && shownFrom && rows.length > 0
            ? html`<div class="buttons"><button type="button" class="danger" onClick=${() => { setRemoveNew(false); setConfirming(true); }}>Roll back ${props.envName} to ${when(shownFrom)}</button></div>`
            : null}
        </div>`
      : null}
    ${confirming && shownFrom && result
      ? html`<${Dialog} title=${`Roll back ${props.envName}`} onClose=${() => setConfirming(false)}>
          <p>Give every key changed since ${when(shownFrom)} a new version with its value of then (${result.changed.length} changed)? Nothing is lost: the current versions stay in each secret's history.</p>
          <p class="hint">${result.removed.length > 0 ? `Keys deleted since (${result.removed.map((r) => r.key).join(', ')}) cannot come back: their values were deleted with them. ` : ''}If anything changes meanwhile, nothing is rolled back and you are told.</p>
          ${result.added.length > 0
            ? html`<label class="check"><input type="checkbox" checked=${removeNew} onChange=${(e: Event) => setRemoveNew((e.target as HTMLInputElement).checked)} />
                Also delete the ${result.added.length} key${result.added.length === 1 ? '' : 's'} added since (${result.added.map((a) => a.key).join(', ')})</label>`
            : null}
          <div class="buttons"><button type="button" class="secondary" onClick=${() => setConfirming(false)}>Cancel</button>
            <button type="button" class="danger" onClick=${rollBack}>Roll back</button></div>
        <//>`
      : null}
  <//>`;
}
