// `npm run test:e2e` (after setup.sh): builds the extension, runs the integration suites inside
// code-server's extension host, then the Playwright UI tests, and prints one closing line
// `e2e: N passed, N failed`. Exit code 1 on any failure.
//   node test/extension/e2e/run.ts [--integration | --ui] [--only NAME ...]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { buildExtension } from './harness/build-extension.ts';
import { runIntegrationStage, type StageResult } from './harness/integration.ts';
import { CODE_SERVER_ENTRY, ROOT } from './harness/paths.ts';

const argv = process.argv.slice(2);
const onlyIntegration = argv.includes('--integration');
const onlyUi = argv.includes('--ui');
const only = argv.flatMap((a, i) => (argv[i - 1] === '--only' ? [a] : []));

async function runUiStage(): Promise<StageResult> {
  const args = ['--config', 'test/extension/e2e/.mocharc.json'];
  for (const o of only) args.push('--grep', o);
  const child = spawn(process.execPath, ['node_modules/mocha/bin/mocha.js', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    process.stdout.write(d);
  });
  const code = await new Promise<number>((res) => child.once('exit', (c) => res(c ?? 1)));
  const m = /mocha: (\d+) passed, (\d+) failed/.exec(out);
  if (!m) return { passed: 0, failed: 1 };
  const r = { passed: Number(m[1]), failed: Number(m[2]) };
  if (code !== 0 && r.failed === 0) r.failed = 1;
  return r;
}

async function main(): Promise<number> {
  if (!existsSync(CODE_SERVER_ENTRY)) {
    console.error('code-server is not installed: run test/extension/e2e/setup.sh (npm run test:e2e does)');
    return 1;
  }
  const started = Date.now();
  const total: StageResult = { passed: 0, failed: 0 };
  const add = (r: StageResult) => {
    total.passed += r.passed;
    total.failed += r.failed;
  };
  try {
    buildExtension();
  } catch (err) {
    console.error(`e2e: building the extension failed: ${(err as Error).message}`);
    total.failed++;
  }
  if (total.failed === 0) {
    if (!onlyUi) {
      console.log('\nintegration tests (mocha inside the VS Code extension host)');
      add(await runIntegrationStage(only).catch((err: Error) => (console.error(`  integration stage failed: ${err.stack}`), { passed: 0, failed: 1 })));
    }
    if (!onlyIntegration && existsSync(`${ROOT}/test/extension/e2e/.mocharc.json`)) {
      console.log('\nUI tests (Playwright driving code-server in Chromium)');
      add(await runUiStage());
    }
  }
  console.log(`\ne2e took ${Math.round((Date.now() - started) / 1000)} s; screenshots and logs in test-artifacts/e2e`);
  console.log(`e2e: ${total.passed} passed, ${total.failed} failed`);
  return total.failed > 0 ? 1 : 0;
}

process.exitCode = await main();
