// The extension tests module VS Code loads in its extension host (payload `extensionTestsPath`, or
// @vscode/test-electron's `extensionTestsPath`): it runs the bundled `*.itest.cjs` suites with mocha
// and settles run() — resolved means exit code 0, rejected means 1. Results go to a file next to
// this module because the extension host's console is not the harness's.
import Mocha from 'mocha';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileReporter } from './reporter.ts';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 30_000, color: false, reporter: FileReporter });
  const suites = JSON.parse(readFileSync(join(__dirname, 'suites.json'), 'utf8')) as string[];
  for (const s of suites) mocha.addFile(join(__dirname, s));
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} integration test(s) failed`)) : resolve()));
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}
