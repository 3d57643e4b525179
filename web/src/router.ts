// Pages are paths (/secrets, /audit, …) in the browser's history. Only page names ever go into a URL:
// never a token, a value, a key being revealed or a search.
export const PAGES = [
  { path: '/secrets', title: 'Secrets' },
  { path: '/audit', title: 'Audit Logs' },
  { path: '/members', title: 'Members' },
  { path: '/tokens', title: 'Service tokens' },
  { path: '/environments', title: 'Environments' },
  { path: '/organizations', title: 'Organizations' },
  { path: '/account', title: 'My account' },
] as const;

export type PagePath = (typeof PAGES)[number]['path'];

export function pageOf(pathname: string): PagePath {
  return PAGES.find((p) => p.path === pathname)?.path ?? '/secrets';
}
