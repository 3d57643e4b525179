// Kept in step with package.json by test/cli/errors.test.ts; a constant because the bundle cannot read
// package.json at run time from wherever it is installed.
export const VERSION = '0.1.0';
export const USER_AGENT = `secrets-cli/${VERSION}`;
