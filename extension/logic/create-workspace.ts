// "Create Workspace": a slug (lowercased as typed, checked live against the slug rule and the
// organization's workspaces), a name (empty: the slug, as the server defaults it), and an owner picked
// from the organization's members — the user first, as the server defaults it.
import type { Workspace } from '../../core/api-types.ts';
import { Cancelled, ExtensionError } from '../errors.ts';
import type { SecretsApi, UiPort } from './ports.ts';
import { pickOwner } from './workspace-owner.ts';
import { ownerIdOf, requireWorkspaceAdmin, slugAsTyped, validateWorkspaceName, validateWorkspaceSlug, type WorkspaceScope } from './workspace-input.ts';

export interface CreateWorkspaceArgs {
  slug: string;
  name?: string;
  /** A member's user id or e-mail; absent: the caller. */
  owner?: string;
}

export async function createWorkspace(
  api: SecretsApi,
  ui: UiPort,
  scope: WorkspaceScope,
  options: { args?: CreateWorkspaceArgs; existingSlugs?: ReadonlySet<string> } = {},
): Promise<Workspace> {
  requireWorkspaceAdmin(scope);
  const body = options.args ? await fromArgs(api, scope.org, options.args) : await prompt(api, ui, scope.org, options.existingSlugs);
  return api.createWorkspace(scope.org, body);
}

async function fromArgs(api: SecretsApi, org: string, args: CreateWorkspaceArgs): Promise<{ slug: string; name?: string; owner?: string }> {
  // The same rules as the prompts; a slug already taken is the server's WORKSPACE_EXISTS.
  const problem = validateWorkspaceSlug(args.slug ?? '') ?? validateWorkspaceName(args.name ?? '', true);
  if (problem) throw new ExtensionError('EXT_INVALID_INPUT', problem);
  const name = args.name?.trim();
  return {
    slug: args.slug,
    ...(name ? { name } : {}),
    ...(args.owner !== undefined ? { owner: await ownerIdOf(api, org, args.owner) } : {}),
  };
}

async function prompt(api: SecretsApi, ui: UiPort, org: string, existing: ReadonlySet<string> = new Set()): Promise<{ slug: string; name?: string; owner: string }> {
  const title = `Create Workspace in ${org}`;
  const slug = await ui.input({
    title,
    prompt: 'Slug: lowercase letters, digits and hyphens; it never changes',
    placeholder: 'billing',
    transform: slugAsTyped,
    validate: (v) => validateWorkspaceSlug(v, existing, org),
  });
  if (slug === undefined) throw new Cancelled();
  const name = await ui.input({ title, prompt: `Name (leave empty to use ${slug})`, placeholder: slug, validate: (v) => validateWorkspaceName(v, true) });
  if (name === undefined) throw new Cancelled();
  const me = (await api.me()).user?.id;
  const owner = await pickOwner(api, ui, org, `Owner of workspace ${slug}`, me, 'you');
  return { slug, ...(name.trim() ? { name: name.trim() } : {}), owner };
}
