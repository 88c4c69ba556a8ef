import { FAILURE_BRAND, hasBrand } from '../brand';
import { TfError } from '../errors';
import { assertFailureDict, FAILURE_DICT_VERSION, type FailureDict } from './dict';
import { MAX_FAILURE_CAUSE_DEPTH, truncateFailureCauses, truncatedCausesDict } from './truncate';

/** Something a caller may name a type by: its name, or an error class. */
export type ErrorTypeRef = string | { readonly name: string };

const KNOWN_KEYS = new Set(['exception_str', 'traceback_str', 'exc_type_names', 'version', 'exc_args', 'causes']);

interface FailureParts {
  exceptionStr: string;
  tracebackStr: string;
  excTypeNames: readonly string[];
  excArgs: readonly unknown[];
  causes: readonly Failure[];
  exception?: unknown;
  /** Keys of a received dict we do not interpret, kept so a round trip is exact. */
  extra?: Readonly<Record<string, unknown>>;
  /** Which optional keys a received dict had, so toDict() gives back exactly that shape. */
  shape?: { version?: unknown; excArgs: boolean; causes: boolean };
}

/**
 * An error captured as data: what crosses the wire between engine and worker, and what
 * the runtime stores for a failed atom. Lossy (the stack becomes text, the class becomes
 * its names) but faithful: `fromDict(d).toDict()` gives `d` back, even for dicts made by
 * Python TaskFlow.
 */
export class Failure {
  readonly exceptionStr: string;
  readonly tracebackStr: string;
  /** The error's class chain, most specific first (e.g. `['TypeError', 'Error']`). */
  readonly excTypeNames: readonly string[];
  readonly excArgs: readonly unknown[];
  /** The chain of causes (`Error.cause`, AggregateError's errors), each a Failure. */
  readonly causes: readonly Failure[];
  /** The original thrown value, when this failure was captured in this process. */
  readonly exception: unknown;
  readonly #extra: Readonly<Record<string, unknown>> | undefined;
  readonly #shape: FailureParts['shape'];

  private constructor(parts: FailureParts) {
    this.exceptionStr = parts.exceptionStr;
    this.tracebackStr = parts.tracebackStr;
    this.excTypeNames = Object.freeze([...parts.excTypeNames]);
    this.excArgs = Object.freeze([...parts.excArgs]);
    this.causes = Object.freeze([...parts.causes]);
    this.exception = parts.exception;
    this.#extra = parts.extra;
    this.#shape = parts.shape;
  }

  /** True for a Failure from any copy of `@tf/core`. */
  static is(value: unknown): value is Failure {
    return hasBrand(value, FAILURE_BRAND);
  }

  /**
   * Captures any thrown value: an Error (with its cause chain), or anything else thrown. A
   * `RemoteFailureError` gives back the Failure it carries (the worker's type chain and causes).
   */
  static fromError(thrown: unknown): Failure {
    if (Failure.is(thrown)) return thrown;
    if (TfError.is(thrown, 'TF_REMOTE_FAILURE')) {
      const carried = (thrown as { failure?: unknown }).failure;
      if (Failure.is(carried)) return carried;
    }
    return capture(thrown, new Set());
  }

  /** Builds a Failure from TaskFlow's dict form, validating it first (InvalidFailureDictError). */
  static fromDict(dict: unknown): Failure {
    // Cut first: the schema's check and the build both walk the causes.
    const cut = truncateFailureCauses(dict);
    assertFailureDict(cut);
    return fromValidDict(cut);
  }

  /** Validates a dict against TaskFlow's failure schema; throws InvalidFailureDictError. */
  static validate(dict: unknown): asserts dict is FailureDict {
    assertFailureDict(dict);
  }

  /** TaskFlow's dict form (version 1). A dict received through fromDict comes back unchanged. */
  toDict(): FailureDict {
    const shape = this.#shape;
    const dict: FailureDict = {
      ...this.#extra,
      exception_str: this.exceptionStr,
      traceback_str: this.tracebackStr,
      exc_type_names: [...this.excTypeNames],
    };
    if (!shape) {
      dict.version = FAILURE_DICT_VERSION;
      dict.exc_args = [...this.excArgs];
      dict.causes = this.causes.map((c) => c.toDict());
      return dict;
    }
    if ('version' in shape) dict.version = shape.version as number;
    if (shape.excArgs) dict.exc_args = [...this.excArgs];
    if (shape.causes) dict.causes = this.causes.map((c) => c.toDict());
    return dict;
  }

  toJSON(): FailureDict {
    return this.toDict();
  }

  /** The first of `types` this failure is an instance of (by class-chain name), else undefined. */
  check(...types: ErrorTypeRef[]): string | undefined {
    for (const type of types) {
      const name = typeof type === 'string' ? type : type.name;
      if (this.excTypeNames.includes(name)) return name;
    }
    return undefined;
  }

  /** Same type chain, message, arguments, traceback and causes (the original error is not compared). */
  matches(other: unknown): boolean {
    if (!Failure.is(other)) return false;
    if (other === this) return true;
    return (
      this.exceptionStr === other.exceptionStr &&
      this.tracebackStr === other.tracebackStr &&
      sameJson(this.excTypeNames, other.excTypeNames) &&
      sameJson(this.excArgs, other.excArgs) &&
      this.causes.length === other.causes.length &&
      this.causes.every((cause, i) => cause.matches(other.causes[i]))
    );
  }

  /** The error to throw for this failure: the original when captured here, else a RemoteFailureError. */
  toError(): Error {
    if (this.exception instanceof Error) return this.exception;
    return new RemoteFailureError(this);
  }

  /** Throws `toError()`. */
  reraise(): never {
    throw this.toError();
  }

  /** A human-readable form: `Failure: TypeError: message`, with the traceback when asked. */
  pformat(traceback = false): string {
    const head = `Failure: ${this.excTypeNames[0]}: ${this.exceptionStr}`;
    return traceback && this.tracebackStr ? `${head}\nTraceback:\n${this.tracebackStr}` : head;
  }

  toString(): string {
    return this.pformat();
  }
}
Object.defineProperty(Failure.prototype, FAILURE_BRAND, { value: true });

/** Thrown for a failure that came from elsewhere (a remote worker): carries the Failure. */
export class RemoteFailureError extends TfError {
  readonly failure: Failure;
  constructor(failure: Failure) {
    super('TF_REMOTE_FAILURE', failure.exceptionStr);
    this.failure = failure;
    this.name = failure.excTypeNames[0] ?? 'RemoteFailureError';
  }
}

/** Several failures at once, e.g. every task that failed before a flow reverted. */
export class WrappedFailure extends TfError implements Iterable<Failure> {
  readonly failures: readonly Failure[];
  constructor(failures: readonly Failure[]) {
    const summary = failures.map((f) => `${f.excTypeNames[0]}: ${f.exceptionStr}`).join('; ');
    super('TF_WRAPPED_FAILURE', `${failures.length} failure(s) while running: ${summary}`);
    this.failures = Object.freeze([...failures]);
  }

  /** The first type name among `types` that any wrapped failure has. */
  check(...types: ErrorTypeRef[]): string | undefined {
    for (const failure of this.failures) {
      const hit = failure.check(...types);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }

  get length(): number {
    return this.failures.length;
  }

  [Symbol.iterator](): Iterator<Failure> {
    return this.failures[Symbol.iterator]();
  }
}

function fromValidDict(dict: FailureDict): Failure {
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(dict)) if (!KNOWN_KEYS.has(key)) extra[key] = value;
  const shape: NonNullable<FailureParts['shape']> = { excArgs: 'exc_args' in dict, causes: 'causes' in dict };
  if ('version' in dict) shape.version = dict.version;
  return new (Failure as unknown as new (parts: FailureParts) => Failure)({
    exceptionStr: dict.exception_str,
    tracebackStr: dict.traceback_str,
    excTypeNames: dict.exc_type_names,
    excArgs: dict.exc_args ?? [],
    causes: (dict.causes ?? []).map(fromValidDict),
    extra: Object.keys(extra).length ? extra : undefined,
    shape,
  });
}

function capture(thrown: unknown, seen: Set<unknown>, depth = 0): Failure {
  seen.add(thrown);
  const make = (parts: FailureParts) => new (Failure as unknown as new (p: FailureParts) => Failure)(parts);
  if (!(thrown instanceof Error) && !looksLikeError(thrown)) {
    return make({
      exceptionStr: describeNonError(thrown),
      tracebackStr: '',
      excTypeNames: [nonErrorTypeName(thrown)],
      excArgs: [jsonSafe(thrown)],
      causes: [],
      exception: thrown,
    });
  }
  const error = thrown as Error & { cause?: unknown; errors?: unknown };
  const causes: Failure[] = [];
  const nested: unknown[] = [];
  if (error.cause !== undefined) nested.push(error.cause);
  if (Array.isArray(error.errors)) nested.push(...error.errors);
  const unseen = nested.filter((cause) => !seen.has(cause));
  if (depth >= MAX_FAILURE_CAUSE_DEPTH && unseen.length > 0) {
    const marker = truncatedCausesDict(countErrorCauses(unseen, seen));
    causes.push(
      make({ exceptionStr: marker.exception_str, tracebackStr: '', excTypeNames: marker.exc_type_names, excArgs: [], causes: [] }),
    );
  } else {
    for (const cause of unseen) if (!seen.has(cause)) causes.push(capture(cause, seen, depth + 1));
  }
  return make({
    exceptionStr: String(error.message ?? ''),
    tracebackStr: stackFrames(error),
    excTypeNames: classChain(error),
    excArgs: error.message ? [error.message] : [],
    causes,
    exception: thrown,
  });
}

/** How many errors hang below `roots` through `cause` and `errors` (each root counted); iterative. */
function countErrorCauses(roots: readonly unknown[], seen: Set<unknown>): number {
  const counted = new Set<unknown>(seen);
  const stack = [...roots];
  let count = 0;
  while (stack.length > 0) {
    const next = stack.pop();
    if (counted.has(next)) continue;
    counted.add(next);
    count += 1;
    if (next === null || typeof next !== 'object') continue;
    const { cause, errors } = next as { cause?: unknown; errors?: unknown };
    if (cause !== undefined) stack.push(cause);
    if (Array.isArray(errors)) stack.push(...errors);
  }
  return count;
}

function looksLikeError(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { message?: unknown }).message === 'string' &&
    typeof (value as { name?: unknown }).name === 'string'
  );
}

/** The class names from the error's own class up to (and including) Error. */
function classChain(error: Error): string[] {
  const names: string[] = [];
  for (let proto = Object.getPrototypeOf(error); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof name === 'string' && name && !names.includes(name)) names.push(name);
  }
  if (typeof error.name === 'string' && error.name && !names.includes(error.name)) names.unshift(error.name);
  if (names.length === 0) names.push('Error');
  return names;
}

/** The stack without its `Name: message` header, like Python's traceback text. */
function stackFrames(error: Error): string {
  const stack = typeof error.stack === 'string' ? error.stack : '';
  const firstFrame = stack.search(/^\s+at /m);
  return firstFrame >= 0 ? stack.slice(firstFrame) : stack;
}

function nonErrorTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'Object';
  return typeof value;
}

function describeNonError(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) return json;
  } catch {
    // fall through to String()
  }
  return String(value);
}

function jsonSafe(value: unknown): unknown {
  try {
    const json = JSON.stringify(value);
    return json === undefined ? String(value) : JSON.parse(json);
  } catch {
    return String(value);
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
