// Invitations: an Admin invites a person by e-mail with a role and gets a one-time link, shown once;
// the invitee opens it, and either registers a passkey as a new user (and is signed in) or, already
// signed in as the invited e-mail, just joins. Created, revoked and accepted invitations are audited.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { ROLES, type AcceptedInvitation, type CreatedInvitation, type Invitation, type InvitationPreview, type Role } from '../../core/api-types.ts';
import { auditEvent } from '../audit/events.ts';
import { accessOrg, authorize } from '../auth/access.ts';
import type { FailedAuthLimiter } from '../auth/failed-auth-limiter.ts';
import { generateInvitationToken, hashInvitationToken, INVITATION_TOKEN_PATTERN, INVITATION_TTL_MS, invitationUrl } from '../auth/invitation-links.ts';
import type { PasskeyCeremonies } from '../auth/passkeys.ts';
import { canManageRole } from '../auth/permissions.ts';
import type { SessionService } from '../auth/sessions.ts';
import type { Deps } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { clientKey } from '../http/client-address.ts';
import { body, email, id, invitationSchema, name, orgParams, orgSchema, params, sessionSchema, slug, webauthnCredential } from '../http/schemas.ts';
import { DuplicateError, type InvitationRow, type UserRow } from '../storage/types.ts';
import { signIn } from './session.ts';

const role = { type: 'string', enum: ROLES } as const;
const tokenParams = params({ token: { type: 'string', pattern: INVITATION_TOKEN_PATTERN } });

function toInvitation(i: InvitationRow): Invitation {
  return { id: i.id, email: i.email, role: i.role, createdAt: i.createdAt, createdBy: i.createdBy, expiresAt: i.expiresAt };
}

const subjectOf = (i: InvitationRow) => `invitation:${i.id}`;

export function registerInvitationRoutes(
  app: FastifyInstance,
  deps: Deps,
  sessions: SessionService,
  ceremonies: PasskeyCeremonies,
  limiter: FailedAuthLimiter,
): void {
  const { storage } = deps;
  const nowIso = () => new Date(deps.clock.now()).toISOString();

  /** The open invitation of a link; INVITATION_NOT_FOUND (a failed authentication) for anything else. */
  async function openInvitation(request: FastifyRequest, token: string): Promise<InvitationRow> {
    const row = await storage.getInvitationByHash(hashInvitationToken(token));
    if (!row || row.acceptedAt !== null || row.revokedAt !== null || Date.parse(row.expiresAt) <= deps.clock.now()) {
      limiter.recordFailure(clientKey(request.socket.remoteAddress));
      throw new ApiError('INVITATION_NOT_FOUND');
    }
    return row;
  }

  app.post<{ Params: { org: string }; Body: { email: string; role: Role } }>(
    '/v1/orgs/:org/invitations',
    { config: { action: 'invitation.create' }, schema: { params: orgParams, body: body({ email, role }, ['email', 'role']), response: { 201: { type: 'object', properties: { ...invitationSchema.properties, url: { type: 'string' } } } } } },
    async (request, reply): Promise<CreatedInvitation> => {
      const access = await accessOrg(deps, request, request.params.org);
      await authorize(deps, request, access, 'org.manage');
      if (!canManageRole(access.role!, null, request.body.role)) throw new ApiError('OWNER_PROTECTED', 'Only an Owner can invite an Owner');
      const token = generateInvitationToken();
      const now = deps.clock.now();
      const row: InvitationRow = {
        id: randomUUID(),
        orgId: access.org.id,
        email: request.body.email,
        role: request.body.role,
        hash: hashInvitationToken(token),
        createdAt: new Date(now).toISOString(),
        createdBy: access.actor.display,
        expiresAt: new Date(now + INVITATION_TTL_MS).toISOString(),
        acceptedAt: null,
        acceptedBy: null,
        revokedAt: null,
      };
      await storage.createInvitation(row, auditEvent(request, access.actor, 'invitation.create', 'allowed', null, []));
      reply.code(201).header('cache-control', 'no-store');
      return { ...toInvitation(row), url: invitationUrl(deps.site.origin, token) };
    },
  );

  app.get<{ Params: { org: string } }>(
    '/v1/orgs/:org/invitations',
    { config: { action: 'member.list' }, schema: { params: orgParams, response: { 200: { type: 'object', properties: { invitations: { type: 'array', items: invitationSchema } } } } } },
    async (request) => {
      const access = await accessOrg(deps, request, request.params.org);
      await authorize(deps, request, access, 'org.manage');
      return { invitations: (await storage.listInvitations(access.org.id)).map(toInvitation) };
    },
  );

  app.delete<{ Params: { org: string; id: string } }>(
    '/v1/orgs/:org/invitations/:id',
    { config: { action: 'invitation.revoke' }, schema: { params: params({ org: slug, id }) } },
    async (request, reply) => {
      const access = await accessOrg(deps, request, request.params.org);
      await authorize(deps, request, access, 'org.manage');
      const revoked = await storage.revokeInvitation(access.org.id, request.params.id, nowIso(), auditEvent(request, access.actor, 'invitation.revoke', 'allowed', null, []));
      if (!revoked) throw new ApiError('INVITATION_NOT_FOUND', 'No open invitation with this id');
      return reply.code(204).send();
    },
  );

  app.get<{ Params: { token: string } }>(
    '/v1/invitations/:token',
    { config: { public: true }, schema: { params: tokenParams } },
    async (request): Promise<InvitationPreview> => {
      const row = await openInvitation(request, request.params.token);
      const org = (await storage.getOrgById(row.orgId))!;
      return { organization: { slug: org.slug, name: org.name }, email: row.email, role: row.role, expiresAt: row.expiresAt };
    },
  );

  app.post<{ Params: { token: string }; Body: { name: string } }>(
    '/v1/invitations/:token/passkey/options',
    { config: { public: true }, schema: { params: tokenParams, body: body({ name }, ['name']) } },
    async (request) => {
      const row = await openInvitation(request, request.params.token);
      if (await storage.getUserByEmail(row.email)) {
        throw new ApiError('USER_EXISTS', `A user with the e-mail ${row.email} already exists: sign in, then accept the invitation`);
      }
      const userId = randomUUID();
      const person = { userId, email: row.email, name: request.body.name };
      return ceremonies.registrationOptions('invite', subjectOf(row), person, [], { userId, name: request.body.name });
    },
  );

  app.post<{ Params: { token: string }; Body: { credential?: RegistrationResponseJSON; passkeyName?: string } }>(
    '/v1/invitations/:token/accept',
    {
      config: { public: true },
      schema: {
        params: tokenParams,
        body: body({ credential: webauthnCredential, passkeyName: name }),
        response: { 201: { type: 'object', properties: { organization: orgSchema, session: { anyOf: [sessionSchema, { type: 'null' }] } } } },
      },
    },
    async (request, reply): Promise<AcceptedInvitation> => {
      const row = await openInvitation(request, request.params.token);
      const org = (await storage.getOrgById(row.orgId))!;
      const at = nowIso();
      const p = request.principal;
      if (p?.kind === 'service') throw new ApiError('FORBIDDEN', 'This service token does not allow this action');
      let user: UserRow;
      let session = null;
      if (p) {
        // An existing user: the invitation names a person, and a leaked link must not let someone else in.
        if (p.user.email.toLowerCase() !== row.email.toLowerCase()) {
          throw new ApiError('FORBIDDEN', `This invitation is for ${row.email}; sign in as that person to accept it`);
        }
        user = p.user;
        const actor = { type: 'user' as const, id: user.id, name: user.name, display: user.name };
        if (!(await storage.acceptInvitation(row, user, null, at, auditEvent(request, actor, 'invitation.accept', 'allowed', null, [])))) throw new ApiError('INVITATION_NOT_FOUND');
      } else {
        const credential = request.body.credential;
        if (!credential) throw new ApiError('VALIDATION_FAILED', 'body.credential: a new person registers a passkey to accept', { errors: [{ path: 'body.credential', message: 'is required' }] });
        const { credential: c, data } = await ceremonies.verifyRegistration('invite', subjectOf(row), credential);
        user = { id: data.userId!, name: data.name!, email: row.email, instanceAdmin: false, createdAt: at };
        const passkey = {
          id: c.id,
          userId: user.id,
          name: request.body.passkeyName ?? 'Passkey',
          publicKey: c.publicKey,
          counter: c.counter,
          transports: JSON.stringify(c.transports),
          createdAt: at,
          lastUsedAt: null,
        };
        const actor = { type: 'user' as const, id: user.id, name: user.name, display: user.name };
        try {
          if (!(await storage.acceptInvitation(row, user, { passkey }, at, auditEvent(request, actor, 'invitation.accept', 'allowed', null, [])))) {
            throw new ApiError('INVITATION_NOT_FOUND');
          }
        } catch (err) {
          if (err instanceof DuplicateError) throw new ApiError('USER_EXISTS', `A user with the e-mail ${row.email} already exists: sign in, then accept the invitation`);
          throw err;
        }
        session = await signIn(deps, sessions, request, reply, user, { method: 'passkey' });
      }
      const member = (await storage.getMember(org.id, user.id))!;
      reply.code(201);
      return { organization: { slug: org.slug, name: org.name, role: member.role, createdAt: org.createdAt }, session };
    },
  );
}
