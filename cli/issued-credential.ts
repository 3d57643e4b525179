// A token or invitation link the server has just issued is printed once, alone on stdout, to be piped
// (`| gh secret set SECRETS_TOKEN`, a password manager, a mail). Stripping what a terminal would act on
// would hand the pipe a different string that silently fails later, so instead the answer must have the
// shape our server issues (a prefix and base64url characters; a link to `/invite` whose fragment is the
// invitation secret) or it is refused as a broken server answer and nothing is printed: neither an
// escape sequence nor a second line can reach the terminal or the next program. The message names the
// id of what was created (so it can be revoked), never the text itself.
import { SecretsError } from '../core/errors.ts';

/** Prefix and 256 bits in base64url today; a longer body is accepted so a future server may grow it. */
const TOKEN_SHAPES = {
  personal: /^scrt_pat_[A-Za-z0-9_-]{32,512}$/,
  service: /^scrt_svc_[A-Za-z0-9_-]{32,512}$/,
} as const;
const INVITATION_FRAGMENT = /^#scrt_inv_[A-Za-z0-9_-]{32,512}$/;
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

function refused(what: string, revoke: string): SecretsError {
  return new SecretsError('SECRETS_SERVER', `The server's answer holds no well-formed ${what}, so nothing is printed; ${revoke}`);
}

/** The token as issued, or a SECRETS_SERVER error when it is not the shape of a `kind` token. */
export function issuedToken(token: unknown, kind: keyof typeof TOKEN_SHAPES, revoke: string): string {
  if (typeof token !== 'string' || !TOKEN_SHAPES[kind].test(token)) throw refused(`${kind} token`, revoke);
  return token;
}

/** The invitation link as issued: http(s), no credentials or query, `…/invite#scrt_inv_…`, exactly as a URL parser writes it. */
export function issuedInvitationLink(link: unknown, revoke: string): string {
  if (typeof link !== 'string' || !VISIBLE_ASCII.test(link)) throw refused('invitation link', revoke);
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    throw refused('invitation link', revoke);
  }
  const ok =
    url.href === link &&
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    url.username === '' &&
    url.password === '' &&
    url.search === '' &&
    url.pathname.endsWith('/invite') &&
    INVITATION_FRAGMENT.test(url.hash);
  if (!ok) throw refused('invitation link', revoke);
  return link;
}
