// action.yml is the action's interface on the Marketplace: every input described, defaults as the code
// assumes them, and entry points that exist.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { INPUT_DEFAULTS } from '../../action/inputs.ts';
import { ACTION_VERSION } from '../../action/version.ts';
import { readActionYml, ROOT } from './runner.ts';

const INPUTS = ['url', 'token', 'auth', 'audience', 'oidc-policy', 'org', 'environment', 'workspace', 'keys', 'at', 'export-env', 'outputs', 'env-file', 'env-file-format', 'template', 'template-output', 'fail-on-missing', 'on-conflict', 'allow-names'];

describe('action: action.yml', () => {
  const yml = readActionYml();
  const raw = parseYaml(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as Record<string, unknown>;

  it('runs the committed bundle on node24, with a post step and branding', () => {
    assert.equal(yml.runs.using, 'node24');
    assert.equal(yml.runs.main, 'action/dist/index.cjs');
    assert.equal(yml.runs.post, 'action/dist/post.cjs');
    assert.ok(existsSync(join(ROOT, yml.runs.main)) && existsSync(join(ROOT, yml.runs.post!)));
    const branding = raw['branding'] as { icon?: string; color?: string };
    assert.ok(branding.icon && branding.color);
    assert.ok(typeof raw['name'] === 'string' && typeof raw['description'] === 'string');
  });

  it('declares and describes exactly the inputs the action reads', () => {
    assert.deepEqual(Object.keys(yml.inputs).sort(), [...INPUTS].sort());
    for (const [name, spec] of Object.entries(yml.inputs)) assert.ok(spec.description.length > 20, `${name} is described`);
    const sources = ['inputs.ts', 'main.ts'].map((f) => readFileSync(join(ROOT, 'action', f), 'utf8')).join('\n');
    for (const name of INPUTS) assert.ok(sources.includes(`'${name}'`), `${name} is read by the action`);
  });

  it('has the defaults the code falls back to when run outside a runner', () => {
    for (const [name, value] of Object.entries(INPUT_DEFAULTS)) assert.equal(yml.inputs[name]!.default, value, name);
    for (const name of ['url', 'org', 'environment']) assert.equal(yml.inputs[name]!.required, true, name);
    // Without a token the action authenticates with the job's OIDC token.
    assert.equal(yml.inputs['token']!.required, false);
  });

  it('the example workflow uses the action with declared inputs only, all required ones set', () => {
    const wf = parseYaml(readFileSync(join(ROOT, '.github/workflows/secrets-action.yml'), 'utf8')) as {
      jobs: Record<string, { steps: { uses?: string; with?: Record<string, unknown> }[] }>;
    };
    const uses = Object.values(wf.jobs).flatMap((j) => j.steps).filter((st) => st.uses === './');
    assert.ok(uses.length > 0);
    for (const st of uses) {
      for (const name of Object.keys(st.with ?? {})) assert.ok(name in yml.inputs, `${name} is an input`);
      for (const [name, spec] of Object.entries(yml.inputs)) if (spec.required) assert.ok(name in (st.with ?? {}), `${name} is set`);
    }
  });

  it('sends the package version in its User-Agent', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(ACTION_VERSION, pkg.version);
  });
});
