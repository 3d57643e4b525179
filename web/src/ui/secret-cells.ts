// Pieces every secrets table of the dashboard shows the same way (the organization's, a workspace's,
// a secret's history), so a value is masked, revealed and warned about identically everywhere.
import { html } from 'htm/preact';
import type { Environment } from '../../../core/api-types.ts';

const MASK = '••••••••';

/** A value cell: the revealed value (marked for the timed re-mask) or the mask. */
export function ValueCell(props: { revealedKey: string; value: string | undefined }) {
  return html`<td class="value">${props.value !== undefined
    ? html`<code class="revealed" data-revealed=${props.revealedKey}>${props.value}</code>`
    : html`<span class="masked" aria-label="Value hidden">${MASK}</span>`}</td>`;
}

/** The warning beside a key that changes how programs start (SecretMeta.execRisk). */
export function ExecRiskWarning(props: { execRisk: boolean }) {
  return props.execRisk
    ? html`<span class="warn" title="Changes how programs start: the Action, secrets run and secrets export refuse to export it unless the name is allowed">⚠ Changes how programs start</span>`
    : null;
}

/** The Environment dropdown above a secrets table. */
export function EnvironmentSelect(props: { value: string | null; environments: Environment[]; onChange: (slug: string) => void }) {
  return html`<label>
    <span>Environment</span>
    <select value=${props.value ?? ''} onChange=${(e: Event) => props.onChange((e.target as HTMLSelectElement).value)}>
      ${props.environments.map((e) => html`<option value=${e.slug}>${e.name}</option>`)}
    </select>
  </label>`;
}
