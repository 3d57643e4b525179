// A token belongs to the server it was given for. A cloned repository can name any server in its
// .vscode/settings.json, so a token is stored under the origin (scheme, host, port) the user gave it
// for, looked up only by that origin, and checked against the URL again where a client is made.
import { normalizeServerUrl } from '../../core/server-url.ts';
import { ExtensionError } from '../errors.ts';

/** A token and the origin it was given for, e.g. `https://secrets.example.com`. */
export interface OriginToken {
  readonly origin: string;
  readonly token: string;
}

/**
 * The origin of a server URL (lower-case host, default port dropped), as fetch and browsers compare them.
 * The URL must pass core's one server-URL rule first (ServerUrlError otherwise).
 */
export function originOf(serverUrl: string): string {
  return new URL(normalizeServerUrl(serverUrl)).origin;
}

/** Where SecretStorage keeps the token of one origin. */
export function tokenStorageKey(origin: string): string {
  return `secrets.token@${originOf(origin)}`;
}

/**
 * The one key earlier versions used for a single token, whatever server the setting named then. The
 * server it was used with cannot be known (the setting may have come from a workspace, or changed
 * since), so it is deleted, never re-filed under an origin.
 */
export const LEGACY_TOKEN_KEY = 'secrets.token';

/** Refuses to pair a token with a server other than the one it was given for. */
export function assertTokenFor(serverUrl: string, token: OriginToken): void {
  if (originOf(serverUrl) !== originOf(token.origin)) throw new ExtensionError('EXT_TOKEN_ORIGIN');
}

/** The parts of `WorkspaceConfiguration.inspect()` a user-only setting may come from. */
export interface InspectedSetting<T> {
  defaultValue?: T;
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

/**
 * A setting only the user may choose: the user (global) value, else the default. Values from the
 * workspace or a folder are ignored, whatever VS Code's own scope handling does with them.
 */
export function userValue<T>(inspected: InspectedSetting<T> | undefined, fallback: T): T {
  return inspected?.globalValue ?? inspected?.defaultValue ?? fallback;
}
