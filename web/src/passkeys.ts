// Passkey ceremonies with @simplewebauthn/browser: the server issues the options (and keeps the
// challenge), the browser's authenticator answers, the server verifies. Nothing is stored in the page.
import { browserSupportsWebAuthn, startAuthentication, startRegistration } from '@simplewebauthn/browser';
import type { AcceptedInvitation, Passkey, Session } from '../../core/api-types.ts';
import { api, ApiProblem, seg, webProblem } from './api.ts';

export const passkeysSupported = (): boolean => browserSupportsWebAuthn();

/** A cancelled or refused browser prompt, in words a person can act on. */
function browserRefusal(err: unknown): ApiProblem {
  if (err instanceof ApiProblem) return err;
  const name = err instanceof Error ? err.name : '';
  if (name === 'NotAllowedError') return webProblem('WEB_PASSKEY_CANCELLED');
  if (name === 'SecurityError') return webProblem('WEB_PASSKEY_HOST');
  return webProblem('WEB_PASSKEY_UNAVAILABLE');
}

export async function signInWithPasskey(): Promise<Session> {
  try {
    const optionsJSON = await api<Parameters<typeof startAuthentication>[0]['optionsJSON']>('POST', '/v1/session/passkey/options', { body: {}, signingIn: true });
    const credential = await startAuthentication({ optionsJSON });
    return await api<Session>('POST', '/v1/session/passkey', { body: { credential }, signingIn: true });
  } catch (err) {
    throw browserRefusal(err);
  }
}

/** A new person accepts an invitation: their name, a new passkey, and they are signed in. */
export async function acceptWithNewPasskey(token: string, name: string): Promise<AcceptedInvitation> {
  try {
    const optionsJSON = await api<Parameters<typeof startRegistration>[0]['optionsJSON']>('POST', `/v1/invitations/${seg(token)}/passkey/options`, { body: { name }, signingIn: true });
    const credential = await startRegistration({ optionsJSON });
    return await api<AcceptedInvitation>('POST', `/v1/invitations/${seg(token)}/accept`, { body: { credential, passkeyName: 'Passkey' }, signingIn: true });
  } catch (err) {
    throw browserRefusal(err);
  }
}

export async function addPasskey(name: string): Promise<Passkey> {
  try {
    const optionsJSON = await api<Parameters<typeof startRegistration>[0]['optionsJSON']>('POST', '/v1/me/passkeys/options', { body: {} });
    const credential = await startRegistration({ optionsJSON });
    return await api<Passkey>('POST', '/v1/me/passkeys', { body: name ? { credential, name } : { credential } });
  } catch (err) {
    throw browserRefusal(err);
  }
}
