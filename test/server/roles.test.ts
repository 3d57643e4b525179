// The full roles × actions matrix of issue 2, table-driven against the live server, plus the
// visibility rules: no token → 401, non-member → 404 ORG_NOT_FOUND exactly like a missing org,
// member without the permission → 403 FORBIDDEN with nothing changed.
import assert from 'node:assert/strict';
import type { Problem, Role, SecretMeta, ServiceToken, Member, Environment } from '../../core/api-types.ts';
import type { RunningServer } from '../helpers/server.ts';
import { stopAndRemove } from './support/lifecycle.ts';
import { assertProblem, type Http, type Reply } from './support/http.ts';
import {
  bulkRevealPath,
  createSecret,
  createServiceToken,
  setRole,
  createUser,
  secretPath,
  secretsPath,
  unique,
  type Team,
} from './support/fixtures.ts';
import { startTeamServer } from './support/team-server.ts';

type Action =
  | 'view metadata'
  | 'reveal'
  | 'bulk reveal'
  | 'create'
  | 'edit'
  | 'delete'
  | 'add member'
  | 'change member role'
  | 'remove member'
  | 'list members'
  | 'create service token'
  | 'list service tokens'
  | 'revoke service token'
  | 'create environment'
  | 'read audit';

const ALL_ACTIONS: readonly Action[] = [
  'view metadata', 'reveal', 'bulk reveal', 'create', 'edit', 'delete',
  'add member', 'change member role', 'remove member', 'list members',
  'create service token', 'list service tokens', 'revoke service token',
  'create environment', 'read audit',
];

const ALLOWED: Record<Role, readonly Action[]> = {
  owner: ALL_ACTIONS,
  admin: ALL_ACTIONS,
  editor: ['view metadata', 'reveal', 'bulk reveal', 'create', 'edit', 'list members'],
  viewer: ['view metadata', 'list members'],
};

const READ_ONLY: readonly Action[] = ['view metadata', 'list members', 'list service tokens', 'read audit'];
const ROLES: readonly Role[] = ['owner', 'admin', 'editor', 'viewer'];
const ENV = 'production';

interface Attempt {
  reply: Reply<unknown>;
  /** Whether the action's effect is visible afterwards (checked with the owner's token). */
  happened: () => Promise<boolean>;
}

describe('server: roles × actions', function () {
  let server: RunningServer;
  let api: Http;
  let team: Team;

  before(async () => ({ server, api, team } = await startTeamServer()));
  after(() => stopAndRemove(server));

  const owner = () => team.owner.token;
  const secretExists = async (org: string, key: string) => (await api.get(secretPath(org, ENV, key), owner())).status === 200;
  const version = async (org: string, key: string) => (await api.get<SecretMeta>(secretPath(org, ENV, key), owner())).body.version;

  /** Each action, run against `org` with `token`; the set-up it needs is done with the owner's token. */
  const ACTIONS: Record<Action, { ok: number; attempt: (org: string, token: string | undefined) => Promise<Attempt> }> = {
    'view metadata': {
      ok: 200,
      attempt: async (org, token) => {
        const key = unique('VIEW').toUpperCase().replaceAll('-', '_');
        if (org === team.org) await createSecret(api, owner(), org, ENV, key, 'view-value');
        const list = await api.get<{ secrets: SecretMeta[] }>(secretsPath(org, ENV), token);
        if (list.status !== 200) return { reply: list, happened: async () => false };
        assert.ok(list.body.secrets.some((s) => s.key === key));
        const reply = await api.get(secretPath(org, ENV, key), token);
        return { reply, happened: async () => true };
      },
    },
    reveal: {
      ok: 200,
      attempt: async (org, token) => {
        const key = unique('REVEAL').toUpperCase().replaceAll('-', '_');
        if (org === team.org) await createSecret(api, owner(), org, ENV, key, 'reveal-value-xyz');
        const reply = await api.post(`${secretPath(org, ENV, key)}/reveal`, token);
        if (reply.status !== 200) assert.ok(!reply.text.includes('reveal-value-xyz'));
        return { reply, happened: async () => reply.text.includes('reveal-value-xyz') };
      },
    },
    'bulk reveal': {
      ok: 200,
      attempt: async (org, token) => {
        const key = unique('BULK').toUpperCase().replaceAll('-', '_');
        if (org === team.org) await createSecret(api, owner(), org, ENV, key, 'bulk-value-xyz');
        const reply = await api.post(bulkRevealPath(org, ENV), token, { keys: [key] });
        if (reply.status !== 200) assert.ok(!reply.text.includes('bulk-value-xyz'));
        return { reply, happened: async () => reply.text.includes('bulk-value-xyz') };
      },
    },
    create: {
      ok: 201,
      attempt: async (org, token) => {
        const key = unique('CREATE').toUpperCase().replaceAll('-', '_');
        const reply = await api.post(secretsPath(org, ENV), token, { key, value: 'created' });
        return { reply, happened: () => secretExists(org, key) };
      },
    },
    edit: {
      ok: 200,
      attempt: async (org, token) => {
        const key = unique('EDIT').toUpperCase().replaceAll('-', '_');
        if (org === team.org) await createSecret(api, owner(), org, ENV, key, 'before');
        const reply = await api.patch(secretPath(org, ENV, key), token, { value: 'after' });
        return { reply, happened: async () => org === team.org && (await version(org, key)) === 2 };
      },
    },
    delete: {
      ok: 204,
      attempt: async (org, token) => {
        const key = unique('DELETE').toUpperCase().replaceAll('-', '_');
        if (org === team.org) await createSecret(api, owner(), org, ENV, key, 'doomed');
        const reply = await api.del(secretPath(org, ENV, key), token);
        return { reply, happened: async () => org === team.org && !(await secretExists(org, key)) };
      },
    },
    'add member': {
      ok: 201,
      attempt: async (org, token) => {
        const newcomer = await createUser(api, server.adminToken);
        const reply = await api.put(`/v1/orgs/${org}/members/${newcomer.user.id}`, token, { role: 'viewer' });
        return { reply, happened: async () => (await api.get(`/v1/orgs/${team.org}/members/${newcomer.user.id}`, owner())).status === 200 };
      },
    },
    'change member role': {
      ok: 200,
      attempt: async (org, token) => {
        const member = await createUser(api, server.adminToken);
        await setRole(api, owner(), team.org, member.user.id, 'viewer');
        const reply = await api.put(`/v1/orgs/${org}/members/${member.user.id}`, token, { role: 'editor' });
        return { reply, happened: async () => (await api.get<Member>(`/v1/orgs/${team.org}/members/${member.user.id}`, owner())).body.role === 'editor' };
      },
    },
    'remove member': {
      ok: 204,
      attempt: async (org, token) => {
        const member = await createUser(api, server.adminToken);
        await setRole(api, owner(), team.org, member.user.id, 'viewer');
        const reply = await api.del(`/v1/orgs/${org}/members/${member.user.id}`, token);
        return { reply, happened: async () => (await api.get(`/v1/orgs/${team.org}/members/${member.user.id}`, owner())).status === 404 };
      },
    },
    'list members': {
      ok: 200,
      attempt: async (org, token) => {
        const reply = await api.get<{ members: Member[] }>(`/v1/orgs/${org}/members`, token);
        return { reply, happened: async () => true };
      },
    },
    'create service token': {
      ok: 201,
      attempt: async (org, token) => {
        const name = unique('tok');
        const reply = await api.post(`/v1/orgs/${org}/tokens`, token, { name, environment: ENV });
        return {
          reply,
          happened: async () => {
            const list = await api.get<{ tokens: ServiceToken[] }>(`/v1/orgs/${team.org}/tokens`, owner());
            return list.status === 200 && list.body.tokens.some((t) => t.name === name);
          },
        };
      },
    },
    'list service tokens': {
      ok: 200,
      attempt: async (org, token) => {
        const reply = await api.get(`/v1/orgs/${org}/tokens`, token);
        return { reply, happened: async () => reply.status === 200 };
      },
    },
    'revoke service token': {
      ok: 204,
      attempt: async (org, token) => {
        const svc = await createServiceToken(api, owner(), team.org, ENV);
        const reply = await api.del(`/v1/orgs/${org}/tokens/${svc.id}`, token);
        return { reply, happened: async () => (await api.get(secretsPath(team.org, ENV), svc.token)).status === 401 };
      },
    },
    'create environment': {
      ok: 201,
      attempt: async (org, token) => {
        const slug = unique('env');
        const reply = await api.post(`/v1/orgs/${org}/environments`, token, { slug });
        return {
          reply,
          happened: async () => {
            const list = await api.get<{ environments: Environment[] }>(`/v1/orgs/${org}/environments`, owner());
            return list.status === 200 && list.body.environments.some((e) => e.slug === slug);
          },
        };
      },
    },
    'read audit': {
      ok: 200,
      attempt: async (org, token) => {
        const reply = await api.get(`/v1/orgs/${org}/audit?limit=5`, token);
        return { reply, happened: async () => reply.status === 200 };
      },
    },
  };

  for (const role of ROLES) {
    for (const action of Object.keys(ACTIONS) as Action[]) {
      const allowed = ALLOWED[role].includes(action);
      it(`${role} ${allowed ? 'can' : 'cannot'} ${action}`, async () => {
        const { ok, attempt } = ACTIONS[action];
        const { reply, happened } = await attempt(team.org, team[role].token);
        if (allowed) {
          assert.equal(reply.status, ok, `${role} ${action}: ${reply.status} ${reply.text.slice(0, 300)}`);
          assert.ok(await happened(), `${role} ${action}: answered ${reply.status} but had no effect`);
        } else {
          assertProblem(reply, 403, 'FORBIDDEN');
          assert.equal(await happened(), false, `${role} ${action}: refused but took effect anyway`);
        }
      });
    }
  }

  for (const action of Object.keys(ACTIONS) as Action[]) {
    it(`without a token, ${action} answers 401 UNAUTHORIZED and does nothing`, async () => {
      const { reply, happened } = await ACTIONS[action].attempt(team.org, undefined);
      assertProblem(reply, 401, 'UNAUTHORIZED');
      if (!READ_ONLY.includes(action)) assert.equal(await happened(), false);
    });
  }

  for (const action of Object.keys(ACTIONS) as Action[]) {
    it(`a non-member attempting ${action} gets 404 ORG_NOT_FOUND, exactly as for an org that does not exist`, async () => {
      const { reply, happened } = await ACTIONS[action].attempt(team.org, team.outsider.token);
      const asOutsider = assertProblem(reply, 404, 'ORG_NOT_FOUND');
      if (!READ_ONLY.includes(action)) assert.equal(await happened(), false);
      const ghost = unique('ghost');
      const { reply: missing } = await ACTIONS[action].attempt(ghost, team.outsider.token);
      const asMissing = assertProblem(missing, 404, 'ORG_NOT_FOUND');
      const normalise = (p: Problem, slug: string) => JSON.stringify({ ...p, detail: p.detail.replaceAll(slug, '<org>') });
      assert.equal(normalise(asOutsider, team.org), normalise(asMissing, ghost), 'the two 404s must be indistinguishable');
    });
  }

  it('a non-member gets ORG_NOT_FOUND even for an environment that does not exist (no probing)', async () => {
    const r = await api.get(secretsPath(team.org, 'no-such-env'), team.outsider.token);
    assertProblem(r, 404, 'ORG_NOT_FOUND');
  });

  it('the instance admin is not a member of other users\' organizations and gets 404 there', async () => {
    const r = await api.get(secretsPath(team.org, ENV), server.adminToken);
    assertProblem(r, 404, 'ORG_NOT_FOUND');
  });
});
