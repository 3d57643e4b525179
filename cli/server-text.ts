// The one place text that came from the server (names, e-mails, actors, user agents, descriptions) passes
// before it is printed for people: a name can hold terminal escape sequences that would rewrite the screen
// or the window title. Control characters (C0, DEL, C1) become U+FFFD, which neutralises every sequence.
// MERGE NOTE: issue 8 adds one core function for this (core/terminal-text.ts or similar); route this
// function through it then, and every command below follows. `--json` output needs no such step: JSON
// escapes C0 controls itself.
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '\uFFFD');
}

/** A table row of server text, each cell made printable. */
export function printableRow(cells: readonly string[]): string[] {
  return cells.map(printable);
}
