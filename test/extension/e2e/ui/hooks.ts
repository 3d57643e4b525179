// Mocha global fixtures for the UI tests (loaded with --require by test/extension/e2e/.mocharc.json).
import { setUp, tearDown } from './world.ts';

export async function mochaGlobalSetup(): Promise<void> {
  await setUp();
}

export async function mochaGlobalTeardown(): Promise<void> {
  await tearDown();
}
