// Who is calling: a user through a personal token, or a service token bound to one environment.
import type { AuditAction, WorkflowContext } from '../../core/api-types.ts';
import type { UserRow } from '../storage/types.ts';
import type { LiveSession } from './sessions.ts';

export type Principal =
  | {
      kind: 'personal';
      /** The calling personal token; for a session, the token signed in with (null after a passkey). */
      tokenId: string | null;
      user: UserRow;
      /** The calling token's own expiry (for a session, the expiry of the token signed in with). */
      expiresAt: string | null;
      /** Set when the caller is signed in with the session cookie rather than a bearer token. */
      session?: { secret: string; live: LiveSession };
    }
  | {
      kind: 'service';
      tokenId: string;
      name: string;
      orgId: string;
      environmentId: string;
      /** Set for a token bound to a workspace: it reads that workspace's effective set only. */
      workspaceId: string | null;
      /** Set for a token minted by an OIDC exchange: the workflow claims its issuer signed. */
      workflow?: WorkflowContext;
    };

export interface Actor {
  type: 'user' | 'service' | 'anonymous';
  id: string | null;
  /** The user's or the service token's name, as the audit shows it. */
  name: string | null;
  /** What createdBy/updatedBy show: the user's name, or `token:<name>`. */
  display: string;
}

export function actorOf(p: Principal | null): Actor {
  if (!p) return { type: 'anonymous', id: null, name: null, display: 'anonymous' };
  if (p.kind === 'personal') return { type: 'user', id: p.user.id, name: p.user.name, display: p.user.name };
  return { type: 'service', id: p.tokenId, name: p.name, display: `token:${p.name}` };
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    /**
     * Resolves the request's credential again, as it stands now: null once its token is revoked or
     * expired or its session ended. For requests that outlive a moment (event streams).
     */
    currentPrincipal: (() => Promise<Principal | null>) | null;
  }
  interface FastifyContextConfig {
    /** The audit action a denied attempt on this route is recorded as. */
    action?: AuditAction;
    /** Marks the generated 405 handlers, which route listings skip. */
    methodNotAllowed?: boolean;
    /** Answers without a principal too (signing in, opening an invitation, the OIDC exchange); one is attached when present. Still subject to the failed-authentication limit. */
    public?: boolean;
  }
}
