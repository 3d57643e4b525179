// The main step's entry (action.yml runs.main, bundled to action/dist/index.cjs): only calls run(), as in
// GitHub's typescript-action template, so action/main.ts can be imported (by @github/local-action, by tests)
// without running.
import { run } from './main.ts';

void run();
