// Judging a token's claims against a policy's conditions, one claim at a time, in words a person
// debugging a refused workflow can act on. The exchange and the dry run share it, so the dry run
// explains exactly what the exchange decides.
import type { ClaimCheck, ClaimConditions } from '../../../core/api-types.ts';
import { isGlob, matchesClaim } from './claim-pattern.ts';

const MAX_SHOWN = 200;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** A claim's value as text for comparing and showing; null when absent or not a scalar. */
export function claimText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}

/** What a refusal may show of a value from the token: bounded and without control characters. */
export function shown(value: string | null): string | null {
  if (value === null) return null;
  const clean = value.replace(CONTROL, '?');
  return clean.length > MAX_SHOWN ? `${clean.slice(0, MAX_SHOWN)}…` : clean;
}

export function checkClaim(claim: string, expected: string, raw: unknown): ClaimCheck {
  const got = claimText(raw);
  const glob = isGlob(expected);
  const q = JSON.stringify;
  if (got === null) {
    const why = raw === undefined ? `the token has no ${claim} claim` : `the token's ${claim} claim is not a string`;
    return { claim, expected, got: null, ok: false, explanation: `${why}; the policy requires ${glob ? 'a match for the pattern ' : ''}${q(expected)}` };
  }
  const ok = matchesClaim(expected, got);
  const g = shown(got);
  let explanation: string;
  if (glob && ok) explanation = `${claim} ${q(g)} matches the pattern ${q(expected)}`;
  else if (glob) explanation = `${claim} ${q(g)} does not match the pattern ${q(expected)} (* stops at /, ** does not)`;
  else if (ok) explanation = `${claim} is ${q(expected)}, as required`;
  else explanation = `${claim} must be ${q(expected)}, the token says ${q(g)}`;
  return { claim, expected, got: g, ok, explanation };
}

export function checkClaims(conditions: ClaimConditions, claims: Record<string, unknown>): ClaimCheck[] {
  return Object.entries(conditions)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([claim, expected]) => checkClaim(claim, expected, claims[claim]));
}
