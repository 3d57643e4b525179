// Envelope encryption: every organization has its own data key, stored only wrapped by the master key.
// Values are sealed with AES-256-GCM under the org's data key with a fresh 96-bit nonce, and bound (as
// additional authenticated data) to where they live, so a row copied elsewhere fails to open.
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;

/** A ciphertext failed authentication: tampered, moved, or opened with the wrong key. */
export class UnreadableCiphertextError extends Error {
  readonly code = 'CIPHERTEXT_UNREADABLE';
  constructor() {
    super('ciphertext failed authentication');
  }
}

export interface Sealed {
  nonce: Uint8Array;
  /** Ciphertext followed by the 16-byte GCM tag. */
  ciphertext: Uint8Array;
}

export function toKeyObject(raw: Uint8Array): KeyObject {
  if (raw.length !== KEY_BYTES) throw new Error(`a key must be ${KEY_BYTES} bytes`);
  return createSecretKey(raw);
}

export function seal(key: KeyObject, plaintext: Uint8Array, aad: string): Sealed {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = cipher.update(plaintext);
  const final = cipher.final();
  return { nonce, ciphertext: Buffer.concat([body, final, cipher.getAuthTag()]) };
}

export function open(key: KeyObject, sealed: Sealed, aad: string): Buffer {
  const { nonce, ciphertext } = sealed;
  if (nonce.length !== NONCE_BYTES || ciphertext.length < TAG_BYTES) throw new UnreadableCiphertextError();
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(ciphertext.subarray(ciphertext.length - TAG_BYTES));
    const body = decipher.update(ciphertext.subarray(0, ciphertext.length - TAG_BYTES));
    decipher.final();
    return body;
  } catch {
    throw new UnreadableCiphertextError();
  }
}

/** Where a secret value lives; any change to these makes the ciphertext unreadable. */
export function secretAad(orgId: string, environmentId: string, workspaceId: string, key: string, version: number): string {
  return `secret:v1|${orgId}|${environmentId}|${workspaceId}|${key}|${version}`;
}

export function dataKeyAad(orgId: string): string {
  return `org-data-key:v1|${orgId}`;
}

export const MASTER_KEY_CHECK_AAD = 'master-key-check:v1';
export const MASTER_KEY_CHECK_PLAINTEXT = 'secrets master key check';

/** A new random data key, returned wrapped (for storage) and as a usable key. */
export function newDataKey(master: KeyObject, orgId: string): { wrapped: Uint8Array; key: KeyObject } {
  const raw = randomBytes(KEY_BYTES);
  const sealed = seal(master, raw, dataKeyAad(orgId));
  const key = toKeyObject(raw);
  raw.fill(0);
  return { wrapped: packSealed(sealed), key };
}

export function unwrapDataKey(master: KeyObject, orgId: string, wrapped: Uint8Array): KeyObject {
  const raw = open(master, unpackSealed(wrapped), dataKeyAad(orgId));
  const key = toKeyObject(raw);
  raw.fill(0);
  return key;
}

export function rewrapDataKey(oldMaster: KeyObject, newMaster: KeyObject, orgId: string, wrapped: Uint8Array): Uint8Array {
  const raw = open(oldMaster, unpackSealed(wrapped), dataKeyAad(orgId));
  const sealed = seal(newMaster, raw, dataKeyAad(orgId));
  raw.fill(0);
  return packSealed(sealed);
}

/** nonce ‖ ciphertext ‖ tag, for blobs that are stored in one column. */
export function packSealed(s: Sealed): Uint8Array {
  return Buffer.concat([s.nonce, s.ciphertext]);
}

export function unpackSealed(blob: Uint8Array): Sealed {
  const b = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  return { nonce: b.subarray(0, NONCE_BYTES), ciphertext: b.subarray(NONCE_BYTES) };
}
