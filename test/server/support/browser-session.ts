// A browser's view of the session cookie, for the server's sign-in tests: what Set-Cookie said, and
// requests that carry the cookie the way a same-origin page of the dashboard would (Origin,
// Sec-Fetch-Site and X-CSRF-Token), each of which a test can leave out or falsify.
import assert from 'node:assert/strict';
import type { Session } from '../../../core/api-types.ts';
import type { Http, Reply } from './http.ts';

export interface SetCookie {
  name: string;
  value: string;
  /** Attribute names lowercased → value ('' for flags). */
  attributes: Map<string, string>;
}

export function parseSetCookie(headers: Headers): SetCookie[] {
  return headers.getSetCookie().map((line) => {
    const [pair, ...attrs] = line.split(';').map((p) => p.trim());
    const eq = pair!.indexOf('=');
    const attributes = new Map<string, string>();
    for (const a of attrs) {
      const i = a.indexOf('=');
      attributes.set((i < 0 ? a : a.slice(0, i)).toLowerCase(), i < 0 ? '' : a.slice(i + 1));
    }
    return { name: pair!.slice(0, eq), value: pair!.slice(eq + 1), attributes };
  });
}

export interface BrowserSession {
  cookie: SetCookie;
  session: Session;
  /** `name=value` for a Cookie header. */
  header: string;
}

export function sessionFrom(reply: Reply<Session>): BrowserSession {
  const cookies = parseSetCookie(reply.headers);
  assert.equal(cookies.length, 1, `one Set-Cookie expected: ${reply.headers.getSetCookie().join(' | ')}`);
  const cookie = cookies[0]!;
  return { cookie, session: reply.body, header: `${cookie.name}=${cookie.value}` };
}

export async function signInWithToken(api: Http, token: string, origin: string): Promise<BrowserSession> {
  const r = await api.request<Session>('POST', '/v1/session', { json: { token }, headers: { origin, 'sec-fetch-site': 'same-origin' } });
  assert.equal(r.status, 201, `sign in: ${r.status} ${r.text}`);
  return sessionFrom(r);
}

/** Headers of a same-origin fetch from the dashboard; `csrf: null` leaves the token out. */
export function pageHeaders(s: BrowserSession, origin: string, csrf: string | null = s.session.csrfToken): Record<string, string> {
  const h: Record<string, string> = { cookie: s.header, origin, 'sec-fetch-site': 'same-origin' };
  if (csrf !== null) h['x-csrf-token'] = csrf;
  return h;
}
