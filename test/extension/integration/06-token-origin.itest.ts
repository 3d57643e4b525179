// The token goes only where the user chose. A cloned repository's .vscode/settings.json can name any
// server; a second listener on 127.0.0.1 (a plain HTTP server that records every request's
// Authorization header) stands for the server it would name. Neither the workspace's setting nor a
// user switch to that server may send it the token that was given for the real one.
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { api, eventually, isCommandError, run, server, type SecretsExtensionApi } from './support.ts';

interface Recorder {
  url: string;
  requests: { method: string; path: string; authorization: string | undefined }[];
  close(): Promise<void>;
}

/** Not a secrets server: it answers 401 to everything and remembers who asked with what. */
async function startRecorder(): Promise<Recorder> {
  const requests: Recorder['requests'] = [];
  const srv: Server = createServer((req, res) => {
    const headers: IncomingHttpHeaders = req.headers;
    requests.push({ method: req.method ?? '', path: req.url ?? '', authorization: headers.authorization });
    req.resume();
    res.writeHead(401, { 'content-type': 'application/problem+json' });
    res.end(JSON.stringify({ type: 'about:blank', title: 'Unauthorized', status: 401, code: 'UNAUTHORIZED', detail: 'recorder' }));
  });
  await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res));
  const port = (srv.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((res) => srv.close(() => res())),
  };
}

describe('the token goes only to the server the user chose (live server and a recording listener)', function () {
  let a: SecretsExtensionApi;
  let other: Recorder;
  const s = () => server();
  const folder = () => {
    const f = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!f) throw new Error('the window has no workspace folder');
    return f;
  };
  const settingsFile = () => join(folder(), '.vscode', 'settings.json');
  const userSetting = (url: string) => vscode.workspace.getConfiguration('secrets').update('serverUrl', url, vscode.ConfigurationTarget.Global);
  const tokensSeenBy = (r: Recorder) => r.requests.filter((q) => q.authorization !== undefined).map((q) => `${q.method} ${q.path}`);

  before(async () => {
    a = await api();
    other = await startRecorder();
    const r = await run('secrets.connect', { url: s().url, token: s().ownerToken });
    assert.ok(!isCommandError(r), `connect failed: ${JSON.stringify(r)}`);
    assert.equal(a.state.serverUrl, s().url);
  });

  after(async () => {
    rmSync(join(folder(), '.vscode'), { recursive: true, force: true });
    await userSetting(s().url);
    await other?.close();
  });

  it('ignores secrets.serverUrl from the workspace’s .vscode/settings.json: a new window reconnects to the user’s server and the other gets nothing', async () => {
    mkdirSync(join(folder(), '.vscode'), { recursive: true });
    // editor.tabSize is a marker: once VS Code shows it, it has read this file, serverUrl included.
    writeFileSync(settingsFile(), JSON.stringify({ 'secrets.serverUrl': other.url, 'editor.tabSize': 7 }));
    await eventually(() => vscode.workspace.getConfiguration('editor').inspect('tabSize')?.workspaceValue, (v) => v === 7, 15_000, 'VS Code to read the workspace settings');
    await a.restore();
    assert.deepEqual(tokensSeenBy(other), [], 'the workspace’s server was sent a token');
    assert.deepEqual(other.requests, [], 'the workspace’s server was contacted at all');
    assert.equal(a.state.connected, true, `not reconnected: ${JSON.stringify(a.state.lastError)}`);
    assert.equal(a.state.serverUrl, s().url);
    // VS Code itself does not apply an application-scope setting from a workspace.
    assert.notEqual(vscode.workspace.getConfiguration('secrets').get('serverUrl'), other.url, 'VS Code applies a workspace value of secrets.serverUrl');
  });

  it('on a switch of the user’s setting to another server, disconnects and sends that server nothing: the token stays with the origin it was given for', async () => {
    await userSetting(other.url);
    await eventually(() => a.state.connected, (c) => c === false, 10_000, 'disconnecting from the first server');
    // A new window with this setting finds no token for the other origin, so it does not connect.
    await a.restore();
    assert.equal(a.state.connected, false);
    assert.deepEqual(tokensSeenBy(other), [], 'the token given for the first server was sent to the second');
  });

  it('on a switch back, reconnects to the first server with the token stored for it', async () => {
    await userSetting(s().url);
    await eventually(() => a.state.connected && a.state.serverUrl, (u) => u === s().url, 15_000, 'reconnecting to the first server');
    assert.equal(a.state.org, s().org);
    assert.deepEqual(tokensSeenBy(other), []);
  });
});
