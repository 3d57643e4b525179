// The dashboard shell: sign-in when there is no session, otherwise the header (organization dropdown,
// who is signed in, sign out), the navigation and the page of the current path.
import { html } from 'htm/preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Environment, Org } from '../../core/api-types.ts';
import { api, errorMessage, seg, whenUnauthorized } from './api.ts';
import type { PageContext } from './context.ts';
import { PAGES, pageOf, type PagePath } from './router.ts';
import { adoptSession, currentSession, signOut, type SessionInfo } from './session.ts';
import type { AcceptedInvitation } from '../../core/api-types.ts';
import { InvitePage } from './pages/invite.ts';
import { Toasts, toast } from './ui/toast.ts';
import { atLeast, ROLE_NAMES } from './ui/format.ts';
import { SignIn } from './pages/sign-in.ts';
import { SecretsPage } from './pages/secrets.ts';
import { WorkspacesPage } from './pages/workspaces.ts';
import { AuditPage } from './pages/audit.ts';
import { MembersPage } from './pages/members.ts';
import { TokensPage } from './pages/tokens.ts';
import { TrustPoliciesPage } from './pages/trust-policies.ts';
import { EnvironmentsPage } from './pages/environments.ts';
import { OrganizationsPage } from './pages/organizations.ts';
import { AccountPage } from './pages/account.ts';

const PAGE_COMPONENTS: Record<PagePath, (props: { ctx: PageContext }) => unknown> = {
  '/secrets': SecretsPage,
  '/workspaces': WorkspacesPage,
  '/audit': AuditPage,
  '/members': MembersPage,
  '/tokens': TokensPage,
  '/trust-policies': TrustPoliciesPage,
  '/environments': EnvironmentsPage,
  '/organizations': OrganizationsPage,
  '/account': AccountPage,
};

const NO_ORG: Org = { slug: '', name: '', role: 'viewer', createdAt: '' };

export function App() {
  const [session, setSession] = useState<SessionInfo | null | undefined>(undefined);
  const [notice, setNotice] = useState<string | null>(null);
  const [inviting, setInviting] = useState(location.pathname === '/invite');
  const [joined, setJoined] = useState<string | undefined>(undefined);
  useEffect(() => {
    whenUnauthorized(() => {
      setSession(null);
      setNotice('Your session has ended. Sign in again.');
    });
    void currentSession().then(setSession);
  }, []);
  if (session === undefined) return html`<main class="loading" aria-busy="true"><p>Loading…</p></main>`;
  if (inviting) {
    const accepted = async (answer: AcceptedInvitation) => {
      const next = answer.session ? await adoptSession(answer.session) : session;
      history.replaceState(null, '', '/secrets');
      setJoined(answer.organization.slug);
      setInviting(false);
      setSession(next);
      toast(`You joined ${answer.organization.name}`);
    };
    return html`<${InvitePage} session=${session} onAccepted=${accepted} /><${Toasts} />`;
  }
  if (session === null) {
    return html`<${SignIn} notice=${notice} onSignedIn=${(s: SessionInfo) => { setNotice(null); setSession(s); }} /><${Toasts} />`;
  }
  return html`<${Shell} session=${session} initialOrg=${joined} onSignedOut=${() => setSession(null)} /><${Toasts} />`;
}

function Shell(props: { session: SessionInfo; initialOrg?: string; onSignedOut: () => void }) {
  const [path, setPath] = useState<PagePath>(pageOf(location.pathname));
  // Bumped by every navigation: following the link of the page already shown starts it afresh (a
  // workspace's details go back to the list of workspaces).
  const [visit, setVisit] = useState(0);
  const [orgs, setOrgs] = useState<Org[] | null>(null);
  const [orgSlug, setOrgSlug] = useState<string | null>(null);
  const [environments, setEnvironments] = useState<Environment[]>([]);
  const [error, setError] = useState<string | null>(null);

  const navigate = useCallback((to: string) => {
    const page = pageOf(to);
    if (location.pathname !== page) history.pushState(null, '', page);
    setPath(page);
    setVisit((v) => v + 1);
  }, []);
  useEffect(() => {
    const onPop = () => setPath(pageOf(location.pathname));
    addEventListener('popstate', onPop);
    if (location.pathname !== pageOf(location.pathname)) history.replaceState(null, '', pageOf(location.pathname));
    return () => removeEventListener('popstate', onPop);
  }, []);
  useEffect(() => {
    const title = PAGES.find((p) => p.path === path)?.title ?? 'Secrets';
    document.title = `${title} · Secrets`;
  }, [path]);

  const reloadOrgs = useCallback(async (switchTo?: string) => {
    try {
      const list = (await api<{ orgs: Org[] }>('GET', '/v1/orgs')).orgs;
      setOrgs(list);
      setOrgSlug((current) => {
        if (switchTo && list.some((o) => o.slug === switchTo)) return switchTo;
        if (current && list.some((o) => o.slug === current)) return current;
        return list.find((o) => o.slug === 'default')?.slug ?? list[0]?.slug ?? null;
      });
    } catch (err) {
      setError(errorMessage(err));
    }
  }, []);
  useEffect(() => void reloadOrgs(props.initialOrg), [reloadOrgs]);

  const reloadEnvironments = useCallback(async () => {
    if (!orgSlug) return;
    try {
      setEnvironments((await api<{ environments: Environment[] }>('GET', `/v1/orgs/${seg(orgSlug)}/environments`)).environments);
    } catch (err) {
      setError(errorMessage(err));
    }
  }, [orgSlug]);
  useEffect(() => {
    setEnvironments([]);
    void reloadEnvironments();
  }, [reloadEnvironments]);

  const org = orgs?.find((o) => o.slug === orgSlug);
  const switchOrg = (slug: string) => {
    setOrgSlug(slug);
    const name = orgs?.find((o) => o.slug === slug)?.name ?? slug;
    toast(`Switched to organization ${name}`);
  };
  const doSignOut = async () => {
    try {
      await signOut();
    } catch {
      // The cookie may already be gone; either way this browser is signed out.
    }
    props.onSignedOut();
  };

  const Page = PAGE_COMPONENTS[path];
  const ctx: PageContext | null = org
    ? { session: props.session, org, orgs: orgs ?? [], environments, reloadOrgs, reloadEnvironments, switchOrg, navigate }
    : null;
  return html`
    <a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <span class="brand">Secrets</span>
      ${orgs && orgs.length > 0
        ? html`<label class="org-pick">
            <span>Organization</span>
            <select value=${orgSlug ?? ''} onChange=${(e: Event) => switchOrg((e.target as HTMLSelectElement).value)}>
              ${orgs.map((o) => html`<option value=${o.slug}>${o.name}</option>`)}
            </select>
          </label>`
        : null}
      <span class="who">${props.session.user.name}${org ? html` <span class="role">${ROLE_NAMES[org.role]}</span>` : null}</span>
      <button type="button" class="secondary" onClick=${doSignOut}>Sign out</button>
    </header>
    ${orgs === null && !error
      ? null
      : // Shown once the role is known: links that appeared later would shift under a click.
        html`<nav class="side" aria-label="Main">
      <ul>
        ${PAGES.filter((p) => !p.least || atLeast(org?.role, p.least)).map((p) => html`<li key=${p.path}><a href=${p.path} aria-current=${p.path === path ? 'page' : undefined}
            onClick=${(e: MouseEvent) => { if (e.ctrlKey || e.metaKey || e.shiftKey) return; e.preventDefault(); navigate(p.path); }}>${p.title}</a></li>`)}
      </ul>
    </nav>`}
    <main id="main" tabindex="-1">
      ${error ? html`<p class="error" role="alert">${error}</p>` : null}
      ${orgs && orgs.length === 0 && path !== '/organizations' && path !== '/account'
        ? html`<section class="empty"><h1>No organization yet</h1>
            <p>You are not a member of any organization. Create one on the <a href="/organizations" onClick=${(e: Event) => { e.preventDefault(); navigate('/organizations'); }}>Organizations</a> page, or ask an Admin to invite you.</p></section>`
        : ctx
          ? html`<${Page} key=${`${path}:${ctx.org.slug}:${visit}`} ctx=${ctx} />`
          : path === '/organizations' || path === '/account'
            ? // Someone in no organization can still create one or manage their account; those two
              // pages read nothing of the (empty) current organization.
              html`<${Page} ctx=${{ session: props.session, org: NO_ORG, orgs: [], environments: [], reloadOrgs, reloadEnvironments, switchOrg, navigate }} />`
            : html`<p aria-busy="true">Loading…</p>`}
    </main>`;
}
