// The public surface of core/: everything the Action, the extension and the CLI import.
export * from './api-types.ts';
export * from './secret-key.ts';
export * from './errors.ts';
export * from './client.ts';
export { environmentPath, type EnvironmentRef } from './client/paths.ts';
export { backoffDelay, backoffCeiling, parseRetryAfter, DEFAULT_RETRY_POLICY, type RetryPolicy } from './client/retry.ts';
export { followEvents, readEvents, toEnvironmentEvent, type DisconnectInfo, type FollowOptions, type OpenEvents } from './client/events.ts';
export { SseParser, type SseMessage, type SseHandlers } from './sse.ts';
export * from './resolve.ts';
export * from './references.ts';
export * from './mask.ts';
export * from './dotenv.ts';
export * from './server-url.ts';
export * from './env-name.ts';
export * from './token.ts';
export * from './refused-names.ts';
export * from './terminal-text.ts';
export * from './workflow-context.ts';
