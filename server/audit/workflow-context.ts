// The CI run an audit event came from. A token minted by an OIDC exchange carries the workflow claims
// its issuer signed (`verified`); any other authenticated caller may describe its run in the workflow-context header,
// which the audit records as `claimed`: the client said so, nothing proves it.
import type { FastifyRequest } from 'fastify';
import { WORKFLOW_CONTEXT_FIELDS, WORKFLOW_CONTEXT_HEADER, type AuditDetails, type WorkflowContext } from '../../core/api-types.ts';

const MAX_HEADER = 2048;
const MAX_FIELD = 256;
/** Control characters (ESC, CR, ...) would reach whoever reads the log in a terminal. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Known fields only, each bounded and cleaned of control characters; undefined when nothing is left. */
export function cleanWorkflowContext(source: Partial<Record<keyof WorkflowContext, unknown>>): WorkflowContext | undefined {
  const out: WorkflowContext = {};
  for (const field of WORKFLOW_CONTEXT_FIELDS) {
    const v = source[field];
    if (typeof v !== 'string' && typeof v !== 'number') continue;
    const text = String(v).slice(0, MAX_FIELD).replace(CONTROL, '?');
    if (text !== '') out[field] = text;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The header's URL-encoded form (`repository=acme%2Fapp&runId=42`); anything unreadable is ignored. */
export function claimedWorkflow(request: FastifyRequest): WorkflowContext | undefined {
  const raw = request.headers[WORKFLOW_CONTEXT_HEADER];
  if (typeof raw !== 'string' || raw.length > MAX_HEADER) return undefined;
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(raw);
  } catch {
    return undefined;
  }
  const fields: Partial<Record<keyof WorkflowContext, unknown>> = {};
  for (const field of WORKFLOW_CONTEXT_FIELDS) {
    const v = params.get(field);
    if (v !== null) fields[field] = v;
  }
  return cleanWorkflowContext(fields);
}

/**
 * The workflow part of an event's details: verified claims win over anything the client says, and only
 * an authenticated caller's claim is kept (an anonymous one would let anyone write into the audit log).
 */
export function workflowDetails(request: FastifyRequest): AuditDetails | undefined {
  const p = request.principal;
  if (!p) return undefined;
  if (p.kind === 'service' && p.workflow) return { workflow: { ...p.workflow, source: 'verified' } };
  const claimed = claimedWorkflow(request);
  return claimed ? { workflow: { ...claimed, source: 'claimed' } } : undefined;
}
