// The history drawer of one secret: every kept version, newest first, with who wrote it and when.
// An old value is revealed like a current one (Editor+, audited by the server) and masked again after
// the session's revealSeconds; closing the drawer forgets every value it showed. Rolling back asks
// first and sends If-Match of the current version the drawer shows, so a change made meanwhile by
// someone else is refused (412) rather than silently overwritten.
// `base` is the secrets path of an environment (an organization's or a workspace's).
import { html } from 'htm/preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { RevealedSecret, SecretMeta, SecretVersion, SecretVersionList } from '../../../core/api-types.ts';
import { api, errorMessage, seg } from '../api.ts';
import { Dialog, ErrorText } from '../ui/dialog.ts';
import { whenExact as when } from '../ui/format.ts';
import { EyeIcon, EyeOffIcon } from '../ui/icons.ts';
import { toast } from '../ui/toast.ts';

const MASK = '••••••••';

export interface HistoryProps {
  base: string;
  secretKey: string;
  /** Editor+ (or the workspace's writers): may reveal old values. */
  canReveal: boolean;
  /** May roll back (false for an organization secret seen read-only from a workspace). */
  canRollBack: boolean;
  revealSeconds: number;
  onClose: () => void;
  onRolledBack: (meta: SecretMeta) => void;
}

export function SecretHistory(props: HistoryProps) {
  const key = props.secretKey;
  const path = `${props.base}/${seg(key)}`;
  const [versions, setVersions] = useState<SecretVersion[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [revealed, setRevealed] = useState<Record<number, string>>({});
  const [confirming, setConfirming] = useState<{ version: number; current: number } | null>(null);
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());

  const load = useCallback(async () => {
    try {
      setVersions((await api<SecretVersionList>('GET', `${path}/versions`)).versions);
    } catch (err) {
      setVersions((v) => v ?? []);
      setError(errorMessage(err));
    }
  }, [path]);
  useEffect(() => void load(), [load]);
  useEffect(() => () => {
    for (const t of timers.current.values()) clearTimeout(t);
    timers.current.clear();
  }, []);

  const mask = (version: number) => {
    clearTimeout(timers.current.get(version));
    timers.current.delete(version);
    setRevealed(({ [version]: _gone, ...rest }) => rest);
  };
  const reveal = async (version: number) => {
    try {
      const r = await api<RevealedSecret>('POST', `${path}/versions/${version}/reveal`);
      setRevealed((m) => ({ ...m, [version]: r.value }));
      clearTimeout(timers.current.get(version));
      timers.current.set(version, setTimeout(() => mask(version), props.revealSeconds * 1000));
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  const rollBack = async () => {
    if (!confirming) return;
    const { version, current } = confirming;
    setConfirming(null);
    try {
      const meta = await api<SecretMeta>('POST', `${path}/rollback`, { body: { version }, headers: { 'if-match': `"${current}"` } });
      setError(null);
      toast(`Rolled ${key} back to version ${version}: now version ${meta.version}`);
      props.onRolledBack(meta);
    } catch (err) {
      setError(errorMessage(err));
    }
    void load();
  };

  const current = versions?.[0]?.version;
  return html`<${Dialog} title=${`History of ${key}`} drawer=${true} onClose=${props.onClose}>
    <p class="hint">Every kept version, newest first. Values stay hidden unless revealed; a revealed value is hidden again after ${props.revealSeconds} seconds.</p>
    <${ErrorText} message=${error} />
    ${versions === null
      ? html`<p aria-busy="true">Loading…</p>`
      : versions.length === 0
        ? html`<div class="empty"><p>No versions kept.</p></div>`
        : html`<div class="table-wrap" tabindex="0"><table>
            <caption class="visually-hidden">Versions of ${key}</caption>
            <thead><tr><th scope="col">Version</th><th scope="col">Written</th><th scope="col">By</th><th scope="col">Description</th>
              <th scope="col">Value</th>${props.canReveal || props.canRollBack ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : null}</tr></thead>
            <tbody>${versions.map((v) => html`<tr key=${v.version}>
              <th scope="row">${v.version}${v.version === current ? html`<span class="current">current</span>` : null}</th>
              <td><time datetime=${v.createdAt}>${when(v.createdAt)}</time></td>
              <td>${v.createdBy}</td>
              <td>${v.description || html`<span class="muted">—</span>`}</td>
              <td class="value">${v.version in revealed
                ? html`<code class="revealed" data-revealed-version=${v.version}>${revealed[v.version]}</code>`
                : html`<span class="masked" aria-label="Value hidden">${MASK}</span>`}</td>
              ${props.canReveal || props.canRollBack
                ? html`<td class="actions">
                    ${props.canReveal
                      ? v.version in revealed
                        ? html`<button type="button" class="icon" aria-label=${`Hide version ${v.version}`} title="Hide" onClick=${() => mask(v.version)}><${EyeOffIcon} /></button>`
                        : html`<button type="button" class="icon" aria-label=${`Reveal version ${v.version}`} title="Reveal" onClick=${() => reveal(v.version)}><${EyeIcon} /></button>`
                      : null}
                    ${props.canRollBack && v.version !== current && current !== undefined
                      ? html`<button type="button" class="secondary" aria-label=${`Roll back to version ${v.version}`}
                          onClick=${() => setConfirming({ version: v.version, current })}>Roll back</button>`
                      : null}
                  </td>`
                : null}
            </tr>`)}</tbody>
          </table></div>`}
    <div class="buttons"><button type="button" class="secondary" onClick=${props.onClose}>Close</button></div>
    ${confirming
      ? html`<${Dialog} title=${`Roll back ${key}`} onClose=${() => setConfirming(null)}>
          <p>Make version ${confirming.current + 1} of <code class="key-confirm">${key}</code> with the value and description of version ${confirming.version}?</p>
          <p class="hint">Version ${confirming.current} stays in the history. If someone changed ${key} since this list was shown, nothing is changed and you are told.</p>
          <div class="buttons"><button type="button" class="secondary" onClick=${() => setConfirming(null)}>Cancel</button>
            <button type="button" onClick=${rollBack}>Roll back to version ${confirming.version}</button></div>
        <//>`
      : null}
  <//>`;
}
