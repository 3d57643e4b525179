// Server URLs every client must refuse the same way (core/server-url.ts), each with the reason core gives.
// The password is a long unique canary: a refusal that quoted the URL would show it.
import type { ServerUrlProblem } from '../../core/server-url.ts';

export const URL_PASSWORD_CANARY = 'canary-url-password-5c1e7a93d04b68f2';

export const BAD_SERVER_URLS: readonly { url: string; reason: ServerUrlProblem }[] = [
  { url: 'vault-canary-host.example', reason: 'not-a-url' },
  { url: 'https://vault-canary-ho\tst.example', reason: 'not-a-url' },
  { url: 'ftp://vault-canary-host.example', reason: 'scheme' },
  { url: `https://deploy:${URL_PASSWORD_CANARY}@vault-canary-host.example`, reason: 'credentials' },
  { url: 'https://@vault-canary-host.example', reason: 'credentials' },
  { url: 'https://vault-canary-host.example/api?org=acme', reason: 'query' },
  { url: 'https://vault-canary-host.example/?', reason: 'query' },
  { url: 'https://vault-canary-host.example/#top', reason: 'fragment' },
  { url: 'http://vault-canary-host.example', reason: 'insecure-http' },
  { url: 'http://10.0.0.5:8787', reason: 'insecure-http' },
];
