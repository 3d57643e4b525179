// The job summary: which names this step made available, from which environment (and moment), each with the
// version it had, and how many. Names, versions and places only; a value never reaches this page.
import * as core from '@actions/core';
import type { SecretScope } from '../core/api-types.ts';
import type { ExportSelection } from './names.ts';

export interface SummaryFacts {
  org: string;
  environment: string;
  /** The workspace whose effective set was loaded, or null. */
  workspace: string | null;
  /** The moment the environment was loaded as of, or null for now. */
  at: string | null;
  /** Each exported name with the version of the secret it holds. */
  exports: readonly (ExportSelection & { version: number; scope?: SecretScope | undefined })[];
  /** Where the names went: "env", "outputs", the env-file path. */
  destinations: string[];
  missing: readonly string[];
}

// The runner refuses a step summary over 128 KiB; 500 rows of the longest names stay well under it, and the
// step log lists every name.
const MAX_ROWS = 500;

export async function writeSummary(facts: SummaryFacts): Promise<void> {
  // Outside a runner (a local run) there is no summary file, and nothing is lost without one.
  if (!process.env['GITHUB_STEP_SUMMARY']) return;
  const count = facts.exports.length;
  const s = core.summary
    .addHeading('Secrets loaded', 3)
    .addRaw(
      `<p>${count} secret${count === 1 ? '' : 's'} from environment <code>${facts.environment}</code> of ${
        facts.workspace === null ? '' : `workspace <code>${facts.workspace}</code> in `
      }<code>${facts.org}</code>${
        facts.at === null ? '' : ` as it was at <code>${escapeHtml(facts.at)}</code>`
      }</p>`,
      true,
    )
    .addRaw(`<p>Exported to: ${facts.destinations.length ? facts.destinations.map(escapeHtml).join(', ') : 'nothing (masking only)'}</p>`, true);
  if (count > 0) {
    s.addTable([
      [
        { data: 'Name', header: true },
        { data: 'Secret key', header: true },
        { data: 'Version', header: true },
        ...(facts.workspace === null ? [] : [{ data: 'Scope', header: true }]),
      ],
      ...facts.exports.slice(0, MAX_ROWS).map(({ key, name, version, scope }) => [
        `<code>${name}</code>`,
        name === key ? 'same' : `<code>${key}</code>`,
        String(version),
        // In a workspace: whether the value is the workspace's own secret or the organization's.
        ...(facts.workspace === null ? [] : [scope ?? 'organization']),
      ]),
    ]);
    if (count > MAX_ROWS) s.addRaw(`<p>…and ${count - MAX_ROWS} more, listed in the step log.</p>`, true);
  }
  if (facts.missing.length > 0) s.addRaw(`<p>Not found: ${facts.missing.map((k) => `<code>${k}</code>`).join(', ')}</p>`, true);
  await s.write();
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
