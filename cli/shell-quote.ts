// POSIX shell single quoting: inside '…' nothing is special except the quote itself, which is closed,
// escaped and reopened ('\''), so any value (newlines, $, `, \, !) reads back exactly through eval/source.

export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
