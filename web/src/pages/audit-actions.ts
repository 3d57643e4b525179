// Every action the server records in the audit log (docs/api.md, Audit), offered by the Audit Logs
// page's Action filter in alphabetical order. The compiler checks the list against the API types'
// AuditAction (none missing, none unknown), and test/web/audit-actions.test.ts against docs/api.md.
import type { AuditAction } from '../../../core/api-types.ts';

export const AUDIT_ACTIONS = [
  'audit.read',
  'environment.create',
  'environment.list',
  'environment.rollback',
  'history_retention.update',
  'invitation.accept',
  'invitation.create',
  'invitation.revoke',
  'member.add',
  'member.list',
  'member.remove',
  'member.update',
  'oidc.exchange',
  'oidc_policy.create',
  'oidc_policy.delete',
  'oidc_policy.list',
  'oidc_policy.update',
  'org.create',
  'org.read',
  'secret.bulk_reveal',
  'secret.create',
  'secret.delete',
  'secret.history_pruned',
  'secret.list',
  'secret.read',
  'secret.reveal',
  'secret.update',
  'session.create',
  'session.delete',
  'token.create',
  'token.list',
  'token.revoke',
  'workspace.create',
  'workspace.delete',
  'workspace.list',
  'workspace.read',
  'workspace.update',
] as const satisfies readonly AuditAction[];

// An action added to AuditAction but not to the list above fails the type check here.
type Unlisted = Exclude<AuditAction, (typeof AUDIT_ACTIONS)[number]>;
export const EVERY_ACTION_LISTED: [Unlisted] extends [never] ? true : Unlisted = true;
