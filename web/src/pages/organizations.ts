// Organizations the caller belongs to: switch between them, see (Admins and Owners: change) the current
// one's history retention, or create one (the creator is its Owner).
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { Org } from '../../../core/api-types.ts';
import { api, errorMessage } from '../api.ts';
import type { PageContext } from '../context.ts';
import { ErrorText } from '../ui/dialog.ts';
import { ROLE_NAMES, when } from '../ui/format.ts';
import { toast } from '../ui/toast.ts';
import { HistoryRetentionSettings } from './history-retention.ts';

export function OrganizationsPage({ ctx }: { ctx: PageContext }) {
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const slug = (form.elements.namedItem('slug') as HTMLInputElement).value.trim();
    const name = (form.elements.namedItem('name') as HTMLInputElement).value.trim();
    try {
      const org = await api<Org>('POST', '/v1/orgs', { body: { slug, name: name || slug } });
      form.reset();
      setError(null);
      toast(`Created organization ${org.name}`);
      await ctx.reloadOrgs(org.slug);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return html`<section>
    <h1>Organizations</h1>
    ${ctx.orgs.length === 0
      ? html`<div class="empty"><p>You are not a member of any organization yet. Create one below, or ask an Admin to invite you.</p></div>`
      : html`<div class="table-wrap" tabindex="0"><table>
          <caption class="visually-hidden">Your organizations</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">Slug</th><th scope="col">Your Role</th><th scope="col">Created</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
          <tbody>${ctx.orgs.map((o) => html`<tr key=${o.slug}>
            <th scope="row">${o.name}</th><td><code>${o.slug}</code></td><td>${ROLE_NAMES[o.role]}</td><td>${when(o.createdAt)}</td>
            <td>${o.slug === ctx.org.slug
              ? html`<span class="muted">Current</span>`
              : html`<button type="button" class="secondary" aria-label=${`Switch to ${o.name}`} onClick=${() => ctx.switchOrg(o.slug)}>Switch</button>`}</td>
          </tr>`)}</tbody>
        </table></div>`}
    ${ctx.org.slug ? html`<${HistoryRetentionSettings} key=${ctx.org.slug} ctx=${ctx} />` : null}
    <form class="inline-form" onSubmit=${submit} novalidate autocomplete="off">
      <h2>Create organization</h2>
      <label for="org-slug">Slug</label>
      <input id="org-slug" name="slug" placeholder="acme" aria-describedby="org-slug-hint" />
      <p class="hint" id="org-slug-hint">Lowercase letters, digits and dashes; used by the CLI and the Action.</p>
      <label for="org-name">Name</label>
      <input id="org-name" name="name" placeholder="Acme Inc." />
      <${ErrorText} message=${error} />
      <button type="submit">Create organization</button>
    </form>
  </section>`;
}
