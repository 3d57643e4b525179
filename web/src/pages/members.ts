// Members: who belongs to the organization and with which role; Admins and Owners invite, change
// roles and remove. The rules are the API's (an Admin cannot demote, remove or create an Owner); the
// page offers only what the API would allow and shows the API's message when it refuses.
import { html } from 'htm/preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Member, Role } from '../../../core/api-types.ts';
import { api, errorMessage, seg } from '../api.ts';
import type { PageContext } from '../context.ts';
import { CopyButton } from '../ui/copy.ts';
import { Dialog, ErrorText } from '../ui/dialog.ts';
import { atLeast, ROLE_NAMES, when } from '../ui/format.ts';
import { toast } from '../ui/toast.ts';

interface Invitation {
  id: string;
  email: string;
  role: Role;
  expiresAt: string;
  link?: string;
  url?: string;
}

const ROLES: Role[] = ['owner', 'admin', 'editor', 'viewer'];

export function MembersPage({ ctx }: { ctx: PageContext }) {
  const [members, setMembers] = useState<Member[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [removing, setRemoving] = useState<Member | null>(null);
  const [inviting, setInviting] = useState(false);
  const [link, setLink] = useState<string | null>(null);
  const [invited, setInvited] = useState(0);
  const myRole = ctx.org.role;
  const manager = atLeast(myRole, 'admin');
  const base = `/v1/orgs/${seg(ctx.org.slug)}/members`;

  const load = useCallback(async () => {
    try {
      setMembers((await api<{ members: Member[] }>('GET', base)).members);
    } catch (err) {
      setMembers((m) => m ?? []);
      setError(errorMessage(err));
    }
  }, [base]);
  useEffect(() => void load(), [load]);

  /** What the API allows the caller to do to this member's role. */
  const mayManage = (m: Member) => manager && (myRole === 'owner' || m.role !== 'owner');
  const grantable = myRole === 'owner' ? ROLES : ROLES.filter((r) => r !== 'owner');

  const changeRole = async (m: Member, role: Role) => {
    try {
      await api('PUT', `${base}/${seg(m.userId)}`, { body: { role } });
      toast(`${m.name} is now ${ROLE_NAMES[role]}`);
      setError(null);
    } catch (err) {
      setError(errorMessage(err));
    }
    void load();
  };

  return html`<section>
    <div class="page-head">
      <h1>Members</h1>
      ${manager ? html`<button type="button" onClick=${() => setInviting(true)}>Invite member</button>` : null}
    </div>
    <${ErrorText} message=${error} />
    ${members === null
      ? html`<p aria-busy="true">Loading…</p>`
      : members.length === 0
        ? html`<div class="empty"><p>No members to show. ${manager ? 'Invite someone with Invite member.' : ''}</p></div>`
        : html`<div class="table-wrap" tabindex="0"><table>
            <caption class="visually-hidden">Members of ${ctx.org.name}</caption>
            <thead><tr><th scope="col">Name</th><th scope="col">E-mail</th><th scope="col">Role</th><th scope="col">Added</th>
              ${manager ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : null}</tr></thead>
            <tbody>${members.map((m) => html`<tr key=${m.userId}>
              <th scope="row">${m.name}${m.userId === ctx.session.user.id ? html` <span class="muted">(you)</span>` : null}</th>
              <td>${m.email}</td>
              <td>${mayManage(m)
                ? html`<select aria-label=${`Role of ${m.name}`} value=${m.role}
                    onChange=${(e: Event) => changeRole(m, (e.target as HTMLSelectElement).value as Role)}>
                    ${grantable.map((r) => html`<option value=${r}>${ROLE_NAMES[r]}</option>`)}
                  </select>`
                : html`<span class=${`role-badge ${m.role}`}>${ROLE_NAMES[m.role]}</span>`}</td>
              <td>${when(m.addedAt)}</td>
              ${manager ? html`<td class="actions">${mayManage(m)
                ? html`<button type="button" class="secondary danger" aria-label=${`Remove ${m.name}`} onClick=${() => setRemoving(m)}>Remove</button>`
                : html`<span class="muted">Only an Owner can change an Owner</span>`}</td>` : null}
            </tr>`)}</tbody>
          </table></div>`}
    ${manager ? html`<${Invitations} key=${invited} ctx=${ctx} />` : null}
    ${removing
      ? html`<${RemoveMember} base=${base} member=${removing} onClose=${() => setRemoving(null)} onDone=${() => {
          toast(`Removed ${removing.name}`);
          setRemoving(null);
          void load();
        }} />`
      : null}
    ${inviting
      ? html`<${InviteMember} ctx=${ctx} grantable=${grantable} onClose=${() => setInviting(false)} onDone=${(l: string) => {
          setInviting(false);
          setInvited((n) => n + 1);
          setLink(l);
        }} />`
      : null}
    ${link
      ? html`<${Dialog} title="Invitation created" onClose=${() => setLink(null)}>
          <p>Send this link to the person you invited. It is shown only once and is valid for 7 days.</p>
          <input class="mono" readonly value=${link} aria-label="Invitation link" />
          <div class="buttons"><${CopyButton} text=${link} label="Copy link" clearAfterSeconds=${ctx.session.revealSeconds} />
            <button type="button" onClick=${() => setLink(null)}>Done</button></div>
        <//>`
      : null}
  </section>`;
}

function RemoveMember(props: { base: string; member: Member; onClose: () => void; onDone: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const remove = async () => {
    try {
      await api('DELETE', `${props.base}/${seg(props.member.userId)}`);
      props.onDone();
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return html`<${Dialog} title="Remove member" onClose=${props.onClose}>
    <p>Remove ${props.member.name} (${props.member.email}) from this organization? They lose access to all its secrets.</p>
    <${ErrorText} message=${error} />
    <div class="buttons"><button type="button" class="secondary" onClick=${props.onClose}>Cancel</button>
      <button type="button" class="danger" onClick=${remove}>Remove</button></div>
  <//>`;
}

function InviteMember(props: { ctx: PageContext; grantable: Role[]; onClose: () => void; onDone: (link: string) => void }) {
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const email = (form.elements.namedItem('email') as HTMLInputElement).value.trim();
    const role = (form.elements.namedItem('role') as HTMLSelectElement).value;
    try {
      const inv = await api<Invitation>('POST', `/v1/orgs/${seg(props.ctx.org.slug)}/invitations`, { body: { email, role } });
      props.onDone(inv.link ?? inv.url ?? '');
    } catch (err) {
      setError(errorMessage(err));
    }
  };
  return html`<${Dialog} title="Invite member" onClose=${props.onClose}>
    <form onSubmit=${submit} novalidate>
      <label for="invite-email">E-mail</label>
      <input id="invite-email" name="email" type="email" autocomplete="off" />
      <label for="invite-role">Role</label>
      <select id="invite-role" name="role">${props.grantable.map((r) => html`<option value=${r} selected=${r === 'editor'}>${ROLE_NAMES[r]}</option>`)}</select>
      <${ErrorText} message=${error} />
      <div class="buttons"><button type="button" class="secondary" onClick=${props.onClose}>Cancel</button>
        <button type="submit">Create invitation</button></div>
    </form>
  <//>`;
}

function Invitations({ ctx }: { ctx: PageContext }) {
  const [list, setList] = useState<Invitation[] | null>(null);
  const base = `/v1/orgs/${seg(ctx.org.slug)}/invitations`;
  const load = useCallback(async () => {
    try {
      setList((await api<{ invitations: Invitation[] }>('GET', base)).invitations);
    } catch {
      setList(null);
    }
  }, [base]);
  useEffect(() => void load(), [load]);
  if (!list || list.length === 0) return null;
  const revoke = async (inv: Invitation) => {
    try {
      await api('DELETE', `${base}/${seg(inv.id)}`);
      toast(`Revoked the invitation of ${inv.email}`);
    } catch (err) {
      toast(errorMessage(err));
    }
    void load();
  };
  return html`<h2>Pending invitations</h2>
    <div class="table-wrap" tabindex="0"><table>
      <thead><tr><th scope="col">E-mail</th><th scope="col">Role</th><th scope="col">Expires</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
      <tbody>${list.map((inv) => html`<tr key=${inv.id}><td>${inv.email}</td><td>${ROLE_NAMES[inv.role]}</td><td>${when(inv.expiresAt)}</td>
        <td><button type="button" class="secondary" aria-label=${`Revoke invitation of ${inv.email}`} onClick=${() => revoke(inv)}>Revoke</button></td></tr>`)}</tbody>
    </table></div>`;
}
