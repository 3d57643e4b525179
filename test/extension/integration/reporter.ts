// A mocha reporter for the extension host: one line per test, appended to results.log next to the
// bundle as it happens (the harness follows the file and prints it), and the totals in results.json.
import Mocha from 'mocha';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const { EVENT_RUN_END, EVENT_TEST_FAIL, EVENT_TEST_PASS, EVENT_TEST_PENDING, EVENT_SUITE_BEGIN } = Mocha.Runner.constants;

export class FileReporter extends Mocha.reporters.Base {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const log = join(__dirname, 'results.log');
    writeFileSync(log, '');
    const write = (line: string) => appendFileSync(log, `${line}\n`);
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    runner.on(EVENT_SUITE_BEGIN, (suite: Mocha.Suite) => {
      if (suite.title) write(`  ${suite.fullTitle()}`);
    });
    runner.on(EVENT_TEST_PASS, (test: Mocha.Test) => {
      passed++;
      write(`    ✓ ${test.title} (${test.duration ?? 0} ms)`);
    });
    runner.on(EVENT_TEST_PENDING, (test: Mocha.Test) => {
      skipped++;
      write(`    - ${test.title} (skipped)`);
    });
    runner.on(EVENT_TEST_FAIL, (test: Mocha.Test, err: Error) => {
      failed++;
      write(`    ✗ ${test.fullTitle()}\n      ${(err.stack ?? err.message).split('\n').slice(0, 8).join('\n      ')}`);
    });
    runner.once(EVENT_RUN_END, () => {
      writeFileSync(join(__dirname, 'results.json'), JSON.stringify({ passed, failed, skipped }));
    });
  }
}
