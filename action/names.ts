// Decides the names secrets are exported under, and refuses the ones that would hurt: names a shell or the
// runner cannot take, names that change how later steps start programs (core/refused-names.ts) unless
// listed in allow-names, two secrets landing on one name, and a secret silently replacing a variable the
// job already relies on (PATH, HOME, a workflow-level env). Pure: the caller supplies the job's environment.
import { refusedNameReason } from '../core/refused-names.ts';
import { ENV_NAME_PATTERN } from '../core/env-name.ts';
import type { ActionErrorCode } from './errors.ts';

export interface ExportSelection {
  key: string;
  name: string;
}

export interface NameIssue {
  code: Extract<ActionErrorCode, 'ACTION_NAME_UNSAFE' | 'ACTION_NAME_REFUSED' | 'ACTION_NAME_COLLISION' | 'ACTION_NAME_OVERWRITE'>;
  name: string;
  message: string;
  /** Whether the export still happens when conflicts only warn (an overwrite does; an unusable name cannot). */
  exportAnyway: boolean;
}

export interface NameContext {
  /** The job's environment as the step sees it, before anything is exported. */
  env: Record<string, string | undefined>;
  /** Resolved values by secret key, so re-running in the same job (same value) is not an overwrite. */
  values: Record<string, string>;
  /** RUNNER_OS: on Windows environment names are case-insensitive. */
  runnerOs: string | undefined;
  exportEnv: boolean;
  outputs: boolean;
  /** An env-file is written: whatever loads it puts these names into a program's environment. */
  envFile?: boolean;
  /** Names the workflow lets through although core/refused-names.ts refuses them (the allow-names input). */
  allowNames?: readonly string[];
}

export interface NamePlan {
  exports: ExportSelection[];
  issues: NameIssue[];
}

const SAFE_NAME = ENV_NAME_PATTERN;

function unsafeReason(name: string): string | null {
  if (!SAFE_NAME.test(name)) return 'is not a safe variable name (letters, digits and _, not starting with a digit)';
  return null;
}

export function planNames(selections: ExportSelection[], ctx: NameContext): NamePlan {
  const issues: NameIssue[] = [];
  const exports: ExportSelection[] = [];
  // Env names clash by case only on Windows; output names always do, because expressions such as
  // steps.x.outputs.db_url look them up case-insensitively.
  const foldCase = ctx.outputs || (ctx.exportEnv && ctx.runnerOs === 'Windows');
  const fold = (name: string) => (foldCase ? name.toUpperCase() : name);
  const taken = new Map<string, ExportSelection>();

  const envNames = new Map<string, string>();
  const envFold = ctx.runnerOs === 'Windows' ? (n: string) => n.toUpperCase() : (n: string) => n;
  for (const name of Object.keys(ctx.env)) envNames.set(envFold(name), name);

  // Only names that become environment variables (GITHUB_ENV, or a dotenv file something loads) can
  // change how programs start; a step output is a string the workflow passes on explicitly.
  const intoEnvironment = ctx.exportEnv || ctx.envFile === true;
  const windows = ctx.runnerOs === 'Windows';
  const allowed = new Set((ctx.allowNames ?? []).map((n) => (windows ? n.toUpperCase() : n)));

  for (const sel of selections) {
    const renamed = sel.name === sel.key ? '' : ` (renamed from ${sel.key})`;
    const reason = unsafeReason(sel.name);
    if (reason) {
      issues.push({ code: 'ACTION_NAME_UNSAFE', name: sel.name, message: `${sel.name}${renamed} ${reason}`, exportAnyway: false });
      continue;
    }
    const refused = intoEnvironment && !allowed.has(windows ? sel.name.toUpperCase() : sel.name) ? refusedNameReason(sel.name, { ignoreCase: windows }) : null;
    if (refused) {
      issues.push({
        code: 'ACTION_NAME_REFUSED',
        name: sel.name,
        message: `${sel.name}${renamed} is refused: ${refused}; list it in allow-names to export it anyway`,
        exportAnyway: false,
      });
      continue;
    }
    const other = taken.get(fold(sel.name));
    if (other) {
      const how = other.name === sel.name ? 'both export' : `export ${other.name} and ${sel.name}, which collide by case`;
      issues.push({
        code: 'ACTION_NAME_COLLISION',
        name: sel.name,
        message: `Secrets ${other.key} and ${sel.key} ${how === 'both export' ? `both export ${sel.name}` : how}`,
        exportAnyway: false,
      });
      continue;
    }
    taken.set(fold(sel.name), sel);
    if (ctx.exportEnv) {
      const existing = envNames.get(envFold(sel.name));
      if (existing !== undefined && ctx.env[existing] !== ctx.values[sel.key]) {
        issues.push({
          code: 'ACTION_NAME_OVERWRITE',
          name: sel.name,
          message: `${sel.name} would overwrite the job's existing variable ${existing}`,
          exportAnyway: true,
        });
      }
    }
    exports.push(sel);
  }
  return { exports, issues };
}
