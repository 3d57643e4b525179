// An environment as it was at a moment: the keys that existed then and the version each had, from
// GET …/secrets?at=. Never values (a version's value is revealed from that secret's history, audited).
// The moment is typed in the browser's own time zone and sent as a UTC instant. `envPath` is an
// environment's path (an organization's, or a workspace's for its effective set, whose entries carry
// their scope).
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { SecretsAtMoment } from '../../../core/api-types.ts';
import { api, errorMessage, webProblem } from '../api.ts';
import { Dialog, ErrorText } from '../ui/dialog.ts';
import { whenExact as when } from '../ui/format.ts';
import { DAY_MS, instantOf, localOf } from './environment-changes.ts';

const SCOPES = { organization: 'Organization', workspace: 'Workspace' } as const;

export function AsOfDialog(props: { envPath: string; envName: string; onClose: () => void }) {
  const [at, setAt] = useState(() => localOf(new Date(Date.now() - DAY_MS)));
  const [result, setResult] = useState<SecretsAtMoment | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    const instant = instantOf(at);
    if (!instant) {
      setResult(null);
      setError(webProblem(at.trim() ? 'WEB_MOMENT_INVALID' : 'WEB_AS_OF_REQUIRED').message);
      return;
    }
    setBusy(true);
    try {
      setResult(await api<SecretsAtMoment>('GET', `${props.envPath}/secrets?${new URLSearchParams({ at: instant })}`));
      setError(null);
    } catch (err) {
      setResult(null);
      setError(errorMessage(err));
    }
    setBusy(false);
  };

  const scoped = result?.secrets.some((s) => s.scope !== undefined) ?? false;
  return html`<${Dialog} title=${`${props.envName} as of a moment`} wide=${true} onClose=${props.onClose}>
    <p class="hint">The keys that existed at a moment and the version each had then. Values are never shown here: reveal an old version from the secret's history.</p>
    <form onSubmit=${submit} novalidate autocomplete="off">
      <div class="moments">
        <div><label for="as-of-at">As of</label>
          <input id="as-of-at" type="datetime-local" step="0.001" value=${at} onInput=${(e: Event) => setAt((e.target as HTMLInputElement).value)} /></div>
      </div>
      <${ErrorText} message=${error} />
      <div class="buttons"><button type="button" class="secondary" onClick=${props.onClose}>Close</button>
        <button type="submit" disabled=${busy}>Show secrets</button></div>
    </form>
    ${result
      ? html`<div role="status">
          <p class="verdict">${result.secrets.length === 0
            ? `No secrets in ${props.envName} at ${when(result.at)}.`
            : `${result.secrets.length} secret${result.secrets.length === 1 ? '' : 's'} in ${props.envName} at ${when(result.at)}.`}</p>
          ${result.secrets.length > 0
            ? html`<div class="table-wrap" tabindex="0"><table>
                <caption class="visually-hidden">${props.envName} at ${when(result.at)}</caption>
                <thead><tr><th scope="col">Key</th>${scoped ? html`<th scope="col">Scope</th>` : null}<th scope="col">Version then</th><th scope="col">Written</th><th scope="col">By</th></tr></thead>
                <tbody>${result.secrets.map((s) => html`<tr key=${`${s.scope ?? ''}:${s.key}`}>
                  <th scope="row"><code>${s.key}</code></th>
                  ${scoped ? html`<td>${s.scope ? SCOPES[s.scope] : ''}</td>` : null}
                  <td>${s.version}${s.retained ? '' : html` <span class="muted">(deleted since: value gone)</span>`}</td>
                  <td>${when(s.createdAt)}</td><td>${s.createdBy}</td>
                </tr>`)}</tbody>
              </table></div>`
            : null}
        </div>`
      : null}
  <//>`;
}
