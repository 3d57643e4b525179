// Workspaces of an organization (services/workspaces/workspace-service.ts holds the rules): any member
// lists and reads them, Admins+ create, change and delete them. A service token bound to a workspace
// sees that one only.
import type { FastifyInstance } from 'fastify';
import type { Workspace } from '../../core/api-types.ts';
import { accessOrg, authorize } from '../auth/access.ts';
import { callerOf } from '../audit/events.ts';
import type { Deps } from '../deps.ts';
import { body, id, name, orgParams, slug, workspaceParams, workspaceSchema } from '../http/schemas.ts';
import { workspaceNotFound, type WorkspaceService } from '../services/workspaces/workspace-service.ts';
import type { WorkspaceRow } from '../storage/types.ts';

export function toWorkspace(w: WorkspaceRow): Workspace {
  return { slug: w.slug, name: w.name, owner: w.ownerId, ownerName: w.ownerName, createdAt: w.createdAt, createdBy: w.createdBy };
}

export function registerWorkspaceRoutes(app: FastifyInstance, deps: Deps, workspaces: WorkspaceService): void {
  app.get<{ Params: { org: string } }>(
    '/v1/orgs/:org/workspaces',
    {
      config: { action: 'workspace.list' },
      schema: { params: orgParams, response: { 200: { type: 'object', properties: { workspaces: { type: 'array', items: workspaceSchema } } } } },
    },
    async (request) => {
      const access = await accessOrg(deps, request, request.params.org);
      await authorize(deps, request, access, 'org.read');
      const p = access.principal;
      const all = await workspaces.list(access.org);
      const visible = p.kind === 'service' ? all.filter((w) => w.id === p.workspaceId) : all;
      return { workspaces: visible.map(toWorkspace) };
    },
  );

  app.post<{ Params: { org: string }; Body: { slug: string; name?: string; owner?: string } }>(
    '/v1/orgs/:org/workspaces',
    { config: { action: 'workspace.create' }, schema: { params: orgParams, body: body({ slug, name, owner: id }, ['slug']), response: { 201: workspaceSchema } } },
    async (request, reply) => {
      const access = await accessOrg(deps, request, request.params.org);
      await authorize(deps, request, access, 'org.manage');
      const ws = await workspaces.create(callerOf(request, access.actor), access.org, request.body);
      reply.code(201);
      return toWorkspace(ws);
    },
  );

  app.get<{ Params: { org: string; ws: string } }>(
    '/v1/orgs/:org/workspaces/:ws',
    { config: { action: 'workspace.read' }, schema: { params: workspaceParams, response: { 200: workspaceSchema } } },
    async (request) => {
      const access = await accessOrg(deps, request, request.params.org);
      await authorize(deps, request, access, 'org.read');
      const ws = await workspaces.get(access.org, request.params.ws);
      const p = access.principal;
      if (p.kind === 'service' && p.workspaceId !== ws.id) throw workspaceNotFound(access.org, request.params.ws);
      return toWorkspace(ws);
    },
  );

  app.patch<{ Params: { org: string; ws: string }; Body: { name?: string; owner?: string } }>(
    '/v1/orgs/:org/workspaces/:ws',
    { config: { action: 'workspace.update' }, schema: { params: workspaceParams, body: body({ name, owner: id }), response: { 200: workspaceSchema } } },
    async (request) => {
      const access = await accessOrg(deps, request, request.params.org);
      await authorize(deps, request, access, 'org.manage');
      return toWorkspace(await workspaces.update(callerOf(request, access.actor), access.org, request.params.ws, request.body));
    },
  );

  app.delete<{ Params: { org: string; ws: string } }>(
    '/v1/orgs/:org/workspaces/:ws',
    { config: { action: 'workspace.delete' }, schema: { params: workspaceParams } },
    async (request, reply) => {
      const access = await accessOrg(deps, request, request.params.org);
      await authorize(deps, request, access, 'org.manage');
      await workspaces.delete(callerOf(request, access.actor), access.org, request.params.ws);
      return reply.code(204).send();
    },
  );
}
