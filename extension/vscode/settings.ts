// The extension's settings (never the token: that is in SecretStorage, see token-store.ts).
// `secrets.serverUrl` decides where the token goes, so only the user chooses it: it is an
// application-scope setting, read from the user's settings only and written there only.
import * as vscode from 'vscode';
import { userValue } from '../logic/token-origin.ts';

const SECTION = 'secrets';

export interface Settings {
  serverUrl: string;
  organization: string;
  environment: string;
  revealSeconds: number;
  clipboardSeconds: number;
  /** The workspace (slug) the folder is pinned to; '' = the organization's own secrets. */
  workspace: string;
}

/** The folder a resource-scoped setting is read for: the first of the window's folders. */
function folderUri(): vscode.Uri | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri;
}

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration(SECTION);
  return {
    serverUrl: userValue(c.inspect<string>('serverUrl'), ''),
    organization: c.get<string>('organization', ''),
    environment: c.get<string>('environment', 'development'),
    revealSeconds: c.get<number>('revealSeconds', 30),
    clipboardSeconds: c.get<number>('clipboardSeconds', 45),
    workspace: vscode.workspace.getConfiguration(SECTION, folderUri()).get<string>('workspace', '').trim(),
  };
}

export async function writeSetting(name: 'serverUrl' | 'organization' | 'environment' | 'workspace', value: string | undefined): Promise<void> {
  const c = name === 'workspace' ? vscode.workspace.getConfiguration(SECTION, folderUri()) : vscode.workspace.getConfiguration(SECTION);
  if (name === 'serverUrl') {
    await c.update(name, value, vscode.ConfigurationTarget.Global);
    return;
  }
  // Workspace-level values would shadow a global write; update where the value currently comes from.
  const inspected = c.inspect(name);
  const target =
    inspected?.workspaceFolderValue !== undefined
      ? vscode.ConfigurationTarget.WorkspaceFolder
      : inspected?.workspaceValue !== undefined
        ? vscode.ConfigurationTarget.Workspace
        : vscode.ConfigurationTarget.Global;
  await c.update(name, value, target);
}
