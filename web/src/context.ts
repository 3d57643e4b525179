// What every page of the signed-in dashboard is given.
import type { Environment, Org } from '../../core/api-types.ts';
import type { SessionInfo } from './session.ts';

export interface PageContext {
  session: SessionInfo;
  /** The organization chosen in the header. */
  org: Org;
  orgs: Org[];
  /** Environments of `org` (loaded with it). */
  environments: Environment[];
  /** Reload the organization list (after creating one) and optionally switch to `slug`. */
  reloadOrgs(switchTo?: string): Promise<void>;
  /** Reload the environments of the current organization. */
  reloadEnvironments(): Promise<void>;
  switchOrg(slug: string): void;
  navigate(path: string): void;
}
