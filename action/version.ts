// Sent in the User-Agent (`secrets-action/<version>`) so the server's audit log shows which client read.
// test/action/action-yml.test.ts keeps it equal to package.json's version.
export const ACTION_VERSION = '0.1.0';
