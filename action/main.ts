// The action's main step: read inputs, fetch in one bulk reveal, mask, resolve, check names, export.
// Every failure ends as one core.setFailed line (action/errors.ts); nothing is exported unless all of it
// succeeded up to the point of writing. Importing this file runs nothing: action/index.ts (the bundle's
// entry) calls run(), as GitHub's local-action runner does.
import * as core from '@actions/core';
import { SecretsClient, type TokenlessOptions } from '../core/client.ts';
import { githubWorkflowContext, workflowContextHeader } from '../core/workflow-context.ts';
import { findReferences, referenceTarget, resolveSecrets } from '../core/resolve.ts';
import { revealEnvironment } from '../core/reveal-environment.ts';
import { ActionError, failureMessage } from './errors.ts';
import { exportEnv, exportOutputs, dotenvContent, readTemplate, renderTemplate, requireRunnerFiles, SecretFiles } from './export.ts';
import { readInputs, type ActionInputs } from './inputs.ts';
import { exchangeIdToken, requestIdToken } from './oidc.ts';
import { Masker } from './mask.ts';
import { planNames, type ExportSelection } from './names.ts';
import { writeSummary } from './summary.ts';
import { ACTION_VERSION } from './version.ts';

/** Service tokens say what they are in their prefix; only they can be bound to a workspace. */
const SERVICE_TOKEN_PREFIX = 'scrt_svc_';

// Per phase, milliseconds since the process started and CPU milliseconds used so far, in one debug line:
// where a slow step spends its time.
const phases: string[] = [];
const mark = (phase: string) => {
  const cpu = process.cpuUsage();
  phases.push(`${phase} ${performance.now().toFixed(1)}/${((cpu.user + cpu.system) / 1000).toFixed(1)}`);
};

async function loadAndExport(): Promise<void> {
  mark('loaded');
  // The job's variables as they were before this step exported anything, for the overwrite check.
  const jobEnv = { ...process.env };
  const inputs = readInputs();
  requireRunnerFiles(inputs);
  const templateText = inputs.template === null ? null : readTemplate(inputs.template);
  const onMissing = inputs.failOnMissing ? 'error' : 'keep';

  mark('inputs');
  const masker = new Masker();
  const options: TokenlessOptions = {
    baseUrl: inputs.url,
    userAgent: `secrets-action/${ACTION_VERSION}`,
    onRetry: ({ attempt, delayMs, reason }) => core.info(`Attempt ${attempt} failed (${reason}); retrying in ${delayMs} ms`),
    onResponse: ({ method, path, status, ms }) => core.debug(`${method} ${path} → ${status} in ${ms} ms`),
  };
  const client = new SecretsClient(await credentials(inputs, options));
  const started = Date.now();
  let loaded;
  let workspace = inputs.workspace;
  try {
    workspace ??= await boundWorkspace(client, inputs);
    loaded = await revealEnvironment(client, inputs.org, workspace === null ? inputs.environment : { workspace, environment: inputs.environment }, {
      keys: inputs.keys === null ? null : inputs.keys.map((k) => k.key),
      alsoKeys: templateText === null ? [] : findReferences(templateText).map(referenceTarget),
      ...(inputs.at !== null && { at: inputs.at }),
      onSecrets: (secrets) => {
        mark('fetched');
        masker.register(secrets.map((s) => [s.key, s.value] as const));
        mark('masked');
      },
    });
  } finally {
    await client.close();
  }
  const where = `${inputs.org}/${inputs.environment}${workspace === null ? '' : ` (workspace ${workspace})`}${inputs.at === null ? '' : ` as of ${inputs.at}`}`;
  core.info(`Read ${plural(Object.keys(loaded.values).length, 'secret')} from ${where} in ${Date.now() - started} ms (${plural(loaded.requests, 'request')})`);

  if (loaded.missing.length > 0) {
    const message = missingMessage(where, loaded.missing, inputs.keys === null);
    if (inputs.failOnMissing) throw new ActionError('ACTION_SECRET_MISSING', message);
    core.warning(message);
  }

  const resolved = resolveSecrets(loaded.values, { onMissing });
  mark('resolved');
  // A value assembled from references is a new string the masker has not seen (a URL with a password in it).
  masker.register(
    Object.entries(resolved)
      .filter(([key, value]) => value !== loaded.values[key])
      .map(([key, value]) => [`${key} (resolved)`, value] as const),
  );
  if (!inputs.failOnMissing) warnKeptReferences(loaded.values);

  const missing = new Set(loaded.missing);
  const selections: ExportSelection[] =
    inputs.keys === null
      ? Object.keys(loaded.values)
          // A pinned version read only because a value refers to it (`${KEY@3}`) is not a key of the environment.
          .filter((key) => !key.includes('@'))
          .sort()
          .map((key) => ({ key, name: key }))
      : inputs.keys.filter((k) => !missing.has(k.key)).map(({ key, name }) => ({ key, name }));
  const plan = planNames(selections, {
    env: jobEnv,
    values: resolved,
    runnerOs: process.env['RUNNER_OS'],
    exportEnv: inputs.exportEnv,
    outputs: inputs.outputs,
    envFile: inputs.envFile !== null,
    allowNames: inputs.allowNames,
  });
  if (plan.issues.length > 0) {
    if (inputs.onConflict === 'error') {
      throw new ActionError(plan.issues[0]!.code, plan.issues.map((i) => i.message).join('; '));
    }
    for (const issue of plan.issues) core.warning(`${issue.message}${issue.exportAnyway ? '' : '; not exported'} [${issue.code}]`);
  }

  // Rendered before anything is written, so a template or env-file that cannot be written leaves the job untouched.
  const rendered = templateText === null ? null : renderTemplate(templateText, loaded.values, plan.exports, onMissing);
  const dotenv = inputs.envFile === null ? null : dotenvContent(plan.exports, resolved, inputs.envFileFormat);

  mark('planned');
  // Files first: one the action refuses to write (it exists, or is a link) fails the step before any variable is exported.
  const files = new SecretFiles();
  const written: string[] = [];
  if (inputs.envFile !== null && dotenv !== null) written.push(files.write(inputs.envFile, dotenv));
  if (inputs.templateOutput !== null && rendered !== null) written.push(files.write(inputs.templateOutput, rendered));
  const destinations: string[] = [];
  if (inputs.exportEnv) {
    exportEnv(plan.exports, resolved);
    destinations.push('env');
  }
  if (inputs.outputs) {
    exportOutputs(plan.exports, resolved);
    destinations.push('outputs');
  }
  destinations.push(...written);

  mark('exported');
  core.info(`Exported ${plural(plan.exports.length, 'secret')} to ${destinations.join(', ') || 'nothing (masking only)'}: ${plan.exports.map((e) => e.name).join(', ')}`);
  try {
    await writeSummary({
      org: inputs.org,
      environment: inputs.environment,
      workspace,
      at: inputs.at,
      exports: plan.exports.map((e) => ({ ...e, version: loaded.entries[e.key]!.version, scope: loaded.entries[e.key]!.scope })),
      destinations,
      missing: loaded.missing,
    });
  } catch {
    // The secrets are exported by now; a summary that cannot be written must not fail the step.
    core.warning('Could not write the job summary');
  }
  mark('done');
  core.debug(`Timings (ms since process start/CPU ms): ${phases.join(', ')}`);
}

/**
 * The token to read with. A service token goes with the run's description (`claimed` in the audit log);
 * an OIDC exchange needs none, as the server records the claims it verified.
 */
async function credentials(inputs: ActionInputs, options: TokenlessOptions): Promise<TokenlessOptions & { token: string }> {
  if (inputs.auth.kind === 'token') {
    return { ...options, token: inputs.auth.token, headers: workflowContextHeader(githubWorkflowContext(process.env)) };
  }
  const idToken = await requestIdToken(inputs.auth.audience);
  mark('id-token');
  const minted = await exchangeIdToken(options, inputs.org, idToken, inputs.auth.policy);
  mark('exchanged');
  if (minted.environment !== inputs.environment) {
    throw new ActionError(
      'ACTION_OIDC_ENVIRONMENT',
      `The trust policy that accepted this job's OIDC token grants environment ${minted.environment}, not ${inputs.environment}; set "environment: ${minted.environment}" or use the policy for ${inputs.environment} ("oidc-policy")`,
    );
  }
  // A token bound to a workspace reads only that workspace's effective set, and an unbound one no workspace's.
  if ((minted.workspace ?? null) !== inputs.workspace) {
    const granted = minted.workspace ? `workspace ${minted.workspace}` : 'the organization (no workspace)';
    throw new ActionError(
      'ACTION_OIDC_ENVIRONMENT',
      `The trust policy that accepted this job's OIDC token grants ${granted}, not ${inputs.workspace === null ? 'the organization (no workspace)' : `workspace ${inputs.workspace}`}; ${minted.workspace ? `set "workspace: ${minted.workspace}"` : 'remove the "workspace" input'} or use the policy for it ("oidc-policy")`,
    );
  }
  core.info(`Exchanged the job's OIDC token for a read-only token of ${inputs.org}/${minted.environment}${minted.workspace ? ` (workspace ${minted.workspace})` : ''}, valid until ${minted.expiresAt}`);
  return { ...options, token: minted.token };
}

/**
 * With a service token and no `workspace` input, the workspace the token is bound to (the server knows,
 * GET /v1/me, as the CLI asks), so a workspace's CI token needs no input to load its effective set; null
 * for a token bound to none. Personal and minted (OIDC) tokens are not asked: the exchange already
 * compared the minted token's workspace with the input.
 */
async function boundWorkspace(client: SecretsClient, inputs: ActionInputs): Promise<string | null> {
  if (inputs.auth.kind !== 'token' || !inputs.auth.token.startsWith(SERVICE_TOKEN_PREFIX)) return null;
  const me = await client.me();
  mark('me');
  if (me.tokenKind !== 'service' || !me.workspace) return null;
  core.info(`The service token is bound to workspace ${me.workspace}: loading its effective set`);
  return me.workspace;
}

/**
 * Which requested keys were not there, and why where it can tell: a pin names a version that is not kept;
 * at a moment, a key whose secret has since been deleted has no value left to load.
 */
function missingMessage(where: string, missing: readonly string[], wholeEnvironment: boolean): string {
  if (wholeEnvironment) return `Existed in ${where} but deleted since, so their values are gone: ${missing.join(', ')}`;
  const pins = missing.filter((k) => k.includes('@'));
  const keys = missing.filter((k) => !k.includes('@'));
  const parts: string[] = [];
  if (keys.length > 0) parts.push(`Not found in ${where}: ${keys.join(', ')}`);
  if (pins.length > 0) parts.push(`Versions not kept in ${where}: ${pins.join(', ')} (a version is kept for the organization's retention, and deleting a secret deletes its history)`);
  return parts.join('; ');
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** With fail-on-missing off a reference to an unknown name stays as written; say which, as the value may be wrong. */
function warnKeptReferences(values: Readonly<Record<string, string>>): void {
  for (const [key, value] of Object.entries(values)) {
    for (const ref of findReferences(value)) {
      if (!(ref.name in values)) core.warning(`Secret ${key} references ${ref.name}, which is not a secret here; kept as written`);
    }
  }
}

/** The step: everything thrown ends as the one setFailed line, so a runner that imports this reports it too. */
export async function run(): Promise<void> {
  try {
    await loadAndExport();
  } catch (err) {
    core.setFailed(failureMessage(err));
  }
}
