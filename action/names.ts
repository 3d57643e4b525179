// Decides the names secrets are exported under, and refuses the ones that would hurt: names a shell or the
// runner cannot take, two secrets landing on one name, and a secret silently replacing a variable the job
// already relies on (PATH, HOME, a workflow-level env). Pure: the caller supplies the job's environment.
import { ENV_NAME_PATTERN } from '../core/env-name.ts';
import type { ActionErrorCode } from './errors.ts';

export interface ExportSelection {
  key: string;
  name: string;
}

export interface NameIssue {
  code: Extract<ActionErrorCode, 'ACTION_NAME_UNSAFE' | 'ACTION_NAME_COLLISION' | 'ACTION_NAME_OVERWRITE'>;
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
}

export interface NamePlan {
  exports: ExportSelection[];
  issues: NameIssue[];
}

const SAFE_NAME = ENV_NAME_PATTERN;
// Prefixes the runner owns: setting them from a step is ignored, refused, or changes how later steps run.
const RESERVED_PREFIXES = ['GITHUB_', 'RUNNER_', 'ACTIONS_', 'INPUT_', 'STATE_'];
const RESERVED_NAMES = new Set(['NODE_OPTIONS']);

function unsafeReason(name: string, exportEnv: boolean): string | null {
  if (!SAFE_NAME.test(name)) return 'is not a safe variable name (letters, digits and _, not starting with a digit)';
  const upper = name.toUpperCase();
  if (exportEnv && (RESERVED_NAMES.has(upper) || RESERVED_PREFIXES.some((p) => upper.startsWith(p)))) {
    return 'is reserved by the runner';
  }
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

  for (const sel of selections) {
    const reason = unsafeReason(sel.name, ctx.exportEnv);
    if (reason) {
      const renamed = sel.name === sel.key ? '' : ` (renamed from ${sel.key})`;
      issues.push({ code: 'ACTION_NAME_UNSAFE', name: sel.name, message: `${sel.name}${renamed} ${reason}`, exportAnyway: false });
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
