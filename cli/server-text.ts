// Text that came from the server (names, e-mails, actors, user agents, descriptions) passes here before it
// is printed for people: a name can hold terminal escape sequences that would rewrite the screen or the
// window title. The rule itself is core's one rule (core/terminal-text.ts); this names it for the CLI.
import { stripTerminalControls } from '../core/terminal-text.ts';

export function printable(text: string): string {
  return stripTerminalControls(text);
}

/** A table row of server text, each cell made printable. */
export function printableRow(cells: readonly string[]): string[] {
  return cells.map(printable);
}
