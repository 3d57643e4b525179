// The spec reporter, plus one closing line in the plain "N passed, N failed" form that CI reads
// in any language (mocha's own "passing/failing" wording is not one it recognises).
'use strict';
const Mocha = require('mocha');
const { Spec } = Mocha.reporters;
const { EVENT_RUN_END } = Mocha.Runner.constants;

class SpecWithTotals extends Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const s = runner.stats ?? { passes: 0, failures: 0, pending: 0 };
      // The label names the run (npm run test:unit says "unit"), so a summing CI counts each run once.
      const label = process.env.MOCHA_TOTALS_LABEL || 'mocha';
      process.stdout.write(`${label}: ${s.passes} passed, ${s.failures} failed, ${s.pending} skipped\n`);
    });
  }
}
module.exports = SpecWithTotals;
