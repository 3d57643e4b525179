// The one rule for a secrets server's URL, used by the API client, the CLI, the Action and the extension:
// every client sends its bearer token to this address, so each refusal below is a way a token could
// otherwise leak (a password in the URL printed in a log, a query or fragment carried into every
// request path, plain http read on the way) or a URL that would silently mean something else.
import { SecretsError } from './errors.ts';

export type ServerUrlProblem = 'not-a-url' | 'scheme' | 'credentials' | 'query' | 'fragment' | 'insecure-http';

/** What each problem tells the user. None quotes the URL: it may hold a password. */
export const SERVER_URL_MESSAGES: Readonly<Record<ServerUrlProblem, string>> = {
  'not-a-url': 'The server URL is not a valid URL; give an http:// or https:// URL such as https://secrets.example.com',
  scheme: 'The server URL must be an http:// or https:// URL',
  credentials: 'The server URL must not contain a user name or password; the token is given separately',
  query: 'The server URL must not have a query (?…): the API paths are added to it',
  fragment: 'The server URL must not have a fragment (#…)',
  'insecure-http':
    'The server URL must use https:// unless the server is on this machine (localhost, 127.0.0.0/8 or [::1]): over plain http the token can be read on the way',
};

export class ServerUrlError extends SecretsError {
  declare readonly code: 'SECRETS_URL_INVALID';
  readonly reason: ServerUrlProblem;

  constructor(reason: ServerUrlProblem) {
    super('SECRETS_URL_INVALID', SERVER_URL_MESSAGES[reason]);
    this.name = 'ServerUrlError';
    this.reason = reason;
  }
}

// Whitespace and control characters inside a URL are dropped or rewritten by the WHATWG parser
// (`https://sec\nrets.example.com` becomes `https://secrets.example.com`): refused, so what the user
// typed is what is used. Only whitespace around it (a pasted line) is trimmed.
const INNER_WHITESPACE_OR_CONTROL = /[\s\u0000-\u001f\u007f-\u009f]/;

/**
 * Checks a server URL and returns it normalized: scheme and host lower-cased, default port dropped, the
 * path kept without trailing slashes (`https://Secrets.Example.com:443/base/` → `https://secrets.example.com/base`).
 * Throws ServerUrlError, whose message never quotes the URL.
 *
 * Plain http is accepted only for a host that is this machine, the Secure Contexts rule browsers use for
 * "potentially trustworthy" origins (localhost, *.localhost, 127.0.0.0/8, [::1]): the token is a bearer
 * credential, and any other host over http lets every hop on the way read it.
 */
export function normalizeServerUrl(raw: string): string {
  if (typeof raw !== 'string') throw new ServerUrlError('not-a-url');
  const text = raw.trim();
  if (text === '' || INNER_WHITESPACE_OR_CONTROL.test(text)) throw new ServerUrlError('not-a-url');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ServerUrlError('not-a-url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ServerUrlError('scheme');
  // `@` before the host with an empty name (`https://@host`) is refused too: it reads as credentials.
  if (url.username !== '' || url.password !== '' || authorityOf(text).includes('@')) throw new ServerUrlError('credentials');
  // href keeps an empty `?` or `#` that search and hash report as ''; a path's own ? and # are escaped in it.
  if (url.href.includes('?')) throw new ServerUrlError('query');
  if (url.href.includes('#')) throw new ServerUrlError('fragment');
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) throw new ServerUrlError('insecure-http');
  return url.origin + url.pathname.replace(/\/+$/, '');
}

/** Whether a URL's hostname (as `new URL` gives it: IPv4 normalized, IPv6 in brackets) names this machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '[::1]') return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The text between `//` and the first `/`, `?` or `#`: where credentials would be. */
function authorityOf(text: string): string {
  const start = text.indexOf('//');
  if (start < 0) return '';
  const rest = text.slice(start + 2);
  const end = rest.search(/[/?#\\]/);
  return end < 0 ? rest : rest.slice(0, end);
}
