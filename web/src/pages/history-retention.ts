// The current organization's history retention (docs/api.md, History retention): how long replaced
// versions of its secrets stay readable, revealable and restorable. Every member reads it; Admins and
// Owners change it. The bounds are the server's to enforce: what was typed is sent as typed (a number,
// or null when empty) so a refused value is explained by the server's own message.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { HISTORY_RETENTION_MAX_DAYS, HISTORY_RETENTION_MAX_VERSIONS, type HistoryRetention } from '../../../core/api-types.ts';
import { api, errorMessage, seg } from '../api.ts';
import type { PageContext } from '../context.ts';
import { ErrorText } from '../ui/dialog.ts';
import { atLeast, when } from '../ui/format.ts';
import { toast } from '../ui/toast.ts';

/** An empty field is sent as null (the server names it), anything else as the number it reads as. */
function typedNumber(form: HTMLFormElement, name: string): number | null {
  const text = (form.elements.namedItem(name) as HTMLInputElement).value.trim();
  return text === '' ? null : Number(text);
}

export function HistoryRetentionSettings({ ctx }: { ctx: PageContext }) {
  const [retention, setRetention] = useState<HistoryRetention | null>(null);
  const [error, setError] = useState<string | null>(null);
  const admin = atLeast(ctx.org.role, 'admin');
  const path = `/v1/orgs/${seg(ctx.org.slug)}/settings/history-retention`;

  useEffect(() => {
    api<HistoryRetention>('GET', path).then(
      (r) => { setRetention(r); setError(null); },
      (err) => setError(errorMessage(err)),
    );
  }, [path]);

  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    try {
      const saved = await api<HistoryRetention>('PUT', path, { body: { days: typedNumber(form, 'days'), minVersions: typedNumber(form, 'minVersions') } });
      setRetention(saved);
      setError(null);
      toast(`Saved the history retention of ${ctx.org.name}`);
    } catch (err) {
      setError(errorMessage(err));
    }
  };

  const changed = retention
    ? retention.updatedAt
      ? `${when(retention.updatedAt)} by ${retention.updatedBy ?? 'someone'}`
      : 'Never: these are the defaults'
    : '';
  return html`<section aria-labelledby="retention-title" class="settings">
    <h2 id="retention-title">History retention of ${ctx.org.name}</h2>
    <p class="hint">Replaced versions of every secret stay readable, revealable and restorable until this many days after they were replaced, and the newest versions of every secret are kept however old: whichever keeps more. The current version is never removed.</p>
    ${retention === null
      ? error ? html`<${ErrorText} message=${error} />` : html`<p aria-busy="true">Loading…</p>`
      : admin
        ? html`<form class="inline-form" onSubmit=${submit} novalidate autocomplete="off" key=${retention.updatedAt ?? 'defaults'}>
            <label for="retention-days">Days a replaced version is kept</label>
            <input id="retention-days" name="days" type="number" inputmode="numeric" min="1" max=${HISTORY_RETENTION_MAX_DAYS} step="1"
              defaultValue=${String(retention.days)} aria-describedby="retention-days-hint" />
            <p class="hint" id="retention-days-hint">1 to ${HISTORY_RETENTION_MAX_DAYS} days.</p>
            <label for="retention-versions">Versions always kept per secret</label>
            <input id="retention-versions" name="minVersions" type="number" inputmode="numeric" min="1" max=${HISTORY_RETENTION_MAX_VERSIONS} step="1"
              defaultValue=${String(retention.minVersions)} aria-describedby="retention-versions-hint" />
            <p class="hint" id="retention-versions-hint">1 to ${HISTORY_RETENTION_MAX_VERSIONS}, the current version included.</p>
            <p class="hint">Last changed: ${changed}</p>
            <${ErrorText} message=${error} />
            <button type="submit">Save retention</button>
          </form>`
        : html`<dl class="facts">
            <dt>Days a replaced version is kept</dt><dd>${retention.days}</dd>
            <dt>Versions always kept per secret</dt><dd>${retention.minVersions}</dd>
            <dt>Last changed</dt><dd>${changed}</dd>
          </dl>
          <p class="hint">Only the organization's Admins and Owners can change it.</p>`}
  </section>`;
}
