// When a new version of a secret is written: now, but always after the version it replaces, so the
// versions of one secret have strictly increasing times and "the environment at a moment" names
// exactly one version of each key (two updates within one millisecond would otherwise tie).
export function versionTime(now: Date, replaced?: { updatedAt: string }): string {
  const at = now.toISOString();
  if (!replaced || at > replaced.updatedAt) return at;
  return new Date(Date.parse(replaced.updatedAt) + 1).toISOString();
}
