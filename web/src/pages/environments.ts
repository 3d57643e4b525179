// Environments of the organization: list, and create (Admin+).
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { Environment } from '../../../core/api-types.ts';
import { api, errorMessage, seg } from '../api.ts';
import type { PageContext } from '../context.ts';
import { ErrorText } from '../ui/dialog.ts';
import { atLeast, when } from '../ui/format.ts';
import { toast } from '../ui/toast.ts';

export function EnvironmentsPage({ ctx }: { ctx: PageContext }) {
  const [error, setError] = useState<string | null>(null);
  const admin = atLeast(ctx.org.role, 'admin');
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const slug = (form.elements.namedItem('slug') as HTMLInputElement).value.trim();
    const name = (form.elements.namedItem('name') as HTMLInputElement).value.trim();
    try {
      const env = await api<Environment>('POST', `/v1/orgs/${seg(ctx.org.slug)}/environments`, { body: name ? { slug, name } : { slug } });
      form.reset();
      setError(null);
      toast(`Created environment ${env.name}`);
      await ctx.reloadEnvironments();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return html`<section>
    <h1>Environments</h1>
    <p class="hint">Each environment is isolated: the same key can hold different values in development and production.</p>
    ${ctx.environments.length === 0
      ? html`<div class="empty"><p>No environments yet.${admin ? ' Create one below.' : ' Ask an Admin to create one.'}</p></div>`
      : html`<div class="table-wrap" tabindex="0"><table>
          <caption class="visually-hidden">Environments of ${ctx.org.name}</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">Slug</th><th scope="col">Created</th></tr></thead>
          <tbody>${ctx.environments.map((e) => html`<tr key=${e.slug}><th scope="row">${e.name}</th><td><code>${e.slug}</code></td><td>${when(e.createdAt)}</td></tr>`)}</tbody>
        </table></div>`}
    ${admin
      ? html`<form class="inline-form" onSubmit=${submit} novalidate autocomplete="off">
          <h2>Create environment</h2>
          <label for="env-slug">Slug</label>
          <input id="env-slug" name="slug" placeholder="qa" aria-describedby="env-slug-hint" />
          <p class="hint" id="env-slug-hint">Lowercase letters, digits and dashes.</p>
          <label for="env-name">Name <span class="muted">(optional)</span></label>
          <input id="env-name" name="name" placeholder="QA" />
          <${ErrorText} message=${error} />
          <button type="submit">Create environment</button>
        </form>`
      : null}
  </section>`;
}
