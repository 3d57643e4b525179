// "What Changed": the keys added, changed (old → new version) and removed in an environment between two
// moments (GET …/changes). Metadata only: no value can reach the report. Moments are typed as an ISO
// time with a zone or as a span back from now ("90m", "24h", "7d"); `now` is injected so the
// arithmetic is testable without the clock.
import type { EnvironmentChanges } from '../../core/api-types.ts';
import { Cancelled, ExtensionError } from '../errors.ts';
import { envRef, targetLabel, type SecretsApi, type Target, type UiPort } from './ports.ts';

const SPAN = /^(\d{1,6})\s*(m|h|d)$/i;
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };
// A zone is required, as the server requires it: "14:02" alone would mean a different moment per machine.
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

export const MOMENT_HINT = 'An ISO time with a zone (2026-11-01T14:02Z) or a span back from now (90m, 24h, 7d)';

/** The moment `text` names, as an ISO string, or a message saying why it names none. */
export function parseMoment(text: string, now: Date): { at: string } | { problem: string } {
  const t = text.trim();
  if (t === '') return { problem: 'A moment is required' };
  const span = SPAN.exec(t);
  if (span) return { at: new Date(now.getTime() - Number(span[1]) * UNIT_MS[span[2]!.toLowerCase()]!).toISOString() };
  if (ISO_WITH_ZONE.test(t)) {
    const ms = Date.parse(t);
    if (!Number.isNaN(ms)) return { at: new Date(ms).toISOString() };
  }
  return { problem: MOMENT_HINT };
}

export interface WhatChangedArgs {
  from: string;
  to?: string;
}

const PRESETS: { label: string; span: string }[] = [
  { label: 'In the last hour', span: '1h' },
  { label: 'In the last 24 hours', span: '24h' },
  { label: 'In the last 7 days', span: '7d' },
  { label: 'In the last 30 days', span: '30d' },
];
const CUSTOM = '\u0000custom';
const NOW = '\u0000now';

export async function whatChanged(api: SecretsApi, ui: UiPort, target: Target, now: Date, args?: WhatChangedArgs): Promise<EnvironmentChanges> {
  const { from, to } = args ?? (await promptForMoments(ui, target, now));
  const start = momentOrThrow(from, now);
  const end = to === undefined ? undefined : momentOrThrow(to, now);
  return api.environmentChanges(target.org, envRef(target), start, end);
}

function momentOrThrow(text: string, now: Date): string {
  const m = parseMoment(text, now);
  if ('problem' in m) throw new ExtensionError('EXT_INVALID_INPUT', m.problem);
  return m.at;
}

async function promptForMoments(ui: UiPort, target: Target, now: Date): Promise<WhatChangedArgs> {
  const title = `What Changed in ${targetLabel(target)}`;
  let from = await ui.pick([...PRESETS.map((p) => ({ label: p.label, description: p.span, value: p.span })), { label: 'Since a moment…', value: CUSTOM }], {
    title,
    placeholder: 'Changes since when? (keys and versions only, never values)',
  });
  if (from === undefined) throw new Cancelled();
  if (from === CUSTOM) from = await askMoment(ui, title, 'From', now);
  let to: string | undefined = await ui.pick([{ label: 'Until now', value: NOW }, { label: 'Until a moment…', value: CUSTOM }], { title, placeholder: 'Until when?' });
  if (to === undefined) throw new Cancelled();
  to = to === CUSTOM ? await askMoment(ui, title, 'Until', now) : undefined;
  return { from, ...(to !== undefined ? { to } : {}) };
}

async function askMoment(ui: UiPort, title: string, prompt: string, now: Date): Promise<string> {
  const text = await ui.input({
    title,
    prompt: `${prompt}: ${MOMENT_HINT}`,
    placeholder: '2026-11-01T14:02Z',
    validate: (v) => {
      const m = parseMoment(v, now);
      return 'problem' in m ? m.problem : undefined;
    },
  });
  if (text === undefined) throw new Cancelled();
  return text;
}

/** The report as markdown: three sections, keys in code spans, versions only. */
export function changesMarkdown(c: EnvironmentChanges, target: Target): string {
  const total = c.added.length + c.changed.length + c.removed.length;
  const lines = [
    `# What changed in ${targetLabel(target)}`,
    '',
    `From ${c.from} to ${c.to}: ${total === 0 ? 'nothing changed' : `${total} key${total === 1 ? '' : 's'}`}. Keys and versions only; values are never shown.`,
    '',
  ];
  const section = (heading: string, rows: string[]) => {
    if (rows.length === 0) return;
    lines.push(`## ${heading} (${rows.length})`, '', ...rows, '');
  };
  section('Added', c.added.map((a) => `- \`${a.key}\` — version ${a.version}`));
  section('Changed', c.changed.map((ch) => `- \`${ch.key}\` — version ${ch.from} → ${ch.to}`));
  section('Removed', c.removed.map((r) => `- \`${r.key}\` — was version ${r.version}`));
  return lines.join('\n');
}
