// Pages are paths (/secrets, /audit, …) in the browser's history. Only page names ever go into a URL:
// never a token, a value, a key being revealed or a search. `least`: the role below which the page is
// left out of the navigation (the server refuses its requests anyway).
import type { Role } from '../../core/api-types.ts';

export const PAGES: readonly { path: string; title: string; least?: Role }[] = [
  { path: '/secrets', title: 'Secrets' },
  { path: '/workspaces', title: 'Workspaces' },
  { path: '/audit', title: 'Audit Logs' },
  { path: '/members', title: 'Members' },
  { path: '/tokens', title: 'Service tokens' },
  { path: '/trust-policies', title: 'Trust policies', least: 'admin' },
  { path: '/environments', title: 'Environments' },
  { path: '/organizations', title: 'Organizations' },
  { path: '/account', title: 'My account' },
];

export type PagePath = '/secrets' | '/workspaces' | '/audit' | '/members' | '/tokens' | '/trust-policies' | '/environments' | '/organizations' | '/account';

export function pageOf(pathname: string): PagePath {
  return (PAGES.find((p) => p.path === pathname)?.path as PagePath | undefined) ?? '/secrets';
}
