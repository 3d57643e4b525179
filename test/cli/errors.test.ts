// The CLI's error catalogue and its document agree: every code, CLI or core, has its exit status in
// cli/ERRORS.md, and every exit status the CLI can produce is explained there.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SECRETS_ERROR_CODES, SecretsError } from '../../core/errors.ts';
import { CLI_ERROR_CODES, CORE_EXIT_CODES, CliError, describeFailure } from '../../cli/errors.ts';
import { VERSION } from '../../cli/version.ts';
import { ROOT } from './run-cli.ts';

const doc = readFileSync(join(ROOT, 'cli/ERRORS.md'), 'utf8');

/** exit status → the codes listed in its table row. */
function documentedRows(): Map<number, string> {
  const rows = new Map<number, string>();
  for (const line of doc.split('\n')) {
    const m = /^\| (\d+) \|(.*)$/.exec(line);
    if (m) rows.set(Number(m[1]), m[2]!);
  }
  return rows;
}

describe('secrets CLI error catalogue', () => {
  const rows = documentedRows();

  it('documents every CLI error code in the row of its exit status and in the code list', () => {
    for (const [code, exit] of Object.entries(CLI_ERROR_CODES)) {
      assert.ok(rows.get(exit)?.includes(`\`${code}\``), `${code} is not in the exit ${exit} row of cli/ERRORS.md`);
      assert.ok(doc.includes(`- \`${code}\` (${exit})`), `${code} has no "- \`${code}\` (${exit})" entry in cli/ERRORS.md`);
    }
  });

  it('gives every core error code an exit status and documents it in that row', () => {
    const coreCodes = new Set<string>([...SECRETS_ERROR_CODES, ...Object.keys(CORE_EXIT_CODES)]);
    for (const code of coreCodes) {
      const exit = CORE_EXIT_CODES[code];
      assert.ok(exit !== undefined, `core code ${code} has no exit status in cli/errors.ts`);
      assert.ok(rows.get(exit)?.includes(`\`${code}\``), `${code} is not in the exit ${exit} row of cli/ERRORS.md`);
    }
  });

  it('gives distinct classes distinct exit statuses, all non-zero', () => {
    const all = [...Object.values(CLI_ERROR_CODES), ...Object.values(CORE_EXIT_CODES)];
    assert.ok(all.every((n) => n > 0 && n < 256));
    for (const n of new Set(all)) assert.ok(rows.has(n), `exit ${n} is not documented`);
    // A CLI code never shares a status with a server-answer class (4–8, 10–13, 15).
    const coreOnly = new Set(Object.values(CORE_EXIT_CODES).filter((n) => n !== CLI_ERROR_CODES.CLI_INVALID_INPUT));
    for (const [code, n] of Object.entries(CLI_ERROR_CODES)) assert.ok(!coreOnly.has(n), `${code} shares exit ${n} with a core class`);
  });

  it('turns a CliError, a SecretsError and anything else into a message and its status', () => {
    assert.deepEqual(describeFailure(new CliError('CLI_USAGE', 'bad')), { code: 'CLI_USAGE', exitCode: 2, message: 'bad' });
    const unauthorized = describeFailure(new SecretsError('SECRETS_UNAUTHORIZED', 'Token rejected'));
    assert.equal(unauthorized.exitCode, 4);
    assert.match(unauthorized.message, /^Token rejected \(run `secrets login` again, or check SECRETS_TOKEN\)$/);
    assert.deepEqual(describeFailure(new TypeError('boom')), { code: 'CLI_INTERNAL', exitCode: 1, message: 'unexpected error: boom' });
  });

  it('reports the version package.json declares', () => {
    assert.equal(VERSION, (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  });
});
