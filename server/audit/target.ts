// What a denied attempt was aimed at, as the audit log may record it. Denials are recorded from path
// parameters that may not have been validated yet (authentication runs before validation), and a path
// can carry CR, LF or ESC (`/v1/orgs/%0d%0aevil%1b[31m/...`): only a well-formed slug or key is
// recorded, anything else is left out.
const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Checked before uppercasing, so no non-ASCII letter can fold onto an ASCII key. */
const KEY = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export function auditableSlug(value: unknown): string | null {
  return typeof value === 'string' && SLUG.test(value) ? value : null;
}

export function auditableKeys(value: unknown): string[] {
  return typeof value === 'string' && KEY.test(value) ? [value.toUpperCase()] : [];
}
