import { Ajv, type ValidateFunction } from 'ajv';
import { TfError } from '../errors';
import { Failure } from '../failure/failure';
import type { FailureDict } from '../failure/dict';
import type { Delivery, MessageProperties } from '@tf/transport';
import { cutFailureCauses } from './cut-causes';
import { jsonTextTooDeep, MAX_NESTING_DEPTH, NestingTooDeepError, valueTooDeep } from './limits';
import { failureDictSchema, notifyRequestSchema, notifyResponseSchema, requestSchema, responseSchema } from './schemas';

/** The message types of TaskFlow's worker protocol (the AMQP `type` property). */
export const MessageType = { NOTIFY: 'NOTIFY', REQUEST: 'REQUEST', RESPONSE: 'RESPONSE' } as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** What a worker answers a NOTIFY with: its topic and the task class names it runs. */
export interface NotifyResponseBody {
  topic: string;
  tasks: string[];
}

/** A REQUEST body: run (or revert) a task on a worker. */
export interface RequestBody {
  task_cls: string;
  task_name: string;
  task_version: readonly [number, number] | string | readonly number[];
  action: 'execute' | 'revert';
  arguments: Record<string, unknown>;
  /** Revert only: what execute produced. */
  result?: ['success', unknown] | ['failure', FailureDict];
  /** Revert only: the flow's failures by atom name. */
  failures?: Record<string, FailureDict>;
}

/** Request states a worker reports, plus EVENT for progress. */
export type ResponseState = 'WAITING' | 'PENDING' | 'RUNNING' | 'SUCCESS' | 'FAILURE' | 'EVENT';

export type ResponseBody =
  | { state: 'RUNNING' | 'WAITING' | 'PENDING'; data: Record<string, never> }
  | { state: 'EVENT'; data: { event_type: string; details: Record<string, unknown> } }
  | { state: 'SUCCESS'; data: { result: unknown } }
  | { state: 'FAILURE'; data: { result: FailureDict } };

/** A message body that does not match its schema, or a message of unknown type. */
export class InvalidMessageError extends TfError {
  readonly problems: string[];
  readonly messageType: string | undefined;
  constructor(messageType: string | undefined, problems: string[]) {
    super('TF_INVALID_MESSAGE', `Invalid ${messageType ?? 'untyped'} message: ${problems.join('; ')}`);
    this.problems = problems;
    this.messageType = messageType;
  }
}

let validators:
  | { notifyRequest: ValidateFunction; notifyResponse: ValidateFunction; request: ValidateFunction; response: ValidateFunction }
  | undefined;

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

function check(validate: ValidateFunction, type: string, body: unknown): void {
  if (validate(body)) return;
  const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message ?? 'is invalid'}`);
  throw new InvalidMessageError(type, [...new Set(problems)]);
}

/** Validates an engine's NOTIFY (`{}`); throws InvalidMessageError. */
export function validateNotifyRequest(body: unknown): asserts body is Record<string, never> {
  check(compiled().notifyRequest, 'NOTIFY', body);
}

/** Validates a worker's NOTIFY answer; throws InvalidMessageError. */
export function validateNotifyResponse(body: unknown): asserts body is NotifyResponseBody {
  check(compiled().notifyResponse, 'NOTIFY', body);
}

/** Validates a REQUEST body, failures included; throws InvalidMessageError. */
export function validateRequest(body: unknown): asserts body is RequestBody {
  check(compiled().request, 'REQUEST', body);
}

/** Validates a RESPONSE body, a FAILURE's failure dict included; throws InvalidMessageError. */
export function validateResponse(body: unknown): asserts body is ResponseBody {
  check(compiled().response, 'RESPONSE', body);
}

/** A decoded, validated message. */
export type DecodedMessage =
  | { type: 'NOTIFY'; body: Record<string, never> | NotifyResponseBody; properties: MessageProperties }
  | { type: 'REQUEST'; body: RequestBody; properties: MessageProperties }
  | { type: 'RESPONSE'; body: ResponseBody; properties: MessageProperties };

/**
 * Parses and validates a delivered message by its `type` property. Throws
 * InvalidMessageError for an unknown type, bad JSON or a body off its schema.
 */
export function decodeMessage(delivery: Pick<Delivery, 'body' | 'properties'>): DecodedMessage {
  const type = delivery.properties.type;
  if (type !== 'NOTIFY' && type !== 'REQUEST' && type !== 'RESPONSE') {
    throw new InvalidMessageError(type, [`unknown message type ${JSON.stringify(type ?? null)}`]);
  }
  if (typeof delivery.body !== 'string') throw new InvalidMessageError(type, ['body is not text']);
  // The most frequent body of all, and a valid one: no parse, no schema.
  if (type === 'RESPONSE' && delivery.body === RUNNING_TEXT) {
    return { type, body: { state: 'RUNNING', data: {} }, properties: delivery.properties };
  }
  let body: unknown;
  try {
    body = JSON.parse(delivery.body);
  } catch (error) {
    throw new InvalidMessageError(type, [`body is not JSON: ${(error as Error).message}`]);
  }
  // JSON.parse does not recurse (any depth is safe); the schema checks and what reads the
  // body later do, so a deep body is cut (failure causes) or refused before they run.
  if (jsonTextTooDeep(delivery.body)) {
    cutFailureCauses(type, body);
    if (valueTooDeep(body)) throw new InvalidMessageError(type, [`body nests deeper than ${MAX_NESTING_DEPTH} levels`]);
  }
  if (type === 'NOTIFY') {
    if (body !== null && typeof body === 'object' && Object.keys(body).length === 0) {
      return { type, body: body as Record<string, never>, properties: delivery.properties };
    }
    validateNotifyResponse(body);
    return { type, body, properties: delivery.properties };
  }
  if (type === 'REQUEST') {
    if (!isPlainRequest(body)) validateRequest(body);
    return { type, body, properties: delivery.properties };
  }
  if (!isPlainSuccess(body)) validateResponse(body);
  return { type, body, properties: delivery.properties };
}

/** The text tf's workers send for RUNNING (`encodeBody` of `{ state: 'RUNNING', data: {} }`). */
export const RUNNING_TEXT = '{"state":"RUNNING","data":{}}';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A SUCCESS response with nothing else in it (`{ state: 'SUCCESS', data: { result } }`), the
 * body of most responses: valid by `responseSchema` without running it. Anything else goes to
 * the schema, which also words the problems.
 */
function isPlainSuccess(body: unknown): body is ResponseBody {
  if (!isObject(body) || body.state !== 'SUCCESS') return false;
  const data = body.data;
  if (!isObject(data) || !('result' in data)) return false;
  for (const key in body) if (key !== 'state' && key !== 'data') return false;
  for (const key in data) if (key !== 'result') return false;
  return true;
}

/**
 * A REQUEST without `result` or `failures` (every execute request) whose fields have the
 * types `requestSchema` asks for: valid by the schema without running it.
 */
function isPlainRequest(body: unknown): body is RequestBody {
  if (!isObject(body) || body.result !== undefined || body.failures !== undefined) return false;
  const { task_cls: cls, task_name: name, task_version: version, action, arguments: args } = body;
  return (
    typeof cls === 'string' &&
    cls.length > 0 &&
    typeof name === 'string' &&
    name.length > 0 &&
    (typeof version === 'string' || Array.isArray(version)) &&
    (action === 'execute' || action === 'revert') &&
    (args === undefined || isObject(args))
  );
}

/**
 * The roots Python TaskFlow accepts for a failure's type chain. A Python worker validates the
 * failure dicts of every REQUEST (`Failure.validate`: the last of `exc_type_names`, in the dict
 * and in each cause, must be one of these) and rejects the whole request otherwise, so the
 * engine never hears back and the request times out. A Python engine passes the failure dicts
 * of RESPONSEs on, unchanged, in the revert requests it sends to its (Python) workers.
 */
export const PYTHON_BASE_EXCEPTIONS: readonly string[] = ['BaseException', 'Exception'];

/**
 * A failure as tf puts it on the wire (a FAILURE response's result, a revert request's `result`
 * and `failures`): its dict, with `'Exception'` appended to a type chain (its own or a cause's)
 * that does not end in one of {@link PYTHON_BASE_EXCEPTIONS} (a JS error's ends in `'Error'`),
 * so Python TaskFlow accepts it. A dict that already ends there (every Python-made one) is unchanged.
 */
export function wireFailureDict(failure: Failure): FailureDict {
  const root = (dict: FailureDict): FailureDict => {
    const names = dict.exc_type_names;
    const out: FailureDict = PYTHON_BASE_EXCEPTIONS.includes(names[names.length - 1] ?? '')
      ? dict
      : { ...dict, exc_type_names: [...names, 'Exception'] };
    if (Array.isArray(dict.causes) && dict.causes.length > 0) return { ...out, causes: dict.causes.map(root) };
    return out;
  };
  return root(failure.toDict());
}

/** The result part of a revert request, from a local value or Failure (see {@link wireFailureDict}). */
export function encodeRequestResult(result: unknown): RequestBody['result'] {
  return Failure.is(result) ? ['failure', wireFailureDict(result)] : ['success', result];
}

/** The result of a revert request, back as a value or a Failure. */
export function decodeRequestResult(result: RequestBody['result']): unknown {
  if (!result) return undefined;
  return result[0] === 'failure' ? Failure.fromDict(result[1]) : result[1];
}

/**
 * Serialises a body to JSON text. A value JSON cannot carry (a BigInt, a cycle) is a
 * typed error, never a silently different value; so is one nested deeper than
 * `MAX_NESTING_DEPTH` (`NestingTooDeepError`), which no tf peer would read.
 */
export function encodeBody(body: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(body);
  } catch (error) {
    // JSON.stringify recurses: a deep enough value overflows the stack.
    if (error instanceof RangeError) throw new NestingTooDeepError(MAX_NESTING_DEPTH);
    throw new UnserializableValueError((error as Error).message, { cause: error });
  }
  if (text === undefined) throw new UnserializableValueError('the value has no JSON form');
  if (jsonTextTooDeep(text)) throw new NestingTooDeepError(MAX_NESTING_DEPTH);
  return text;
}

/** A result or argument that cannot travel as JSON. */
export class UnserializableValueError extends TfError {
  constructor(reason: string, options?: { cause?: unknown }) {
    super('TF_UNSERIALIZABLE', `Value cannot be sent as JSON: ${reason}`, options);
  }
}
