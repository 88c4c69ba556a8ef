import { Ajv } from 'ajv';
import { TfError } from '../errors';
import { Failure } from '../failure/failure';
import { failureDictSchema, notifyRequestSchema, notifyResponseSchema, requestSchema, responseSchema } from './schemas';
/** The message types of TaskFlow's worker protocol (the AMQP `type` property). */
export const MessageType = { NOTIFY: 'NOTIFY', REQUEST: 'REQUEST', RESPONSE: 'RESPONSE' };
/** A message body that does not match its schema, or a message of unknown type. */
export class InvalidMessageError extends TfError {
    problems;
    messageType;
    constructor(messageType, problems) {
        super('TF_INVALID_MESSAGE', `Invalid ${messageType ?? 'untyped'} message: ${problems.join('; ')}`);
        this.problems = problems;
        this.messageType = messageType;
    }
}
let validators;
function compiled() {
    if (!validators) {
        const ajv = new Ajv({ allErrors: true, strict: false });
        ajv.addSchema(failureDictSchema);
        validators = {
            notifyRequest: ajv.compile(notifyRequestSchema),
            notifyResponse: ajv.compile(notifyResponseSchema),
            request: ajv.compile(requestSchema),
            response: ajv.compile(responseSchema),
        };
    }
    return validators;
}
function check(validate, type, body) {
    if (validate(body))
        return;
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message ?? 'is invalid'}`);
    throw new InvalidMessageError(type, [...new Set(problems)]);
}
/** Validates an engine's NOTIFY (`{}`); throws InvalidMessageError. */
export function validateNotifyRequest(body) {
    check(compiled().notifyRequest, 'NOTIFY', body);
}
/** Validates a worker's NOTIFY answer; throws InvalidMessageError. */
export function validateNotifyResponse(body) {
    check(compiled().notifyResponse, 'NOTIFY', body);
}
/** Validates a REQUEST body, failures included; throws InvalidMessageError. */
export function validateRequest(body) {
    check(compiled().request, 'REQUEST', body);
}
/** Validates a RESPONSE body, a FAILURE's failure dict included; throws InvalidMessageError. */
export function validateResponse(body) {
    check(compiled().response, 'RESPONSE', body);
}
/**
 * Parses and validates a delivered message by its `type` property. Throws
 * InvalidMessageError for an unknown type, bad JSON or a body off its schema.
 */
export function decodeMessage(delivery) {
    const type = delivery.properties.type;
    if (type !== 'NOTIFY' && type !== 'REQUEST' && type !== 'RESPONSE') {
        throw new InvalidMessageError(type, [`unknown message type ${JSON.stringify(type ?? null)}`]);
    }
    let body;
    try {
        body = JSON.parse(delivery.body);
    }
    catch (error) {
        throw new InvalidMessageError(type, [`body is not JSON: ${error.message}`]);
    }
    if (type === 'NOTIFY') {
        if (body !== null && typeof body === 'object' && Object.keys(body).length === 0) {
            return { type, body: body, properties: delivery.properties };
        }
        validateNotifyResponse(body);
        return { type, body, properties: delivery.properties };
    }
    if (type === 'REQUEST') {
        validateRequest(body);
        return { type, body, properties: delivery.properties };
    }
    validateResponse(body);
    return { type, body, properties: delivery.properties };
}
/**
 * The roots Python TaskFlow accepts for a failure's type chain. A Python worker validates the
 * failure dicts of every REQUEST (`Failure.validate`: the last of `exc_type_names`, in the dict
 * and in each cause, must be one of these) and rejects the whole request otherwise, so the
 * engine never hears back and the request times out. A Python engine passes the failure dicts
 * of RESPONSEs on, unchanged, in the revert requests it sends to its (Python) workers.
 */
export const PYTHON_BASE_EXCEPTIONS = ['BaseException', 'Exception'];
/**
 * A failure as tf puts it on the wire (a FAILURE response's result, a revert request's `result`
 * and `failures`): its dict, with `'Exception'` appended to a type chain (its own or a cause's)
 * that does not end in one of {@link PYTHON_BASE_EXCEPTIONS} (a JS error's ends in `'Error'`),
 * so Python TaskFlow accepts it. A dict that already ends there (every Python-made one) is unchanged.
 */
export function wireFailureDict(failure) {
    const root = (dict) => {
        const names = dict.exc_type_names;
        const out = PYTHON_BASE_EXCEPTIONS.includes(names[names.length - 1] ?? '')
            ? dict
            : { ...dict, exc_type_names: [...names, 'Exception'] };
        if (Array.isArray(dict.causes) && dict.causes.length > 0)
            return { ...out, causes: dict.causes.map(root) };
        return out;
    };
    return root(failure.toDict());
}
/** The result part of a revert request, from a local value or Failure (see {@link wireFailureDict}). */
export function encodeRequestResult(result) {
    return Failure.is(result) ? ['failure', wireFailureDict(result)] : ['success', result];
}
/** The result of a revert request, back as a value or a Failure. */
export function decodeRequestResult(result) {
    if (!result)
        return undefined;
    return result[0] === 'failure' ? Failure.fromDict(result[1]) : result[1];
}
/**
 * Serialises a body to JSON text. A value JSON cannot carry (a BigInt, a cycle) is a
 * typed error, never a silently different value.
 */
export function encodeBody(body) {
    let text;
    try {
        text = JSON.stringify(body);
    }
    catch (error) {
        throw new UnserializableValueError(error.message, { cause: error });
    }
    if (text === undefined)
        throw new UnserializableValueError('the value has no JSON form');
    return text;
}
/** A result or argument that cannot travel as JSON. */
export class UnserializableValueError extends TfError {
    constructor(reason, options) {
        super('TF_UNSERIALIZABLE', `Value cannot be sent as JSON: ${reason}`, options);
    }
}
//# sourceMappingURL=messages.js.map