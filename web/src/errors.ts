// The dashboard's one error catalogue: failures that happen in the browser rather than on the server
// (the server's own problems keep their API code and `detail`). Each has a stable code and the one
// message a person sees; web/ERRORS.md documents the same codes (test/web/errors.test.ts).
export const WEB_ERRORS = {
  WEB_NETWORK: 'The server could not be reached. Check your connection and try again.',
  WEB_HTTP: 'The server answered with an error it did not describe.',
  WEB_PASSKEY_CANCELLED: 'The passkey prompt was cancelled or timed out. Try again.',
  WEB_PASSKEY_HOST: 'Passkeys need the dashboard opened at its host name (for example http://localhost:8787), not an IP address.',
  WEB_PASSKEY_UNAVAILABLE: 'This browser could not use a passkey here.',
  WEB_MOMENT_REQUIRED: 'Choose the moment to compare from.',
  WEB_MOMENT_INVALID: 'That is not a date and time this browser can read.',
  WEB_AS_OF_REQUIRED: 'Choose the moment to show.',
  WEB_INTERNAL: 'Something went wrong in the dashboard. Reload the page and try again.',
} as const;

export type WebErrorCode = keyof typeof WEB_ERRORS;
