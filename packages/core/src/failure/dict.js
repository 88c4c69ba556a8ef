import { Ajv } from 'ajv';
import { TfError } from '../errors';
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
};
/** A failure dict that does not match TaskFlow's schema. */
export class InvalidFailureDictError extends TfError {
    problems;
    constructor(problems) {
        super('TF_INVALID_FAILURE', `Invalid failure dict: ${problems.join('; ')}`);
        this.problems = problems;
    }
}
let validator;
/** Throws InvalidFailureDictError unless `value` is a valid failure dict. */
export function assertFailureDict(value) {
    validator ??= new Ajv({ allErrors: true, strict: false }).compile(failureDictSchema);
    if (validator(value))
        return;
    const problems = (validator.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`);
    throw new InvalidFailureDictError(problems.length ? problems : ['not a failure dict']);
}
//# sourceMappingURL=dict.js.map