// Cold start of the action to GITHUB_ENV written, for 1,000 secrets with references, against a live server
// on loopback, beside a bare `node -e 0` measured in the same run. Aim: action ≤ 1.5 × bare start + one
// loopback round trip (the one bulk reveal the action makes, timed from a warm client).
//
//   npm run bench:action [-- --runs 9 --secrets 1000]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { SecretsClient } from '../core/client.ts';
import { startServer } from '../test/helpers/server.ts';
import { inputVariable, parseFileCommand } from '../test/action/runner.ts';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '9' }, secrets: { type: 'string', default: '1000' } } });
const RUNS = Number(args.runs);
const COUNT = Number(args.secrets);
const MAIN = resolve(import.meta.dirname, '../action/dist/index.cjs');
const ORG = 'bench';
const ENV = 'production';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const ms = (n: number) => `${n.toFixed(1)} ms`;

function timed(argv: string[], env: NodeJS.ProcessEnv, cwd: string): { ms: number; stdout: string } {
  const start = process.hrtime.bigint();
  // stdout is a pipe, as on a runner (a pipe is written synchronously; /dev/null would flatter the action).
  const r = spawnSync(process.execPath, argv, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms: elapsed, stdout: r.stdout.toString() };
}

/** user+system CPU ms of a child, reported by a preload on exit: steadier than wall time on a busy machine. */
function cpuTimed(preload: string, argv: string[], env: NodeJS.ProcessEnv, cwd: string): number {
  const r = spawnSync(process.execPath, ['-r', preload, ...argv], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  const m = /cpu-ms ([\d.]+)/.exec(r.stderr.toString());
  if (r.status !== 0 || !m) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return Number(m[1]);
}

/** The action's own phase marks (its debug line), e.g. { loaded: 41.2, fetched: 80.3, … }. */
function phasesOf(stdout: string): Record<string, number> {
  const line = /^::debug::Timings \(ms since process start\/CPU ms\): (.*)$/m.exec(stdout)?.[1] ?? '';
  return Object.fromEntries(
    line.split(', ').filter(Boolean).flatMap((p) => {
      const [k, v] = p.split(' ');
      const [wall, cpu] = v!.split('/');
      return [[k!, Number(wall)], [`${k} cpu`, Number(cpu)]];
    }),
  );
}

const server = await startServer();
const admin = new SecretsClient({ baseUrl: server.url, token: server.adminToken, userAgent: 'bench/0' });
try {
  await admin.createOrg({ slug: ORG, name: 'Bench' });
  // Every tenth secret is built from two others, the way connection strings are.
  const key = (i: number) => `SECRET_${String(i).padStart(4, '0')}`;
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < COUNT; i++) {
    const value = i % 10 === 9 ? `postgres://$${key(i - 1)}:\${${key(i - 2)}}@db.internal:5432/app` : `value-${i}-${'x'.repeat(24)}`;
    pending.push(admin.createSecret(ORG, ENV, { key: key(i), value }));
    if (pending.length === 16) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  const { token } = await admin.createServiceToken(ORG, { name: 'bench', environment: ENV });

  // One loopback round trip of the action's request, from a warm client (connection already open).
  const warm = new SecretsClient({ baseUrl: server.url, token, userAgent: 'bench/0' });
  const rtts: number[] = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const t = performance.now();
    const r = await warm.bulkReveal(ORG, ENV);
    if (i > 0) rtts.push(performance.now() - t);
    if (r.secrets.length !== COUNT) throw new Error(`expected ${COUNT} secrets, got ${r.secrets.length}`);
  }
  await warm.close();

  const dir = mkdtempSync(join(tmpdir(), 'action-bench-'));
  const bare: number[] = [];
  const action: number[] = [];
  const phases: Record<string, number>[] = [];
  const bareCpu: number[] = [];
  const actionCpu: number[] = [];
  const preload = join(dir, 'cpu-on-exit.cjs');
  writeFileSync(preload, "process.on('exit', () => { const u = process.cpuUsage(); require('fs').writeSync(2, `\\ncpu-ms ${(u.user + u.system) / 1000}\\n`); });\n");
  for (let run = 0; run < RUNS; run++) {
    const files = Object.fromEntries(['ENV', 'OUTPUT', 'STATE', 'STEP_SUMMARY'].map((f) => [`GITHUB_${f}`, join(dir, `${f}_${run}`)]));
    for (const f of Object.values(files)) writeFileSync(f, '');
    const env = {
      PATH: process.env['PATH'],
      HOME: process.env['HOME'],
      RUNNER_OS: 'Linux',
      RUNNER_TEMP: dir,
      ...files,
      [inputVariable('url')]: server.url,
      [inputVariable('token')]: token,
      [inputVariable('org')]: ORG,
      [inputVariable('environment')]: ENV,
      [inputVariable('export-env')]: 'true',
      [inputVariable('outputs')]: 'false',
      [inputVariable('fail-on-missing')]: 'true',
      [inputVariable('on-conflict')]: 'error',
    };
    // Interleaved, so both see the same machine load.
    bare.push(timed(['-e', '0'], { PATH: process.env['PATH'] }, dir).ms);
    const run1 = timed([MAIN], env, dir);
    action.push(run1.ms);
    phases.push(phasesOf(run1.stdout));
    for (const f of Object.values(files)) writeFileSync(f, '');
    bareCpu.push(cpuTimed(preload, ['-e', '0'], { PATH: process.env['PATH'] }, dir));
    actionCpu.push(cpuTimed(preload, [MAIN], env, dir));
    const exported = parseFileCommand(readFileSync(files['GITHUB_ENV']!, 'utf8'));
    if (Object.keys(exported).length !== COUNT) throw new Error(`GITHUB_ENV has ${Object.keys(exported).length} variables, expected ${COUNT}`);
    if (!exported[key(9)]!.startsWith('postgres://value-8-')) throw new Error('references were not resolved');
  }

  const bareMedian = median(bare);
  const actionMedian = median(action);
  const rtt = median(rtts);
  const budget = 1.5 * bareMedian + rtt;
  const bundle = readFileSync(MAIN);
  console.log(`action cold start, ${COUNT} secrets (every 10th with 2 references), ${RUNS} runs, medians`);
  console.log(`  machine: ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}, node ${process.version}`);
  console.log(`  bare node -e 0          ${ms(bareMedian)}   (runs: ${bare.map((x) => x.toFixed(0)).join(', ')})`);
  console.log(`  action to GITHUB_ENV    ${ms(actionMedian)}   (runs: ${action.map((x) => x.toFixed(0)).join(', ')})`);
  console.log(`  CPU (user+sys) bare     ${ms(median(bareCpu))}, action ${ms(median(actionCpu))}: ${(median(actionCpu) / median(bareCpu)).toFixed(2)}× (steadier than wall time on a busy machine)`);
  console.log(`  one loopback round trip ${ms(rtt)}   (bulk reveal of ${COUNT}, warm connection)`);
  console.log(`  ratio action / bare     ${(actionMedian / bareMedian).toFixed(2)}×`);
  console.log(`  aim 1.5 × bare + rtt    ${ms(budget)}   → ${actionMedian <= budget ? 'met' : 'MISSED'} (${(actionMedian / budget * 100).toFixed(0)}% of budget)`);
  const phaseNames = Object.keys(phases[0] ?? {});
  const show = (names: string[]) => names.map((p) => `${p.replace(' cpu', '')} ${median(phases.map((x) => x[p]!)).toFixed(0)}`).join(', ');
  console.log(`  action phases, median ms since process start: ${show(phaseNames.filter((p) => !p.endsWith(' cpu')))}`);
  console.log(`  action phases, median CPU ms used by then:    ${show(phaseNames.filter((p) => p.endsWith(' cpu')))}`);
  console.log(`  bundle action/dist/index.cjs ${(statSync(MAIN).size / 1024).toFixed(1)} KiB (${(gzipSync(bundle).length / 1024).toFixed(1)} KiB gzip)`);
} finally {
  await admin.close();
  await server.stop();
}
