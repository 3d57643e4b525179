// The session cookie: HttpOnly (scripts, including injected ones, cannot read it), SameSite=Strict
// (other sites' pages never send it), Path=/, Secure with the __Host- prefix when the public URL is
// https (the browser then refuses it over plain HTTP and from subdomains). Max-Age is the absolute
// expiry; the server ends the session on its own terms anyway.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PublicSite } from './public-site.ts';

export function cookieName(site: PublicSite): string {
  return site.secure ? '__Host-secrets_session' : 'secrets_session';
}

export function readSessionCookie(request: FastifyRequest, site: PublicSite): string | undefined {
  return request.cookies[cookieName(site)];
}

export function setSessionCookie(reply: FastifyReply, site: PublicSite, secret: string, maxAgeMs: number): void {
  reply.setCookie(cookieName(site), secret, {
    httpOnly: true,
    sameSite: 'strict',
    secure: site.secure,
    path: '/',
    maxAge: Math.max(0, Math.floor(maxAgeMs / 1000)),
  });
}

export function clearSessionCookie(reply: FastifyReply, site: PublicSite): void {
  reply.setCookie(cookieName(site), '', { httpOnly: true, sameSite: 'strict', secure: site.secure, path: '/', maxAge: 0 });
}
