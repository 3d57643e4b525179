// Resolves `$NAME` references between the secrets of one environment (syntax: references.ts).
//
// Iterative depth-first search with memoization: every secret is parsed once and joined once, so the work
// is linear in the total size of the values (plus the size of what is produced), and a chain of 100,000
// references cannot overflow the call stack. Errors name keys only, never a value.
import { SecretsError } from './errors.ts';
import { parseTemplate, type Reference, type Template } from './references.ts';

export { findReferences, isReferenceName, type Reference } from './references.ts';

export interface ResolveOptions {
  /**
   * What a reference to a name that is not a secret becomes: `'error'` (the default) throws
   * MissingReferenceError; `'keep'` leaves the reference exactly as written (`$NAME` or `${NAME}`).
   * It is never silently an empty string.
   */
  onMissing?: 'error' | 'keep';
  /**
   * The longest a resolved value may grow to, in UTF-16 code units (default 1 MiB = 1,048,576). Doubling
   * references (`A=$B$B`, `B=$C$C`, …) grow exponentially; past this the resolver stops with
   * ResolvedValueTooLargeError instead of exhausting memory.
   */
  maxValueLength?: number;
}

export const DEFAULT_MAX_VALUE_LENGTH = 1024 * 1024;

/** Secrets whose references lead back to themselves. `cycle` is the path in order, first key repeated last. */
export class ReferenceCycleError extends SecretsError {
  readonly cycle: string[];
  constructor(cycle: string[]) {
    super('SECRETS_REFERENCE_CYCLE', `Secret references form a cycle: ${cycle.join(' → ')}`);
    this.name = 'ReferenceCycleError';
    this.cycle = cycle;
  }
}

/** A reference to a name that is not a secret of the environment. `secret` is null for a reference in a text. */
export class MissingReferenceError extends SecretsError {
  readonly secret: string | null;
  readonly missing: string;
  constructor(secret: string | null, missing: string) {
    super(
      'SECRETS_REFERENCE_MISSING',
      secret === null
        ? `The text references ${missing}, which is not a secret in this environment`
        : `Secret ${secret} references ${missing}, which is not a secret in this environment`,
    );
    this.name = 'MissingReferenceError';
    this.secret = secret;
    this.missing = missing;
  }
}

/** A resolved value longer than `maxValueLength`. `secret` is null for a text. */
export class ResolvedValueTooLargeError extends SecretsError {
  readonly secret: string | null;
  readonly limit: number;
  constructor(secret: string | null, limit: number) {
    super(
      'SECRETS_REFERENCE_TOO_LARGE',
      `${secret === null ? 'The text' : `Secret ${secret}`} resolves to more than ${limit} characters; check its references for repeated expansion`,
    );
    this.name = 'ResolvedValueTooLargeError';
    this.secret = secret;
    this.limit = limit;
  }
}

/**
 * Resolves every secret's references. `values` are the environment's values as stored (with `$$` escapes
 * and references still in them); the result has the same keys, in the same order.
 */
export function resolveSecrets(values: Readonly<Record<string, string>>, opts: ResolveOptions = {}): Record<string, string> {
  const resolver = new Resolver(values, opts);
  const out: [string, string][] = [];
  for (const key of Object.keys(values)) out.push([key, resolver.resolveKey(key)]);
  // fromEntries defines own properties, so even a key named `__proto__` comes through as data.
  return Object.fromEntries(out);
}

/**
 * Resolves the references in a text (a template file, a workflow input) against an environment's values
 * as stored: pass the raw values, not resolveSecrets' output, or `$$` escapes inside them would be read
 * twice. Only the secrets the text reaches are resolved, so a broken secret elsewhere does not matter.
 */
export function resolveText(text: string, values: Readonly<Record<string, string>>, opts: ResolveOptions = {}): string {
  return new Resolver(values, opts).resolveTemplate(parseTemplate(text));
}

interface Frame {
  /** The secret being resolved, or null for the text given to resolveText. */
  key: string | null;
  template: Template;
  /** How many references of the template are already in `parts`. */
  done: number;
  parts: string[];
  length: number;
}

class Resolver {
  private readonly raw: Map<string, string>;
  private readonly resolved = new Map<string, string>();
  private readonly keepMissing: boolean;
  private readonly maxLength: number;

  constructor(values: Readonly<Record<string, string>>, opts: ResolveOptions) {
    this.raw = new Map(Object.entries(values));
    this.keepMissing = opts.onMissing === 'keep';
    this.maxLength = opts.maxValueLength ?? DEFAULT_MAX_VALUE_LENGTH;
  }

  resolveKey(key: string): string {
    const known = this.resolved.get(key) ?? this.withoutReferences(key);
    if (known !== undefined) return known;
    return this.run(this.frame(key, parseTemplate(this.raw.get(key)!)));
  }

  resolveTemplate(template: Template): string {
    return this.run(this.frame(null, template));
  }

  /** Most values reference nothing: they are their own result, without parsing or copying. */
  private withoutReferences(key: string): string | undefined {
    const raw = this.raw.get(key)!;
    if (raw.indexOf('$') !== -1) return undefined;
    this.resolved.set(key, raw);
    return raw;
  }

  private frame(key: string | null, template: Template): Frame {
    const frame: Frame = { key, template, done: 0, parts: [], length: 0 };
    this.append(frame, template.literals[0]!);
    return frame;
  }

  /** Resolves the root frame and every secret it reaches (each memoized in `resolved`); returns the root's result. */
  private run(root: Frame): string {
    const stack: Frame[] = [root];
    // Where each secret on the stack sits, to detect a cycle in O(1) and cut it out of the stack in order.
    const onStack = new Map<string, number>();
    if (root.key !== null) onStack.set(root.key, 0);
    for (;;) {
      const frame = stack[stack.length - 1]!;
      const refs = frame.template.references;
      let child: Frame | undefined;
      while (frame.done < refs.length) {
        const ref = refs[frame.done]!;
        let piece = this.resolved.get(ref.name);
        if (piece === undefined) {
          if (!this.raw.has(ref.name)) {
            if (!this.keepMissing) throw new MissingReferenceError(frame.key, ref.name);
            piece = asWritten(ref);
          } else {
            piece = this.withoutReferences(ref.name);
            if (piece === undefined) {
              const at = onStack.get(ref.name);
              if (at !== undefined) {
                const cycle = stack.slice(at).map((f) => f.key!);
                cycle.push(ref.name);
                throw new ReferenceCycleError(cycle);
              }
              child = this.frame(ref.name, parseTemplate(this.raw.get(ref.name)!));
              break;
            }
          }
        }
        this.append(frame, piece);
        this.append(frame, frame.template.literals[frame.done + 1]!);
        frame.done++;
      }
      if (child !== undefined) {
        onStack.set(child.key!, stack.length);
        stack.push(child);
        continue;
      }
      const result = frame.parts.length === 1 ? frame.parts[0]! : frame.parts.join('');
      stack.pop();
      if (frame.key !== null) {
        onStack.delete(frame.key);
        this.resolved.set(frame.key, result);
      }
      if (stack.length === 0) return result;
    }
  }

  private append(frame: Frame, piece: string): void {
    if (piece.length === 0) return;
    frame.length += piece.length;
    if (frame.length > this.maxLength) throw new ResolvedValueTooLargeError(frame.key, this.maxLength);
    frame.parts.push(piece);
  }
}

/** A missing reference kept by `onMissing: 'keep'`, spelled as it was written. */
function asWritten(ref: Reference): string {
  return ref.end - ref.start === ref.name.length + 1 ? `$${ref.name}` : `\${${ref.name}}`;
}
