// Trust policies (Admin+): which CI workflows may exchange their OIDC token for a short-lived,
// read-only token of one environment (keyless CI). List, create, edit, dry-run ("Test") and delete them, and
// see the last exchanges from the audit log. Exchange events hold the verified claims and never a token.
import { html } from 'htm/preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { GITHUB_ACTIONS_ISSUER, OIDC_MAX_TTL_SECONDS, type AuditDetails, type AuditEvent, type AuditPage, type WorkflowContext, type OidcDryRun, type OidcPolicy, type Workspace } from '../../../core/api-types.ts';
import { api, errorMessage, seg } from '../api.ts';
import type { PageContext } from '../context.ts';
import { ClaimRows, claimsOf, type ClaimRow } from '../ui/claim-rows.ts';
import { Dialog, ErrorText } from '../ui/dialog.ts';
import { atLeast, when } from '../ui/format.ts';
import { toast } from '../ui/toast.ts';

const LAST_EXCHANGES = 20;

const OUTCOME_WORDS: Record<AuditEvent['outcome'], string> = { allowed: 'accepted', denied: 'refused', error: 'error' };

export function TrustPoliciesPage({ ctx }: { ctx: PageContext }) {
  const [policies, setPolicies] = useState<OidcPolicy[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [testing, setTesting] = useState<OidcPolicy | null>(null);
  const [editing, setEditing] = useState<OidcPolicy | null>(null);
  const [workspaces, setWorkspaces] = useState<Workspace[]>([]);
  const [deleting, setDeleting] = useState<OidcPolicy | null>(null);
  const [exchanges, setExchanges] = useState<AuditEvent[] | null>(null);
  const [exchangesError, setExchangesError] = useState<string | null>(null);
  const base = `/v1/orgs/${seg(ctx.org.slug)}/oidc-policies`;
  const admin = atLeast(ctx.org.role, 'admin');

  const load = useCallback(async () => {
    if (!admin) return;
    try {
      setPolicies((await api<{ policies: OidcPolicy[] }>('GET', base)).policies);
    } catch (err) {
      setPolicies((p) => p ?? []);
      setError(errorMessage(err));
    }
  }, [base, admin]);
  const loadExchanges = useCallback(async () => {
    if (!admin) return;
    try {
      const q = new URLSearchParams({ action: 'oidc.exchange', limit: String(LAST_EXCHANGES) });
      setExchanges((await api<AuditPage>('GET', `/v1/orgs/${seg(ctx.org.slug)}/audit?${q}`)).events);
      setExchangesError(null);
    } catch (err) {
      setExchanges((e) => e ?? []);
      setExchangesError(errorMessage(err));
    }
  }, [ctx.org.slug, admin]);
  useEffect(() => {
    void load();
    void loadExchanges();
  }, [load, loadExchanges]);
  useEffect(() => {
    if (!admin) return;
    api<{ workspaces: Workspace[] }>('GET', `/v1/orgs/${seg(ctx.org.slug)}/workspaces`).then((r) => setWorkspaces(r.workspaces), () => setWorkspaces([]));
  }, [ctx.org.slug, admin]);

  if (!admin) {
    return html`<section><h1>Trust policies</h1>
      <div class="empty"><p>Trust policies are managed by the Admins and Owners of ${ctx.org.name}.</p></div></section>`;
  }
  return html`<section>
    <div class="page-head">
      <h1>Trust policies</h1>
      <button type="button" onClick=${() => setCreating(true)}>Create trust policy</button>
    </div>
    <p class="hint">A trust policy lets a CI workflow exchange its OIDC token (GitHub Actions: <code>permissions: id-token: write</code>) for a read-only token of one environment that expires within minutes. No long-lived token is stored in CI.</p>
    <${ErrorText} message=${error} />
    ${policies === null
      ? html`<p aria-busy="true">Loading…</p>`
      : policies.length === 0
        ? html`<div class="empty"><p>No trust policies yet. Create one that names the repository (or its owner) your workflow runs in, then use the GitHub Action without a <code>token</code>.</p></div>`
        : html`<div class="table-wrap" tabindex="0"><table>
            <caption class="visually-hidden">Trust policies of ${ctx.org.name}</caption>
            <thead><tr><th scope="col">Name</th><th scope="col">Issuer</th><th scope="col">Audience</th><th scope="col">Environment</th>
              <th scope="col">Claim conditions</th><th scope="col">Token TTL</th><th scope="col">Workspace</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>${policies.map((p) => html`<tr key=${p.id}>
              <th scope="row">${p.name}</th><td class="wrap">${p.issuer}</td><td class="wrap">${p.audience}</td><td>${p.environment}</td>
              <td><ul class="claims-list">${Object.entries(p.claims).map(([claim, value]) => html`<li><code>${claim} = ${value}</code></li>`)}</ul></td>
              <td>${p.ttlSeconds} s</td>
              <td>${p.workspace ?? html`<span class="muted">—</span>`}</td>
              <td class="actions">
                <button type="button" class="secondary" aria-label=${`Test ${p.name}`} onClick=${() => setTesting(p)}>Test</button>
                <button type="button" class="secondary" aria-label=${`Edit ${p.name}`} onClick=${() => setEditing(p)}>Edit</button>
                <button type="button" class="secondary danger" aria-label=${`Delete ${p.name}`} onClick=${() => setDeleting(p)}>Delete</button>
              </td>
            </tr>`)}</tbody>
          </table></div>`}
    <${LastExchanges} events=${exchanges} error=${exchangesError} onRefresh=${loadExchanges} org=${ctx.org.name} />
    ${creating
      ? html`<${PolicyForm} ctx=${ctx} base=${base} workspaces=${workspaces} onClose=${() => setCreating(false)} onDone=${(p: OidcPolicy) => {
          setCreating(false);
          toast(`Created trust policy ${p.name}`);
          void load();
        }} />`
      : null}
    ${editing
      ? html`<${PolicyForm} ctx=${ctx} base=${base} workspaces=${workspaces} policy=${editing} onClose=${() => setEditing(null)} onDone=${(p: OidcPolicy) => {
          setEditing(null);
          toast(`Saved trust policy ${p.name}`);
          void load();
        }} />`
      : null}
    ${testing ? html`<${TestPolicy} policy=${testing} base=${base} onClose=${() => setTesting(null)} />` : null}
    ${deleting
      ? html`<${Dialog} title="Delete trust policy" onClose=${() => setDeleting(null)}>
          <p>Delete the trust policy <strong>${deleting.name}</strong> (${deleting.environment})? The tokens it minted are revoked at once, and workflows it trusts can no longer exchange their OIDC token.</p>
          <div class="buttons"><button type="button" class="secondary" onClick=${() => setDeleting(null)}>Cancel</button>
            <button type="button" class="danger" onClick=${async () => {
              try {
                await api('DELETE', `${base}/${seg(deleting.id)}`);
                toast(`Deleted trust policy ${deleting.name}`);
                setError(null);
              } catch (err) {
                setError(errorMessage(err));
              }
              setDeleting(null);
              void load();
            }}>Delete policy</button></div>
        <//>`
      : null}
  </section>`;
}

/** Create a policy, or edit `policy` (PATCH with only what differs, so an unchanged form gets "No changes to save"). */
function PolicyForm(props: { ctx: PageContext; base: string; workspaces: Workspace[]; policy?: OidcPolicy; onClose: () => void; onDone: (p: OidcPolicy) => void }) {
  const [error, setError] = useState<string | null>(null);
  const old = props.policy;
  // Controlled fields: adding or removing a claim row re-renders the form and must keep what was typed.
  const [fields, setFields] = useState(old
    ? { name: old.name, environment: old.environment, workspace: old.workspace ?? '', audience: old.audience, issuer: old.issuer, ttl: String(old.ttlSeconds) }
    : {
        name: '',
        environment: props.ctx.environments[0]?.slug ?? '',
        workspace: '',
        audience: location.origin,
        issuer: GITHUB_ACTIONS_ISSUER,
        ttl: String(OIDC_MAX_TTL_SECONDS),
      });
  const [rows, setRows] = useState<ClaimRow[]>(old
    ? Object.entries(old.claims).map(([name, value]) => ({ name, value }))
    : [{ name: 'repository', value: '' }, { name: 'ref', value: '' }]);
  const bind = (name: keyof typeof fields) => ({
    name,
    value: fields[name],
    onInput: (e: Event) => {
      const value = (e.target as HTMLInputElement | HTMLSelectElement).value;
      setFields((f) => ({ ...f, [name]: value }));
    },
  });
  const submit = async (e: Event) => {
    e.preventDefault();
    const ttl = fields.ttl.trim();
    const body: Record<string, unknown> = {
      name: fields.name.trim(),
      environment: fields.environment || props.ctx.environments[0]?.slug,
      workspace: fields.workspace || null,
      audience: fields.audience.trim(),
      issuer: fields.issuer.trim(),
      claims: claimsOf(rows),
      // Sent as typed (a number when it is one) so the server's rule and message decide.
      ...(ttl ? { ttlSeconds: /^\d+$/.test(ttl) ? Number(ttl) : ttl } : {}),
    };
    try {
      if (old) {
        const was: Record<string, unknown> = { name: old.name, environment: old.environment, workspace: old.workspace ?? null, audience: old.audience, issuer: old.issuer, claims: old.claims, ttlSeconds: old.ttlSeconds };
        const changed = Object.fromEntries(Object.entries(body).filter(([k, v]) => !sameValue(v, was[k])));
        props.onDone(await api<OidcPolicy>('PATCH', `${props.base}/${seg(old.id)}`, { body: changed }));
      } else {
        if (body.workspace === null) delete body.workspace;
        props.onDone(await api<OidcPolicy>('POST', props.base, { body }));
      }
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return html`<${Dialog} title=${old ? `Edit ${old.name}` : 'Create trust policy'} wide=${true} onClose=${props.onClose}>
    <form onSubmit=${submit} novalidate autocomplete="off">
      <label for="policy-name">Name</label>
      <input id="policy-name" ...${bind('name')} placeholder="deploy-from-main" />
      <label for="policy-env">Environment</label>
      <select id="policy-env" ...${bind('environment')}>${props.ctx.environments.map((e) => html`<option value=${e.slug}>${e.name}</option>`)}</select>
      ${props.workspaces.length > 0 || fields.workspace
        ? html`<label for="policy-workspace">Workspace</label>
            <select id="policy-workspace" ...${bind('workspace')} aria-describedby="policy-workspace-hint">
              <option value="">None: the organization's secrets</option>
              ${props.workspaces.map((w) => html`<option value=${w.slug}>${w.name}</option>`)}
            </select>
            <p class="hint" id="policy-workspace-hint">Tokens minted by a policy bound to a workspace read that workspace's secrets (its own and the organization's available to it) and nothing else.</p>`
        : null}
      <label for="policy-audience">Audience</label>
      <input id="policy-audience" ...${bind('audience')} class="mono" aria-describedby="policy-audience-hint" />
      <p class="hint" id="policy-audience-hint">The <code>aud</code> the workflow asks for; the GitHub Action's default is this server's URL.</p>
      <label for="policy-issuer">Issuer</label>
      <input id="policy-issuer" ...${bind('issuer')} class="mono" />
      <fieldset class="plain">
        <legend>Claim conditions</legend>
        <p class="hint">An exact value or a glob: <code>*</code> any run of characters except <code>/</code>, <code>**</code> any run, <code>?</code> one character. The policy must bind the repository or its owner.</p>
        <${ClaimRows} rows=${rows} onChange=${setRows} valueLabel="value or glob" idPrefix="policy-claim" />
      </fieldset>
      <label for="policy-ttl">Token TTL (seconds)</label>
      <input id="policy-ttl" ...${bind('ttl')} type="number" min="60" max=${OIDC_MAX_TTL_SECONDS} aria-describedby="policy-ttl-hint" />
      <p class="hint" id="policy-ttl-hint">How long a minted token lives: 60 to ${OIDC_MAX_TTL_SECONDS} seconds.</p>
      <${ErrorText} message=${error} />
      <div class="buttons"><button type="button" class="secondary" onClick=${props.onClose}>Cancel</button>
        <button type="submit">${old ? 'Save policy' : 'Create policy'}</button></div>
    </form>
  <//>`;
}

function TestPolicy(props: { policy: OidcPolicy; base: string; onClose: () => void }) {
  const [rows, setRows] = useState<ClaimRow[]>(() => Object.keys(props.policy.claims).map((name) => ({ name, value: '' })));
  const [result, setResult] = useState<OidcDryRun | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    try {
      setResult(await api<OidcDryRun>('POST', `${props.base}/${seg(props.policy.id)}/test`, { body: { claims: claimsOf(rows) } }));
      setError(null);
    } catch (err) {
      setResult(null);
      setError(errorMessage(err));
    }
  };
  return html`<${Dialog} title=${`Test ${props.policy.name}`} wide=${true} onClose=${props.onClose}>
    <p class="hint">A dry run: enter the claims a workflow's token would carry and see, claim by claim, whether this policy would accept it. Signature and times are not checked.</p>
    <form onSubmit=${submit} novalidate autocomplete="off">
      <fieldset class="plain">
        <legend>Token claims</legend>
        <${ClaimRows} rows=${rows} onChange=${setRows} valueLabel="value" idPrefix="test-claim" />
      </fieldset>
      <${ErrorText} message=${error} />
      <div class="buttons"><button type="button" class="secondary" onClick=${props.onClose}>Close</button>
        <button type="submit">Run test</button></div>
    </form>
    ${result
      ? html`<div role="status">
          <p class=${`verdict outcome ${result.accepted ? 'allowed' : 'denied'}`}>${result.accepted ? 'Accepted: a workflow with these claims would get a token.' : 'Refused: a workflow with these claims would get no token.'}</p>
          <div class="table-wrap" tabindex="0"><table>
            <caption class="visually-hidden">Checks of ${props.policy.name}</caption>
            <thead><tr><th scope="col">Claim</th><th scope="col">Expected</th><th scope="col">Got</th><th scope="col">Result</th><th scope="col">Explanation</th></tr></thead>
            <tbody>${result.checks.map((c) => html`<tr key=${c.claim}>
              <th scope="row"><code>${c.claim}</code></th><td class="wrap"><code>${c.expected}</code></td>
              <td class="wrap">${c.got === null ? html`<span class="muted">missing</span>` : html`<code>${c.got}</code>`}</td>
              <td class=${`outcome ${c.ok ? 'allowed' : 'denied'}`}>${c.ok ? 'pass' : 'fail'}</td><td>${c.explanation}</td>
            </tr>`)}</tbody>
          </table></div>
        </div>`
      : null}
  <//>`;
}

function LastExchanges(props: { events: AuditEvent[] | null; error: string | null; onRefresh: () => void; org: string }) {
  return html`<section aria-labelledby="last-exchanges">
    <div class="page-head section-head">
      <h2 id="last-exchanges">Last exchanges</h2>
      <button type="button" class="secondary" onClick=${props.onRefresh}>Refresh</button>
    </div>
    <${ErrorText} message=${props.error} />
    ${props.events === null
      ? html`<p aria-busy="true">Loading…</p>`
      : props.events.length === 0
        ? html`<div class="empty"><p>No exchanges yet. They appear here when a workflow exchanges its OIDC token.</p></div>`
        : html`<div class="table-wrap" tabindex="0"><table>
            <caption class="visually-hidden">The newest OIDC exchanges of ${props.org}</caption>
            <thead><tr><th scope="col">Time</th><th scope="col">Outcome</th><th scope="col">Policy</th><th scope="col">Repository</th>
              <th scope="col">Workflow</th><th scope="col">Ref</th><th scope="col">Run ID</th><th scope="col">Reason</th></tr></thead>
            <tbody>${props.events.map((e) => {
              const d: AuditDetails = e.details ?? {};
              const w: WorkflowContext = d.workflow ?? {};
              const refusal = d.refusals?.[0];
              const policy = d.policy?.name ?? refusal?.policy?.name;
              return html`<tr key=${e.id}>
                <td><time datetime=${e.time}>${when(e.time)}</time></td>
                <td class=${`outcome ${e.outcome}`}>${OUTCOME_WORDS[e.outcome]}</td>
                <td>${policy ?? '—'}</td><td class="wrap">${w.repository ?? '—'}</td><td class="wrap">${w.workflow ?? '—'}</td>
                <td class="wrap">${w.ref ?? '—'}</td><td>${w.runId ?? '—'}</td>
                <td class="wrap">${refusal?.reason ?? ''}</td>
              </tr>`;
            })}</tbody>
          </table></div>`}
  </section>`;
}

/** Equal as the server would store them: claims compare as maps, whatever the order of the rows. */
function sameValue(a: unknown, b: unknown): boolean {
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const x = Object.entries(a).sort(([p], [q]) => (p < q ? -1 : 1));
    const y = Object.entries(b).sort(([p], [q]) => (p < q ? -1 : 1));
    return JSON.stringify(x) === JSON.stringify(y);
  }
  return a === b;
}
