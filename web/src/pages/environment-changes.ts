// What changed in one environment between two moments: keys added, changed (old → new version) and
// removed, from GET …/changes. Never values. The moments are typed in the browser's own time zone and
// sent as UTC instants; an empty "To" means now.
// `envPath` is an environment's path (an organization's, or a workspace's for its effective set).
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { EnvironmentChanges } from '../../../core/api-types.ts';
import { api, errorMessage, webProblem } from '../api.ts';
import { Dialog, ErrorText } from '../ui/dialog.ts';
import { when } from '../ui/format.ts';

/** A datetime-local value ("2026-11-01T14:02" or with seconds) as an ISO instant, or null. */
export function instantOf(local: string): string | null {
  if (!local.trim()) return null;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** An instant as a datetime-local value in the browser's zone, to the millisecond. */
function localOf(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

const DAY_MS = 24 * 3600 * 1000;

type Row = { key: string; kind: 'added' | 'changed' | 'removed'; versions: string };

export function ChangesDialog(props: { envPath: string; envName: string; onClose: () => void }) {
  const [from, setFrom] = useState(() => localOf(new Date(Date.now() - DAY_MS)));
  const [to, setTo] = useState('');
  const [result, setResult] = useState<EnvironmentChanges | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    const fromAt = instantOf(from);
    const toAt = instantOf(to);
    if (!fromAt || (to.trim() && !toAt)) {
      setResult(null);
      setError(webProblem(fromAt ? 'WEB_MOMENT_INVALID' : 'WEB_MOMENT_REQUIRED').message);
      return;
    }
    const q = new URLSearchParams({ from: fromAt });
    if (toAt) q.set('to', toAt);
    setBusy(true);
    try {
      setResult(await api<EnvironmentChanges>('GET', `${props.envPath}/changes?${q}`));
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
        </div>`
      : null}
  <//>`;
}
