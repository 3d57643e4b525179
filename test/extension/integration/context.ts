// What the harness hands the suites: written as fixture.json next to the bundle before the window
// opens (tokens of a throw-away test server, in the git-ignored .cache).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';

export interface Fixture {
  /** Which VS Code runs the suites: code-server's web build (npm run test:e2e) or desktop (test-electron). */
  host: 'code-server' | 'electron';
  /** The VS Code version the harness expects (code-server's pin); absent when any release will do. */
  vscodeVersion?: string;
  extensionId: string;
  /** The live secrets server, when the suite needs one. */
  server?: {
    url: string;
    org: string;
    ownerToken: string;
    viewerToken: string;
    ownerName: string;
    editorName: string;
    editorToken: string;
    wsOwnerId: string;
    wsOwnerName: string;
    wsOwnerToken: string;
    /** Seeded secrets per environment: key → value. */
    seeded: Record<string, Record<string, string>>;
  };
}

export function fixture(): Fixture {
  return JSON.parse(readFileSync(join(__dirname, 'fixture.json'), 'utf8')) as Fixture;
}

export function extension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(fixture().extensionId);
  if (!ext) throw new Error(`extension ${fixture().extensionId} is not loaded in this VS Code`);
  return ext;
}
