// "Associated workspaces" of an organization secret: the workspaces that may use it, none chosen
// meaning every workspace (docs/api.md, "Organization secrets limited to workspaces").
import { html } from 'htm/preact';
import type { Workspace } from '../../../core/api-types.ts';

export function WorkspacePicker(props: { workspaces: Workspace[]; selected: string[]; onChange: (slugs: string[]) => void; idPrefix: string }) {
  const toggle = (slug: string, on: boolean) =>
    props.onChange(on ? [...props.selected, slug].sort() : props.selected.filter((s) => s !== slug));
  return html`<fieldset class="plain workspace-picker" aria-describedby=${`${props.idPrefix}-hint`}>
    <legend>Associated workspaces</legend>
    <p class="hint" id=${`${props.idPrefix}-hint`}>${props.selected.length === 0
      ? 'None chosen: available to all workspaces.'
      : `Only ${props.selected.join(', ')} can use this secret.`}</p>
    ${props.workspaces.map((w) => html`<label class="check" key=${w.slug}>
          <input type="checkbox" checked=${props.selected.includes(w.slug)}
            onChange=${(e: Event) => toggle(w.slug, (e.target as HTMLInputElement).checked)} />
          ${w.name} <span class="muted">(${w.slug})</span></label>`)}
  </fieldset>`;
}

/** How a secret's `workspaces` reads in a table. */
export function associatedWorkspaces(slugs: string[] | undefined, all: Workspace[] | null): string {
  if (!slugs || slugs.length === 0) return 'All workspaces';
  return slugs.map((s) => all?.find((w) => w.slug === s)?.name ?? s).join(', ');
}
