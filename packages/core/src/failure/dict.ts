import { Ajv, type ValidateFunction } from 'ajv';
import { TfError } from '../errors';

/** The JSON value TaskFlow puts on the wire for a failure (version 1). */
export interface FailureDict {
  exception_str: string;
  traceback_str: string;
  /** The error's class chain, most specific first; never empty. */
  exc_type_names: string[];
  version?: number;
  exc_args?: unknown[];
  causes?: FailureDict[];
  [extra: string]: unknown;
}

export const FAILURE_DICT_VERSION = 1;

/** TaskFlow's own schema for a failure dict: three required keys, anything else allowed. */
export const failureDictSchema = {
  $id: 'https://tf.dev/schemas/failure.json',
  $ref: '#/definitions/cause',
  definitions: {
    cause: {
      type: 'object',
      properties: {
        version: { type: 'integer', minimum: 0 },
        exc_args: { type: 'array', minItems: 0 },
        exception_str: { type: 'string' },
        traceback_str: { type: 'string' },
        exc_type_names: { type: 'array', items: { type: 'string' }, minItems: 1 },
        causes: { type: 'array', items: { $ref: '#/definitions/cause' } },
      },
      required: ['exception_str', 'traceback_str', 'exc_type_names'],
      additionalProperties: true,
    },
  },
} as const;

/** A failure dict that does not match TaskFlow's schema. */
export class InvalidFailureDictError extends TfError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super('TF_INVALID_FAILURE', `Invalid failure dict: ${problems.join('; ')}`);
    this.problems = problems;
  }
}

let validator: ValidateFunction | undefined;

/** Throws InvalidFailureDictError unless `value` is a valid failure dict. */
export function assertFailureDict(value: unknown): asserts value is FailureDict {
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(failureDictSchema);
  if (validator(value)) return;
  // Ajv sets `errors` whenever a validation fails, each error with a message (its `messages` option is on by default).
  const problems = validator.errors!.map((e) => `${e.instancePath || '(root)'} ${e.message}`);
  throw new InvalidFailureDictError(problems);
}
