import { InvalidArgumentError } from './tf-error';

/** Builds the error a failed check throws; the default is `InvalidArgumentError`. */
export type ValidationErrorFactory = (message: string) => Error;

const invalidArgument: ValidationErrorFactory = (message) => new InvalidArgumentError(message);

function shown(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return JSON.stringify(value) ?? String(value);
}

/** A finite number > 0 (a duration, a size, a rate). `label` names the option in the message. */
export function positiveNumber(label: string, value: unknown, fail: ValidationErrorFactory = invalidArgument): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw fail(`${label} must be a number > 0, got ${shown(value)}.`);
  }
  return value;
}

/** A finite number >= 0. */
export function nonNegativeNumber(label: string, value: unknown, fail: ValidationErrorFactory = invalidArgument): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw fail(`${label} must be a number >= 0, got ${shown(value)}.`);
  }
  return value;
}

/** A whole number >= 1 (a count, a concurrency). */
export function positiveInteger(label: string, value: unknown, fail: ValidationErrorFactory = invalidArgument): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw fail(`${label} must be a whole number >= 1, got ${shown(value)}.`);
  }
  return value;
}

/** A whole number >= 0. */
export function nonNegativeInteger(label: string, value: unknown, fail: ValidationErrorFactory = invalidArgument): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw fail(`${label} must be a whole number >= 0, got ${shown(value)}.`);
  }
  return value;
}

/** `true` or `false`. */
export function booleanFlag(label: string, value: unknown, fail: ValidationErrorFactory = invalidArgument): boolean {
  if (typeof value !== 'boolean') throw fail(`${label} must be true or false, got ${shown(value)}.`);
  return value;
}

/** A plain object (not null, not an array). */
export function plainObject(label: string, value: unknown, fail: ValidationErrorFactory = invalidArgument): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw fail(`${label} must be an object, got ${shown(value)}.`);
  }
  return value as Record<string, unknown>;
}
