// How OIDC services have audit events made for them: the route binds the request (address, user agent,
// claimed workflow) and the service says who, what and with which details.
import type { AuditAction, AuditDetails, AuditOutcome } from '../../../core/api-types.ts';
import type { Actor } from '../../auth/principal.ts';
import type { AuditInput } from '../../storage/types.ts';

export type AuditStamp = (actor: Actor, action: AuditAction, outcome: AuditOutcome, environment: string | null, details?: AuditDetails) => AuditInput;
