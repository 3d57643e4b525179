// Claims typed as rows of name + value, for a trust policy's conditions and for a dry run's token
// claims. Rows left entirely blank are ignored; anything else goes to the server as typed, so its
// rules (and messages) stay the only ones.
import { html } from 'htm/preact';

export interface ClaimRow {
  name: string;
  value: string;
}

export function claimsOf(rows: ClaimRow[]): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const row of rows) {
    const name = row.name.trim();
    if (name || row.value) claims[name] = row.value;
  }
  return claims;
}

export function ClaimRows(props: { rows: ClaimRow[]; onChange: (rows: ClaimRow[]) => void; valueLabel: string; idPrefix: string }) {
  const set = (i: number, change: Partial<ClaimRow>) => props.onChange(props.rows.map((r, j) => (j === i ? { ...r, ...change } : r)));
  const list = `${props.idPrefix}-claim-names`;
  return html`<div class="claim-rows">
    ${props.rows.length > 0 ? html`<div class="claim-row claim-head" aria-hidden="true"><span>Claim</span><span>${props.valueLabel[0]!.toUpperCase()}${props.valueLabel.slice(1)}</span></div>` : null}
    ${props.rows.map((row, i) => html`<div class="claim-row" key=${i}>
      <label class="visually-hidden" for=${`${props.idPrefix}-name-${i}`}>Claim ${i + 1} name</label>
      <input id=${`${props.idPrefix}-name-${i}`} class="mono" value=${row.name} placeholder="repository" list=${list}
        onInput=${(e: Event) => set(i, { name: (e.target as HTMLInputElement).value })} />
      <label class="visually-hidden" for=${`${props.idPrefix}-value-${i}`}>Claim ${i + 1} ${props.valueLabel}</label>
      <input id=${`${props.idPrefix}-value-${i}`} class="mono" value=${row.value} placeholder="acme/app"
        onInput=${(e: Event) => set(i, { value: (e.target as HTMLInputElement).value })} />
      <button type="button" class="icon danger" aria-label=${`Remove claim ${i + 1}`}
        onClick=${() => props.onChange(props.rows.filter((_, j) => j !== i))}>✕</button>
    </div>`)}
    <datalist id=${list}>
      ${CLAIM_NAMES.map((n) => html`<option value=${n}></option>`)}
    </datalist>
    <button type="button" class="secondary" onClick=${() => props.onChange([...props.rows, { name: '', value: '' }])}>Add claim</button>
  </div>`;
}

/** GitHub Actions' claims a policy usually binds (suggestions only: any lowercase claim name is allowed). */
const CLAIM_NAMES = [
  'repository', 'repository_id', 'repository_owner', 'repository_owner_id', 'ref', 'ref_type', 'environment',
  'job_workflow_ref', 'workflow_ref', 'event_name', 'sub',
];
