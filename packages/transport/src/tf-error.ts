import { ERROR_BRAND, hasBrand } from './brand';

/**
 * The base of every error tf throws. Each carries a stable `code` (e.g. `TF_CYCLE`)
 * so callers can branch without `instanceof`, which fails across copies of `@tf/transport`.
 */
export class TfError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }

  /** True for any tf error, from any copy of `@tf/transport`; with `code`, only that kind. */
  static is(value: unknown, code?: string): value is TfError {
    if (!hasBrand(value, ERROR_BRAND)) return false;
    return code === undefined || (value as TfError).code === code;
  }
}
Object.defineProperty(TfError.prototype, ERROR_BRAND, { value: true });

/** An option, argument or configuration value that cannot be used. */
export class InvalidArgumentError extends TfError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TF_INVALID_ARGUMENT', message, options);
  }
}

/** An operation that is not legal in the current state. */
export class InvalidStateError extends TfError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TF_INVALID_STATE', message, options);
  }
}

/** Something looked up by name that does not exist. */
export class NotFoundError extends TfError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TF_NOT_FOUND', message, options);
  }
}
