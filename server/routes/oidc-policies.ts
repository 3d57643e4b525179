// Trust policies for keyless CI (Admin+): parse, authorize, and hand over to services/oidc/policies.ts.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { OidcPolicyInput } from '../../core/api-types.ts';
import { accessOrg, authorize } from '../auth/access.ts';
import { auditEvent } from '../audit/events.ts';
import type { Deps } from '../deps.ts';
import { body, id, name, NO_NUL, orgParams, params, slug } from '../http/schemas.ts';
import type { AuditStamp } from '../services/oidc/audit-stamp.ts';
import { MAX_CLAIM_CONDITIONS } from '../services/oidc/policy-rules.ts';
import type { OidcPolicyPatch, OidcPolicyService } from '../services/oidc/policies.ts';

const claimValue = { type: 'string', minLength: 1, maxLength: 256 } as const;
const policyFields = {
  name,
  issuer: { type: 'string', minLength: 1, maxLength: 512, pattern: NO_NUL },
  audience: { type: 'string', minLength: 1, maxLength: 256, pattern: NO_NUL },
  environment: slug,
  workspace: { anyOf: [slug, { type: 'null' }] },
  claims: { type: 'object', additionalProperties: claimValue, maxProperties: MAX_CLAIM_CONDITIONS },
  ttlSeconds: { type: 'integer' },
} as const;
const policyParams = params({ org: slug, id });

const policySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    issuer: { type: 'string' },
    audience: { type: 'string' },
    environment: { type: 'string' },
    workspace: { type: ['string', 'null'] },
    claims: { type: 'object', additionalProperties: { type: 'string' } },
    ttlSeconds: { type: 'integer' },
    createdAt: { type: 'string' },
    createdBy: { type: 'string' },
    updatedAt: { type: 'string' },
  },
} as const;

const checkSchema = {
  type: 'object',
  properties: {
    claim: { type: 'string' },
    expected: { type: 'string' },
    got: { type: ['string', 'null'] },
    ok: { type: 'boolean' },
    explanation: { type: 'string' },
  },
} as const;

export function stampFor(request: FastifyRequest): AuditStamp {
  return (actor, action, outcome, environment, details) => auditEvent(request, actor, action, outcome, environment, [], details);
}

export function registerOidcPolicyRoutes(app: FastifyInstance, deps: Deps, policies: OidcPolicyService): void {
  const admin = async (request: FastifyRequest, org: string) => {
    const access = await accessOrg(deps, request, org);
    await authorize(deps, request, access, 'org.manage');
    return access;
  };

  app.get<{ Params: { org: string } }>(
    '/v1/orgs/:org/oidc-policies',
    { config: { action: 'oidc_policy.list' }, schema: { params: orgParams, response: { 200: { type: 'object', properties: { policies: { type: 'array', items: policySchema } } } } } },
    async (request) => {
      const access = await admin(request, request.params.org);
      return { policies: await policies.list(access.org) };
    },
  );

  app.post<{ Params: { org: string }; Body: OidcPolicyInput }>(
    '/v1/orgs/:org/oidc-policies',
    {
      config: { action: 'oidc_policy.create' },
      schema: { params: orgParams, body: body(policyFields, ['name', 'audience', 'environment', 'claims']), response: { 201: policySchema } },
    },
    async (request, reply) => {
      const access = await admin(request, request.params.org);
      const created = await policies.create(access.org, request.body, access.actor, stampFor(request));
      reply.code(201);
      return created;
    },
  );

  app.get<{ Params: { org: string; id: string } }>(
    '/v1/orgs/:org/oidc-policies/:id',
    { config: { action: 'oidc_policy.list' }, schema: { params: policyParams, response: { 200: policySchema } } },
    async (request) => {
      const access = await admin(request, request.params.org);
      return policies.get(access.org, request.params.id);
    },
  );

  app.patch<{ Params: { org: string; id: string }; Body: OidcPolicyPatch }>(
    '/v1/orgs/:org/oidc-policies/:id',
    { config: { action: 'oidc_policy.update' }, schema: { params: policyParams, body: body(policyFields), response: { 200: policySchema } } },
    async (request) => {
      const access = await admin(request, request.params.org);
      return policies.update(access.org, request.params.id, request.body, access.actor, stampFor(request));
    },
  );

  app.delete<{ Params: { org: string; id: string } }>(
    '/v1/orgs/:org/oidc-policies/:id',
    { config: { action: 'oidc_policy.delete' }, schema: { params: policyParams } },
    async (request, reply) => {
      const access = await admin(request, request.params.org);
      await policies.delete(access.org, request.params.id, access.actor, stampFor(request));
      return reply.code(204).send();
    },
  );

  app.post<{ Params: { org: string; id: string }; Body: { claims: Record<string, unknown> } }>(
    '/v1/orgs/:org/oidc-policies/:id/test',
    {
      config: { action: 'oidc_policy.list' },
      schema: {
        params: policyParams,
        body: body({ claims: { type: 'object', maxProperties: 200, additionalProperties: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'array' }] } } }, ['claims']),
        response: { 200: { type: 'object', properties: { accepted: { type: 'boolean' }, checks: { type: 'array', items: checkSchema } } } },
      },
    },
    async (request) => {
      const access = await admin(request, request.params.org);
      return policies.dryRun(access.org, request.params.id, request.body.claims);
    },
  );
}
