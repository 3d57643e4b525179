// The two things command logic talks to: the secrets API (core's SecretsClient satisfies this
// structurally) and a small UI port (prompts, confirmations, clipboard) that the VS Code adapter
// implements. Logic never imports `vscode`, so it runs under plain mocha against the live server.
import type {
  AuditPage,
  AuditQuery,
  Environment,
  EnvironmentChanges,
  Me,
  Member,
  OidcPolicy,
  Org,
  RevealedSecret,
  SecretMeta,
  SecretVersionList,
  Workspace,
} from '../../core/api-types.ts';
import type { EnvironmentRef } from '../../core/client/paths.ts';

export type { EnvironmentRef };

export interface SecretsApi {
  me(): Promise<Me>;
  listOrgs(): Promise<Org[]>;
  listEnvironments(org: string): Promise<Environment[]>;
  listSecrets(org: string, env: EnvironmentRef, opts?: { search?: string }): Promise<SecretMeta[]>;
  getSecret(org: string, env: EnvironmentRef, key: string): Promise<SecretMeta>;
  revealSecret(org: string, env: EnvironmentRef, key: string): Promise<RevealedSecret>;
  createSecret(org: string, env: EnvironmentRef, body: { key: string; value: string; description?: string }): Promise<SecretMeta>;
  updateSecret(
    org: string,
    env: EnvironmentRef,
    key: string,
    body: { value?: string; description?: string; workspaces?: string[] },
    opts?: { ifMatch?: number },
  ): Promise<SecretMeta>;
  deleteSecret(org: string, env: EnvironmentRef, key: string): Promise<void>;
  listSecretVersions(org: string, env: EnvironmentRef, key: string): Promise<SecretVersionList>;
  revealSecretVersion(org: string, env: EnvironmentRef, key: string, version: number): Promise<RevealedSecret>;
  rollbackSecret(org: string, env: EnvironmentRef, key: string, version: number, opts?: { ifMatch?: number }): Promise<SecretMeta>;
  environmentChanges(org: string, env: EnvironmentRef, from: string, to?: string): Promise<EnvironmentChanges>;
  listOidcPolicies(org: string): Promise<OidcPolicy[]>;
  listAudit(org: string, opts?: AuditQuery): Promise<AuditPage>;
  listWorkspaces(org: string): Promise<Workspace[]>;
  createWorkspace(org: string, body: { slug: string; name?: string; owner?: string }): Promise<Workspace>;
  updateWorkspace(org: string, ws: string, body: { name?: string; owner?: string }): Promise<Workspace>;
  deleteWorkspace(org: string, ws: string): Promise<void>;
  listMembers(org: string): Promise<Member[]>;
}

export interface InputOptions {
  title: string;
  prompt?: string;
  value?: string;
  placeholder?: string;
  password?: boolean;
  /** Rewrites the text as it is typed (keys are uppercased live). */
  transform?: (value: string) => string;
  /** A message when the text is unacceptable, undefined when it is fine; shown live. */
  validate?: (value: string) => string | undefined;
  /** Called with the (transformed) text on every keystroke, e.g. to filter live. */
  onChange?: (value: string) => void;
}

export interface PickItem<T> {
  label: string;
  description?: string;
  detail?: string;
  picked?: boolean;
  value: T;
}

export interface UiPort {
  /** undefined when the user cancelled. */
  input(options: InputOptions): Promise<string | undefined>;
  pick<T>(items: PickItem<T>[], options: { title: string; placeholder?: string }): Promise<T | undefined>;
  pickMany<T>(items: PickItem<T>[], options: { title: string; placeholder?: string }): Promise<T[] | undefined>;
  /** A modal confirmation; true only when the user chose `confirmLabel`. */
  confirm(message: string, options: { detail: string; confirmLabel: string }): Promise<boolean>;
}

export interface ClipboardPort {
  readText(): Promise<string>;
  writeText(text: string): Promise<void>;
}

/**
 * Where a command acts: an organization and one of its environments, or (with `workspace`) that
 * environment of one workspace, i.e. the workspace's effective set.
 */
export interface Target {
  org: string;
  env: string;
  workspace?: string;
}

/** The core client's address of a target's environment. */
export function envRef(t: Target): EnvironmentRef {
  return t.workspace === undefined ? t.env : { workspace: t.workspace, environment: t.env };
}

/** How a target is named to the user: `acme/production` or `acme/billing/production`. */
export function targetLabel(t: Target): string {
  return t.workspace === undefined ? `${t.org}/${t.env}` : `${t.org}/${t.workspace}/${t.env}`;
}
