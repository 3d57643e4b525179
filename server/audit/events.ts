// Building audit events from a request. An event names who, what, where and which keys: never a value.
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { AuditAction } from '../../core/api-types.ts';
import type { Actor } from '../auth/principal.ts';
import type { AuditInput, AuditRow } from '../storage/types.ts';
import type { AuditDetails, AuditEvent, AuditOutcome } from '../../core/api-types.ts';
import { workflowDetails } from './workflow-context.ts';

const MAX_USER_AGENT = 512;
/** Control characters (ESC, DEL, ...) would reach whoever reads the log in a terminal. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Who asks and from where: what a service needs from the request to audit what it does. */
export interface Caller {
  actor: Actor;
  ip: string;
  userAgent: string | null;
  log: FastifyBaseLogger;
  /** The workflow a CI caller runs in (verified from an OIDC exchange, or claimed by headers). */
  workflow: AuditDetails | undefined;
  /** The workspace (slug) the request is about: every event it causes names it. */
  workspace?: string;
}

export function callerOf(request: FastifyRequest, actor: Actor, workspace?: string): Caller {
  const ua = request.headers['user-agent'];
  return {
    actor,
    ip: request.ip,
    userAgent: typeof ua === 'string' ? ua.slice(0, MAX_USER_AGENT).replace(CONTROL, '?') : null,
    log: request.log,
    workflow: workflowDetails(request),
    ...(workspace !== undefined && { workspace }),
  };
}

export function callerEvent(
  caller: Caller,
  action: AuditAction,
  outcome: AuditOutcome,
  environment: string | null,
  keys: string[],
  details?: AuditDetails,
): AuditInput {
  const { actor } = caller;
  const merged = { ...caller.workflow, ...details };
  return {
    time: new Date().toISOString(),
    actorType: actor.type,
    actorId: actor.id,
    actorName: actor.name,
    action,
    environment,
    workspace: caller.workspace ?? null,
    keys,
    outcome,
    ip: caller.ip,
    userAgent: caller.userAgent,
    ...(Object.keys(merged).length > 0 && { details: merged }),
  };
}

export function auditEvent(
  request: FastifyRequest,
  actor: Actor,
  action: AuditAction,
  outcome: AuditOutcome,
  environment: string | null,
  keys: string[],
  details?: AuditDetails,
): AuditInput {
  return callerEvent(callerOf(request, actor), action, outcome, environment, keys, details);
}

export function toAuditEvent(row: AuditRow): AuditEvent {
  return {
    id: row.id,
    time: row.time,
    actor: { type: row.actorType, id: row.actorId, name: row.actorName },
    action: row.action,
    environment: row.environment,
    workspace: row.workspace ?? null,
    keys: row.keys,
    outcome: row.outcome,
    ip: row.ip,
    userAgent: row.userAgent,
    count: row.count,
    ...(row.details && { details: row.details }),
  };
}
