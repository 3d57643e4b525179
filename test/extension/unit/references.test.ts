import assert from 'node:assert/strict';
import {
  completionCandidates,
  completionContext,
  currentVersions,
  hoverMarkdown,
  pinCandidates,
  referenceAt,
  referencesIn,
  unknownReferences,
} from '../../../extension/language/references.ts';
import { SecretsTreeModel } from '../../../extension/model/tree-model.ts';
import { ManualClock } from './support/fake-clock.ts';
import { CANARY, startWorld, type World } from './support/world.ts';

const DOTENV = [
  '# app settings',
  'STRIPE=$STRIPE_SECRET_KEY',
  'DB="${DATABASE_URL}?sslmode=require"',
  'PRICE=$$5 and $5',
  'MISSING=$NOT_A_SECRET',
  'HOME_DIR=$HOME/app',
  '',
].join('\n');

describe('extension editor support: $NAME references (live server)', () => {
  let world: World;
  let model: SecretsTreeModel;
  before(async () => {
    world = await startWorld();
    model = new SecretsTreeModel({ clock: new ManualClock() });
    model.setApi(world.members.viewer.client);
    await model.loadOrgs();
    await model.loadEnvironments(world.org);
    model.setCurrent(world.org, 'development');
    await model.loadSecrets(world.org, 'development');
  });
  after(async () => {
    await world?.close();
  });

  it('finds $NAME and ${NAME} references, not $$ escapes or $5', () => {
    const refs = referencesIn(DOTENV);
    assert.deepEqual(
      refs.map((r) => r.name),
      ['STRIPE_SECRET_KEY', 'DATABASE_URL', 'NOT_A_SECRET', 'HOME'],
    );
    const db = refs[1]!;
    assert.equal(DOTENV.slice(db.start, db.end), '${DATABASE_URL}');
  });

  it('finds the reference under the cursor, on either edge of it', () => {
    const at = DOTENV.indexOf('$STRIPE_SECRET_KEY');
    assert.equal(referenceAt(DOTENV, at)?.name, 'STRIPE_SECRET_KEY');
    assert.equal(referenceAt(DOTENV, at + 5)?.name, 'STRIPE_SECRET_KEY');
    assert.equal(referenceAt(DOTENV, at + '$STRIPE_SECRET_KEY'.length)?.name, 'STRIPE_SECRET_KEY');
    assert.equal(referenceAt(DOTENV, DOTENV.indexOf('# app')), undefined);
    const braced = DOTENV.indexOf('${DATABASE_URL}') + 3;
    const r = referenceAt(DOTENV, braced)!;
    assert.equal(DOTENV.slice(r.start, r.end), '${DATABASE_URL}');
  });

  it('hovers show the secret’s metadata from the current environment, never its value', () => {
    const secrets = model.secrets(world.org, 'development')!;
    const meta = secrets.find((s) => s.key === 'STRIPE_SECRET_KEY')!;
    const md = hoverMarkdown(meta, world.org, 'development');
    assert.match(md, /\*\*STRIPE_SECRET_KEY\*\* — secret in `acme-[^`]+\/development`, version 1/);
    assert.match(md, /Stripe test key/);
    assert.match(md, /by owner\\-/);
    for (const v of Object.values(CANARY)) assert.ok(!md.includes(v));
  });

  it('completes secret names after $ and ${, filtered by what is typed', () => {
    assert.deepEqual(completionContext('X=$'), { partial: '', nameStart: 3, braced: false });
    assert.deepEqual(completionContext('X=${DAT'), { partial: 'DAT', nameStart: 4, braced: true });
    assert.deepEqual(completionContext('run --key $str'), { partial: 'str', nameStart: 11, braced: false });
    assert.equal(completionContext('X=$$'), undefined, '$$ is an escaped dollar');
    assert.equal(completionContext('X=plain'), undefined);
    const secrets = model.secrets(world.org, 'development')!;
    assert.deepEqual(completionCandidates(secrets, '').map((s) => s.key), ['DATABASE_URL', 'REDIS_URL', 'STRIPE_SECRET_KEY']);
    assert.deepEqual(completionCandidates(secrets, 'str').map((s) => s.key), ['STRIPE_SECRET_KEY']);
  });

  it('warns about names that do not exist in the current environment, but not about $HOME', () => {
    const known = currentVersions(model.secrets(world.org, 'development')!);
    const warnings = unknownReferences(DOTENV, known, 'development');
    assert.deepEqual(warnings.map((w) => [w.name, w.message]), [['NOT_A_SECRET', 'NOT_A_SECRET does not exist in development']]);
    assert.equal(DOTENV.slice(warnings[0]!.start, warnings[0]!.end), '$NOT_A_SECRET');
  });

  it('judges references against the environment that is current: a production-only key is unknown in development', async () => {
    const yaml = 'env:\n  TOKEN: ${PROD_ONLY_TOKEN}\n  KEY: $STRIPE_SECRET_KEY\n';
    const devKnown = currentVersions(model.secrets(world.org, 'development')!);
    assert.deepEqual(unknownReferences(yaml, devKnown, 'development').map((w) => w.name), ['PROD_ONLY_TOKEN']);
    await model.loadSecrets(world.org, 'production');
    const prodKnown = currentVersions(model.secrets(world.org, 'production')!);
    assert.deepEqual(unknownReferences(yaml, prodKnown, 'production').map((w) => w.name), []);
  });

  it('pinned ${NAME@n}: the hover names the pinned version beside the current one, versions complete after @, and a pin past the current version is warned about', () => {
    const secrets = model.secrets(world.org, 'development')!;
    const stripe = secrets.find((s) => s.key === 'STRIPE_SECRET_KEY')!;
    const text = 'A=${STRIPE_SECRET_KEY@1}\nB=${STRIPE_SECRET_KEY@9}\nC=${NOT_A_SECRET@2}\nD=$$${STRIPE_SECRET_KEY@1}\n';
    const pinned = referenceAt(text, text.indexOf('@1') - 3)!;
    assert.equal(pinned.version, 1, 'the reference under the cursor keeps its pin');
    const md = hoverMarkdown(stripe, world.org, 'development', pinned.version);
    assert.match(md, /^\*\*STRIPE_SECRET_KEY@1\*\* — version 1 of a secret in `acme-[^`]+\/development`, pinned: later changes do not reach it \(current version 1\)/);
    assert.match(hoverMarkdown(stripe, world.org, 'development', 9), /has no version 9: its current version is 1/);
    for (const v of Object.values(CANARY)) assert.ok(!md.includes(v));

    assert.deepEqual(
      unknownReferences(text, currentVersions(secrets), 'development').map((w) => w.message),
      ['STRIPE_SECRET_KEY has no version 9 in development: its current version is 1', 'NOT_A_SECRET does not exist in development'],
    );

    assert.deepEqual(completionContext('X=${STRIPE_SECRET_KEY@'), { partial: '', nameStart: 22, braced: true, pinOf: 'STRIPE_SECRET_KEY' });
    assert.deepEqual(completionContext('X=${db_host@1'), { partial: '1', nameStart: 12, braced: true, pinOf: 'DB_HOST' });
    assert.equal(completionContext('X=$NAME@'), undefined, 'only the braced form pins: `$NAME@` is a reference then text');
    assert.equal(completionContext('X=$${NAME@'), undefined, '$$ is an escaped dollar');
    const many = { ...stripe, version: 23 };
    assert.deepEqual(pinCandidates(many, ''), [23, 22, 21, 20, 19, 18, 17, 16, 15, 14], 'the current version first, ten at most');
    assert.deepEqual(pinCandidates(many, '2'), [23, 22, 21, 20, 2], 'filtered by the digits typed');
  });

  it('says in a workspace’s hover whether the secret is the organization’s, the workspace’s or an override', () => {
    const base = { key: 'DB_HOST', description: '', version: 2, createdAt: 't', createdBy: 'a', updatedAt: 't', updatedBy: 'a', execRisk: false };
    assert.match(hoverMarkdown({ ...base, scope: 'organization' }, 'acme', 'billing/development'), /^\*\*DB_HOST\*\* — secret in `acme\/billing\/development` \(organization secret\), version 2/);
    assert.match(hoverMarkdown({ ...base, scope: 'workspace', overrides: true }, 'acme', 'billing/development'), /\(workspace secret, overrides the organization’s\)/);
    assert.match(hoverMarkdown({ ...base, scope: 'workspace' }, 'acme', 'billing/development'), /\(workspace secret\), version 2/);
    assert.doesNotMatch(hoverMarkdown(base, 'acme', 'development'), /organization secret|workspace secret/);
  });
});
