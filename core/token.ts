// What an API token may contain before any client sends it as `Authorization: Bearer <token>`: visible
// ASCII only. A token pasted with a line break, a space or a control character (from a file, a multi-line
// secret) would otherwise break the header or be sent altered; no token the server issues has one. One rule
// for the API client and the Action's token input, which each had a different copy.
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

export function isSendableToken(token: string): boolean {
  return typeof token === 'string' && VISIBLE_ASCII.test(token);
}
