// JSON-schema pieces shared by the routes. Bodies and queries are closed (`additionalProperties:
// false`) and validated without coercion, so a wrong type or unknown field is a 400, never a guess.
import { DESCRIPTION_MAX_LENGTH, SLUG_PATTERN } from '../../core/api-types.ts';
import { ApiError } from '../errors.ts';

export const slug = { type: 'string', pattern: SLUG_PATTERN.source } as const;
/** Path keys are normalised and checked by the handler, so the problem says what is wrong with them. */
export const keyParam = { type: 'string', minLength: 1, maxLength: 512 } as const;
export const id = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' } as const;
/** U+0000 is refused in every text field but secret values (which are stored encrypted): PostgreSQL text cannot hold it. */
export const NO_NUL = '^[^\\u0000]*$';
export const name = { type: 'string', minLength: 1, maxLength: 200, pattern: NO_NUL } as const;
export const description = { type: 'string', maxLength: DESCRIPTION_MAX_LENGTH, pattern: NO_NUL } as const;
export const email = { type: 'string', minLength: 3, maxLength: 254, pattern: '^[^@\\s\\u0000]+@[^@\\s\\u0000]+$' } as const;
export const isoTime = { type: 'string', minLength: 1, maxLength: 64 } as const;

export function params(properties: Record<string, object>) {
  return { type: 'object', properties, required: Object.keys(properties), additionalProperties: false } as const;
}

export function body(properties: Record<string, object>, required: string[] = []) {
  return { type: 'object', properties, required, additionalProperties: false } as const;
}

/** A body that may be absent or `{}` and nothing else. */
export const emptyBody = { type: ['object', 'null'], properties: {}, additionalProperties: false } as const;

export const orgParams = params({ org: slug });
export const envParams = params({ org: slug, env: slug });
export const secretParams = params({ org: slug, env: slug, key: keyParam });
/** The path parameters of a place: an environment of the organization, or with `ws`, of one workspace. */
export function placeParams(workspace: boolean, extra: Record<string, object> = {}) {
  return params({ org: slug, ...(workspace && { ws: slug }), env: slug, ...extra });
}
export const workspaceParams = params({ org: slug, ws: slug });
const scope = { type: 'string', enum: ['organization', 'workspace'] } as const;

const nullableString = { type: ['string', 'null'] } as const;

export const secretMetaSchema = {
  type: 'object',
  properties: {
    key: { type: 'string' },
    description: { type: 'string' },
    version: { type: 'integer' },
    createdAt: { type: 'string' },
    createdBy: { type: 'string' },
    updatedAt: { type: 'string' },
    updatedBy: { type: 'string' },
    execRisk: { type: 'boolean' },
    workspaces: { type: 'array', items: { type: 'string' } },
    scope,
    overrides: { type: 'boolean' },
  },
} as const;

export const createdSecretSchema = {
  type: 'object',
  properties: { ...secretMetaSchema.properties, warnings: { type: 'array', items: { type: 'string' } } },
} as const;

export const revealedSchema = {
  type: 'object',
  properties: { key: { type: 'string' }, value: { type: 'string' }, version: { type: 'integer' }, scope },
} as const;

export const userSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    email: { type: 'string' },
    instanceAdmin: { type: 'boolean' },
    createdAt: { type: 'string' },
  },
} as const;

export const personalTokenSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    createdAt: { type: 'string' },
    expiresAt: nullableString,
    lastUsedAt: nullableString,
  },
} as const;

export const serviceTokenSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    environment: { type: 'string' },
    workspace: nullableString,
    createdAt: { type: 'string' },
    createdBy: { type: 'string' },
    expiresAt: nullableString,
    lastUsedAt: nullableString,
  },
} as const;

export const workspaceSchema = {
  type: 'object',
  properties: {
    slug: { type: 'string' },
    name: { type: 'string' },
    owner: { type: 'string' },
    ownerName: { type: 'string' },
    createdAt: { type: 'string' },
    createdBy: { type: 'string' },
  },
} as const;

export const orgSchema = {
  type: 'object',
  properties: { slug: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, createdAt: { type: 'string' } },
} as const;

export const memberSchema = {
  type: 'object',
  properties: {
    userId: { type: 'string' },
    name: { type: 'string' },
    email: { type: 'string' },
    role: { type: 'string' },
    addedAt: { type: 'string' },
  },
} as const;

export const environmentSchema = {
  type: 'object',
  properties: { slug: { type: 'string' }, name: { type: 'string' }, createdAt: { type: 'string' } },
} as const;

/** Parses an optional future expiry; a past or unreadable time is a validation problem. */
export function parseExpiry(value: string | undefined, path: string): string | null {
  if (value === undefined) return null;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new ValidationProblem(path, 'must be an ISO 8601 time');
  }
  if (ms <= Date.now()) throw new ValidationProblem(path, 'must be in the future');
  return new Date(ms).toISOString();
}


export class ValidationProblem extends ApiError {
  constructor(path: string, message: string) {
    super('VALIDATION_FAILED', `${path}: ${message}`, { errors: [{ path, message }] });
  }
}

export const sessionSchema = {
  type: 'object',
  properties: {
    user: userSchema,
    csrfToken: { type: 'string' },
    signedInWith: { type: 'string' },
    createdAt: { type: 'string' },
    expiresAt: { type: 'string' },
    absoluteExpiresAt: { type: 'string' },
    revealSeconds: { type: 'number' },
  },
} as const;

export const invitationSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    email: { type: 'string' },
    role: { type: 'string' },
    createdAt: { type: 'string' },
    createdBy: { type: 'string' },
    expiresAt: { type: 'string' },
  },
} as const;

export const passkeySchema = {
  type: 'object',
  properties: { id: { type: 'string' }, name: { type: 'string' }, createdAt: { type: 'string' }, lastUsedAt: nullableString },
} as const;

/** A WebAuthn credential as @simplewebauthn/browser returns it; the library checks the inner fields. */
export const webauthnCredential = {
  type: 'object',
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 1400 },
    rawId: { type: 'string', minLength: 1, maxLength: 1400 },
    type: { type: 'string', const: 'public-key' },
    response: { type: 'object' },
    clientExtensionResults: { type: 'object' },
    authenticatorAttachment: { type: 'string' },
  },
  required: ['id', 'rawId', 'type', 'response'],
  additionalProperties: false,
} as const;

/** A passkey's id is its WebAuthn credential id (base64url). */
export const passkeyId = { type: 'string', minLength: 1, maxLength: 512, pattern: '^[A-Za-z0-9_-]+$' } as const;
