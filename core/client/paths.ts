// Builds API paths with every caller-supplied segment percent-encoded, so a slug, key or id can never
// escape its segment ("../", "?", "#", "/") and reach a different route.

export function segment(value: string): string {
  if (value === '' || value === '.' || value === '..') {
    // Encoding cannot neutralise these: an empty segment collapses and dot segments are resolved away.
    throw new TypeError(`Invalid path segment ${JSON.stringify(value)}`);
  }
  return encodeURIComponent(value);
}

/** `path\`/v1/orgs/${org}\`` encodes each interpolated value as one segment. */
export function path(strings: TemplateStringsArray, ...values: (string | number)[]): string {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += segment(String(v)) + strings[i + 1]!;
  });
  return out;
}

export function withQuery(p: string, query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${p}?${qs}` : p;
}

/**
 * An environment of the organization (`"production"`), or of one workspace
 * (`{ workspace: "billing", environment: "production" }`: the workspace's effective set).
 */
export type EnvironmentRef = string | { environment: string; workspace?: string | undefined };

/** `/v1/orgs/{org}/environments/{env}` or `/v1/orgs/{org}/workspaces/{ws}/environments/{env}`. */
export function environmentPath(org: string, env: EnvironmentRef): string {
  if (typeof env === 'string') return path`/v1/orgs/${org}/environments/${env}`;
  return env.workspace === undefined
    ? path`/v1/orgs/${org}/environments/${env.environment}`
    : path`/v1/orgs/${org}/workspaces/${env.workspace}/environments/${env.environment}`;
}
