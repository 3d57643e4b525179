// A token never mints a token that outlives it: otherwise a short-lived (or stolen, soon-expiring)
// token could turn itself into permanent access by creating a personal or service token, or a user
// whose first token never expires.
import type { Principal } from './principal.ts';
import { ValidationProblem } from '../http/schemas.ts';

/**
 * The expiry of a token minted by `caller`. `requested` is the (already validated) expiry asked for,
 * null for none; `field` names it in the refusal. An expiring caller's token without a requested
 * expiry expires with the caller's; a later one is refused, never shortened silently.
 */
export function mintedExpiry(caller: Principal, requested: string | null, field: string): string | null {
  const limit = caller.kind === 'personal' ? caller.expiresAt : null;
  if (limit === null) return requested;
  if (requested === null) return limit;
  if (Date.parse(requested) > Date.parse(limit)) {
    throw new ValidationProblem(field, `must not be later than the expiry of the token making this request (${limit}): a token cannot mint a token that outlives it`);
  }
  return requested;
}
