// `secrets oidc-policies ls|create|test|rm`: the organization's trust policies for keyless CI (Admin+).
// Policy settings and claim conditions are NAME=VALUE words, so the command needs no options of its own:
// `issuer`, `audience` and `ttl` set the policy, every other name is a claim condition.
import type { ClaimConditions, OidcPolicy, OidcPolicyInput } from '../../core/api-types.ts';
import type { SecretsClient } from '../../core/client.ts';
import type { Command } from '../command.ts';
import type { Context } from '../context.ts';
import { CliError } from '../errors.ts';
import { printable } from '../server-text.ts';
import { oneLine, table } from '../table.ts';

const USAGE = `secrets oidc-policies ls [--org ORG]
       secrets oidc-policies create NAME --env ENV [--workspace WS] audience=URL CLAIM=VALUE… [issuer=URL] [ttl=SECONDS] [--org ORG]
       secrets oidc-policies test POLICY CLAIM=VALUE… [--org ORG]
       secrets oidc-policies rm POLICY [--org ORG]`;

const SETTINGS = new Set(['issuer', 'audience', 'ttl']);

/** `name=value` words; the value may itself hold `=`. */
function pairs(words: readonly string[]): [string, string][] {
  return words.map((w) => {
    const eq = w.indexOf('=');
    if (eq <= 0) throw new CliError('CLI_USAGE', `Expected NAME=VALUE, got a word without one; usage: ${USAGE}`);
    return [w.slice(0, eq), w.slice(eq + 1)];
  });
}

/** A policy by id or name: names are what people type, ids what the API takes. */
async function findPolicy(client: SecretsClient, org: string, ref: string | undefined): Promise<OidcPolicy> {
  if (!ref) throw new CliError('CLI_USAGE', `Name the policy; usage: ${USAGE}`);
  const policies = await client.listOidcPolicies(org);
  const found = policies.find((p) => p.id === ref) ?? policies.find((p) => p.name === ref);
  if (!found) throw new CliError('CLI_INVALID_INPUT', `No trust policy ${ref} in ${org} (see secrets oidc-policies ls)`);
  return found;
}

function claimsText(claims: ClaimConditions): string {
  return Object.entries(claims)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

async function create(ctx: Context, org: string, words: readonly string[]): Promise<void> {
  const [name, ...rest] = words;
  if (!name || name.includes('=')) throw new CliError('CLI_USAGE', `Name the policy first; usage: ${USAGE}`);
  // Explicit on purpose: a trust policy for the login's default environment by accident would grant CI that one.
  const environment = ctx.flags.env;
  if (!environment) throw new CliError('CLI_USAGE', `Say which environment the policy grants with --env; usage: ${USAGE}`);
  const settings: Record<string, string> = {};
  const claims: ClaimConditions = {};
  for (const [k, v] of pairs(rest)) (SETTINGS.has(k) ? settings : claims)[k] = v;
  if (!settings.audience) throw new CliError('CLI_USAGE', `audience=URL is required (the audience the workflow asks its OIDC token for); usage: ${USAGE}`);
  const body: OidcPolicyInput = { name, audience: settings.audience, environment, claims };
  // Explicit --workspace only, like --env: SECRETS_WORKSPACE does not bind a policy.
  if (ctx.flags.workspace !== undefined) body.workspace = ctx.workspace() ?? null;
  if (settings.issuer) body.issuer = settings.issuer;
  if (settings.ttl !== undefined) {
    if (!/^\d+$/.test(settings.ttl)) throw new CliError('CLI_INVALID_INPUT', 'ttl must be a whole number of seconds');
    body.ttlSeconds = Number(settings.ttl);
  }
  const policy = await ctx.client().createOidcPolicy(org, body);
  if (ctx.flags.json) return ctx.json(policy);
  ctx.note(`Created trust policy ${policy.name} (${policy.id}) in ${org}: ${claimsText(policy.claims)} → ${placeOf(policy)}`);
}

/** The environment a policy grants, and the workspace whose effective set, when bound to one. */
function placeOf(p: OidcPolicy): string {
  return p.workspace ? `${p.environment} (workspace ${p.workspace})` : p.environment;
}

export const oidcPolicies: Command = {
  name: 'oidc-policies',
  summary: 'List, create, dry-run and remove trust policies for keyless CI (OIDC)',
  help: `${USAGE}

A trust policy lets CI runs whose OIDC token it accepts (GitHub Actions with \`id-token: write\`) read one
environment with a token that expires within 15 minutes. It must bind the repository or its owner
(repository=OWNER/NAME, repository_id=, repository_owner=, repository_owner_id= or sub=repo:OWNER/…).
Values are exact, or globs: * matches within one path segment, ** across them (ref=refs/heads/release/*).
issuer defaults to https://token.actions.githubusercontent.com, ttl to 900 (at most 900). --workspace WS
binds the minted tokens to workspace WS: they read its effective set in ENV, and nothing else.
\`test\` shows claim by claim how the policy judges the given claims (a dry run; nothing is exchanged).`,
  options: ['workspace'],
  async run(ctx) {
    const [sub, ...words] = ctx.args;
    const org = await ctx.org();
    const client = ctx.client();
    switch (sub) {
      case 'ls':
      case undefined: {
        if (words.length > 0) throw new CliError('CLI_USAGE', `Unexpected argument; usage: ${USAGE}`);
        const list = await client.listOidcPolicies(org);
        if (ctx.flags.json) return ctx.json(list);
        ctx.out(table(['NAME', 'ENVIRONMENT', 'CLAIMS', 'AUDIENCE', 'TTL'], list.map((p) => [p.name, placeOf(p), oneLine(claimsText(p.claims), 80), p.audience, String(p.ttlSeconds)])));
        return;
      }
      case 'create':
        return create(ctx, org, words);
      case 'test': {
        const [ref, ...rest] = words;
        const policy = await findPolicy(client, org, ref);
        const result = await client.testOidcPolicy(org, policy.id, Object.fromEntries(pairs(rest)));
        if (ctx.flags.json) return ctx.json(result);
        // The explanation quotes the claims with JSON.stringify, which leaves C1 controls and bidi overrides as they are.
        ctx.out(result.checks.map((c) => `${c.ok ? '✓' : '✗'} ${printable(c.explanation)}`).join('\n'));
        ctx.note(result.accepted ? `Trust policy ${policy.name} would accept these claims` : `Trust policy ${policy.name} would refuse these claims`);
        return;
      }
      case 'rm': {
        if (words.length !== 1) throw new CliError('CLI_USAGE', `Name one policy; usage: ${USAGE}`);
        const policy = await findPolicy(client, org, words[0]);
        await client.deleteOidcPolicy(org, policy.id);
        if (ctx.flags.json) return ctx.json({ removed: policy.id });
        ctx.note(`Removed trust policy ${policy.name} from ${org}; the tokens it minted are revoked`);
        return;
      }
      default:
        throw new CliError('CLI_USAGE', `Unknown subcommand; usage: ${USAGE}`);
    }
  },
};
