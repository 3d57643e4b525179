// Aligned columns for people; `--json` is the format for scripts. Every cell comes from the server, so it
// is printed without terminal control sequences (core/terminal-text.ts).
import { stripTerminalControls } from '../core/terminal-text.ts';

export function table(headers: readonly string[], dirtyRows: readonly (readonly string[])[]): string {
  const rows = dirtyRows.map((r) => r.map(stripTerminalControls));
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** A description on one line, shortened, so one secret stays one row. */
export function oneLine(text: string, max = 60): string {
  const flat = stripTerminalControls(text).replace(/\s+/g, ' ').trim();
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
}
