// Resolves `$NAME` references between the secrets of one environment (syntax: references.ts).
//
// Iterative depth-first search with memoization: every secret is parsed once and assembled once, so the
// work is linear in the total size of the values, and a chain of 100,000 references cannot overflow the
// call stack. Pieces are joined with `+`, which in V8 makes a rope that shares the referenced value rather
// than copying it: a chain in which each secret adds a prefix to the next would otherwise copy its tail
// again at every link (quadratic); the rope is flattened once, when a consumer first reads the string.
// Errors name keys only, never a value.
import { SecretsError } from './errors.ts';
import { parseTemplate, referenceTarget, type Reference, type Template } from './references.ts';

export { findReferences, isReferenceName, referenceTarget, type Reference } from './references.ts';

export interface ResolveOptions {
  /**
   * What a reference to a name that is not a secret becomes: `'error'` (the default) throws
   * MissingReferenceError; `'keep'` leaves the reference exactly as written (`$NAME` or `${NAME}`).
   * It is never silently an empty string.
   */
  onMissing?: 'error' | 'keep';
  /**
   * The longest a resolved secret may grow to, in UTF-16 code units (default 1 MiB = 1,048,576). Doubling
   * references (`A=$B$B`, `B=$C$C`, …) grow exponentially; past this the resolver stops with
   * ResolvedValueTooLargeError instead of exhausting memory. A text given to resolveText is not limited:
   * it is its author's, and each secret it pulls in is.
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
    super('SECRETS_REFERENCE_MISSING', `${secret === null ? 'The text' : `Secret ${secret}`} references ${missingReason(missing)}`);
    this.name = 'MissingReferenceError';
    this.secret = secret;
    this.missing = missing;
  }
}

/** A pin (`B@9`) names a version of a secret; anything else names a secret. */
function missingReason(missing: string): string {
  const at = missing.lastIndexOf('@');
  if (at === -1) return `${missing}, which is not a secret in this environment`;
  const name = missing.slice(0, at);
  return `\${${missing}}, but version ${missing.slice(at + 1)} of ${name} is not kept in this environment (or ${name} does not exist)`;
}

/** A resolved secret longer than `maxValueLength`. */
export class ResolvedValueTooLargeError extends SecretsError {
  readonly secret: string;
  readonly limit: number;
  constructor(secret: string, limit: number) {
    super(
      'SECRETS_REFERENCE_TOO_LARGE',
      `Secret ${secret} resolves to more than ${limit} characters; check its references for repeated expansion`,
    );
    this.name = 'ResolvedValueTooLargeError';
    this.secret = secret;
    this.limit = limit;
  }
}

/**
 * Resolves every secret's references. A pinned reference `${NAME@3}` is looked up as the key `NAME@3`
 * (put the pinned versions a caller fetched, e.g. with the bulk reveal's `keys: ["NAME@3"]`, in `values`
 * under that name; their own references are resolved like any value's). `values` are the environment's values as stored (with `$$` escapes
 * and references still in them); the result has the same keys, in the same order.
 */
export function resolveSecrets(values: Readonly<Record<string, string>>, opts: ResolveOptions = {}): Record<string, string> {
  const resolver = new Resolver(values, opts);
  const out: [string, string][] = [];
  for (let id = 0; id < resolver.keys.length; id++) out.push([resolver.keys[id]!, resolver.resolveId(id)]);
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

const TEXT = -1;
const NOT_ON_STACK = -1;

interface Frame {
  /** The secret being resolved, or TEXT for the text given to resolveText. */
  id: number;
  template: Template;
  /** How many references of the template are already in `value`. */
  done: number;
  value: string;
}

class Resolver {
  readonly keys: string[];
  private readonly ids = new Map<string, number>();
  private readonly raw: string[];
  private readonly resolved: (string | undefined)[];
  /** Where each secret sits on the search stack, to find a cycle in O(1) and cut it out in order. */
  private readonly stackAt: Int32Array;
  private readonly keepMissing: boolean;
  private readonly maxLength: number;

  constructor(values: Readonly<Record<string, string>>, opts: ResolveOptions) {
    // Object.keys and indexing allocate far less than Object.entries on 100,000 keys.
    this.keys = Object.keys(values);
    const count = this.keys.length;
    this.raw = new Array<string>(count);
    for (let id = 0; id < count; id++) {
      const key = this.keys[id]!;
      this.raw[id] = values[key]!;
      this.ids.set(key, id);
    }
    this.resolved = new Array<string | undefined>(count).fill(undefined);
    this.stackAt = new Int32Array(count).fill(NOT_ON_STACK);
    this.keepMissing = opts.onMissing === 'keep';
    this.maxLength = opts.maxValueLength ?? DEFAULT_MAX_VALUE_LENGTH;
  }

  resolveId(id: number): string {
    return this.resolved[id] ?? this.withoutReferences(id) ?? this.run(this.frame(id, parseTemplate(this.raw[id]!)));
  }

  resolveTemplate(template: Template): string {
    return this.run(this.frame(TEXT, template));
  }

  /** Most values reference nothing: they are their own result, without parsing or copying. */
  private withoutReferences(id: number): string | undefined {
    const raw = this.raw[id]!;
    if (raw.indexOf('$') !== -1) return undefined;
    this.resolved[id] = raw;
    return raw;
  }

  private frame(id: number, template: Template): Frame {
    return { id, template, done: 0, value: template.literals[0]! };
  }

  /** Resolves the root frame and every secret it reaches (each memoized in `resolved`); returns the root's result. */
  private run(root: Frame): string {
    const stack: Frame[] = [root];
    if (root.id !== TEXT) this.stackAt[root.id] = 0;
    for (;;) {
      const frame = stack[stack.length - 1]!;
      const refs = frame.template.references;
      let child: Frame | undefined;
      while (frame.done < refs.length) {
        const ref = refs[frame.done]!;
        const target = referenceTarget(ref);
        const id = this.ids.get(target);
        let piece: string | undefined;
        if (id === undefined) {
          if (!this.keepMissing) throw new MissingReferenceError(frame.id === TEXT ? null : this.keys[frame.id]!, target);
          piece = asWritten(ref);
        } else {
          piece = this.resolved[id] ?? this.withoutReferences(id);
          if (piece === undefined) {
            const at = this.stackAt[id]!;
            if (at !== NOT_ON_STACK) {
              const cycle = stack.slice(at).map((f) => this.keys[f.id]!);
              cycle.push(target);
              throw new ReferenceCycleError(cycle);
            }
            child = this.frame(id, parseTemplate(this.raw[id]!));
            break;
          }
        }
        this.append(frame, piece);
        this.append(frame, frame.template.literals[frame.done + 1]!);
        frame.done++;
      }
      if (child !== undefined) {
        this.stackAt[child.id] = stack.length;
        stack.push(child);
        continue;
      }
      stack.pop();
      if (frame.id !== TEXT) {
        this.stackAt[frame.id] = NOT_ON_STACK;
        this.resolved[frame.id] = frame.value;
      }
      if (stack.length === 0) return frame.value;
    }
  }

  private append(frame: Frame, piece: string): void {
    if (frame.id !== TEXT && frame.value.length + piece.length > this.maxLength) {
      throw new ResolvedValueTooLargeError(this.keys[frame.id]!, this.maxLength);
    }
    frame.value += piece;
  }
}

/** A missing reference kept by `onMissing: 'keep'`, spelled as it was written. */
function asWritten(ref: Reference): string {
  if (ref.version !== undefined) return `\${${ref.name}@${ref.version}}`;
  return ref.end - ref.start === ref.name.length + 1 ? `$${ref.name}` : `\${${ref.name}}`;
}
