// The browser's session: created from a pasted personal token (POST /v1/session) or a passkey, then
// carried only by the HttpOnly cookie. What JavaScript keeps is the CSRF token and who is signed in;
// the pasted token is sent once and dropped.
import type { User } from '../../core/api-types.ts';
import { api, setCsrfToken } from './api.ts';

export interface SessionInfo {
  user: User;
  csrfToken: string;
  /** Seconds a revealed value stays on screen (server setting SECRETS_REVEAL_SECONDS, default 30). */
  revealSeconds: number;
}

interface SessionAnswer {
  csrfToken?: string;
  user?: User | null;
  revealSeconds?: number;
}

async function adopt(answer: SessionAnswer): Promise<SessionInfo> {
  if (typeof answer.csrfToken !== 'string') throw new Error('the session answer has no csrfToken');
  setCsrfToken(answer.csrfToken);
  const user = answer.user ?? (await api<{ user: User | null }>('GET', '/v1/me')).user;
  if (!user) throw new Error('a session always belongs to a user');
  const seconds = answer.revealSeconds;
  return { user, csrfToken: answer.csrfToken, revealSeconds: typeof seconds === 'number' && seconds > 0 ? seconds : 30 };
}

/** The current session, or null when the cookie is missing or expired. */
export async function currentSession(): Promise<SessionInfo | null> {
  try {
    return await adopt(await api<SessionAnswer>('GET', '/v1/session', { signingIn: true }));
  } catch {
    setCsrfToken(null);
    return null;
  }
}

export async function signInWithToken(token: string): Promise<SessionInfo> {
  return adopt(await api<SessionAnswer>('POST', '/v1/session', { body: { token }, signingIn: true }));
}

/** Sign-in by a passkey ends in the same cookie; the ceremony's answer is a session answer too. */
export async function adoptSession(answer: unknown): Promise<SessionInfo> {
  return adopt(answer as SessionAnswer);
}

export async function signOut(): Promise<void> {
  try {
    await api<void>('DELETE', '/v1/session', { signingIn: true });
  } finally {
    setCsrfToken(null);
  }
}
