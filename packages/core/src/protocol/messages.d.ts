import { TfError } from '../errors';
import { Failure } from '../failure/failure';
import type { FailureDict } from '../failure/dict';
import type { Delivery, MessageProperties } from '@tf/transport';
/** The message types of TaskFlow's worker protocol (the AMQP `type` property). */
export declare const MessageType: {
    readonly NOTIFY: "NOTIFY";
    readonly REQUEST: "REQUEST";
    readonly RESPONSE: "RESPONSE";
};
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
export type ResponseBody = {
    state: 'RUNNING' | 'WAITING' | 'PENDING';
    data: Record<string, never>;
} | {
    state: 'EVENT';
    data: {
        event_type: string;
        details: Record<string, unknown>;
    };
} | {
    state: 'SUCCESS';
    data: {
        result: unknown;
    };
} | {
    state: 'FAILURE';
    data: {
        result: FailureDict;
    };
};
/** A message body that does not match its schema, or a message of unknown type. */
export declare class InvalidMessageError extends TfError {
    readonly problems: string[];
    readonly messageType: string | undefined;
    constructor(messageType: string | undefined, problems: string[]);
}
/** Validates an engine's NOTIFY (`{}`); throws InvalidMessageError. */
export declare function validateNotifyRequest(body: unknown): asserts body is Record<string, never>;
/** Validates a worker's NOTIFY answer; throws InvalidMessageError. */
export declare function validateNotifyResponse(body: unknown): asserts body is NotifyResponseBody;
/** Validates a REQUEST body, failures included; throws InvalidMessageError. */
export declare function validateRequest(body: unknown): asserts body is RequestBody;
/** Validates a RESPONSE body, a FAILURE's failure dict included; throws InvalidMessageError. */
export declare function validateResponse(body: unknown): asserts body is ResponseBody;
/** A decoded, validated message. */
export type DecodedMessage = {
    type: 'NOTIFY';
    body: Record<string, never> | NotifyResponseBody;
    properties: MessageProperties;
} | {
    type: 'REQUEST';
    body: RequestBody;
    properties: MessageProperties;
} | {
    type: 'RESPONSE';
    body: ResponseBody;
    properties: MessageProperties;
};
/**
 * Parses and validates a delivered message by its `type` property. Throws
 * InvalidMessageError for an unknown type, bad JSON or a body off its schema.
 */
export declare function decodeMessage(delivery: Pick<Delivery, 'body' | 'properties'>): DecodedMessage;
/**
 * The roots Python TaskFlow accepts for a failure's type chain. A Python worker validates the
 * failure dicts of every REQUEST (`Failure.validate`: the last of `exc_type_names`, in the dict
 * and in each cause, must be one of these) and rejects the whole request otherwise, so the
 * engine never hears back and the request times out. A Python engine passes the failure dicts
 * of RESPONSEs on, unchanged, in the revert requests it sends to its (Python) workers.
 */
export declare const PYTHON_BASE_EXCEPTIONS: readonly string[];
/**
 * A failure as tf puts it on the wire (a FAILURE response's result, a revert request's `result`
 * and `failures`): its dict, with `'Exception'` appended to a type chain (its own or a cause's)
 * that does not end in one of {@link PYTHON_BASE_EXCEPTIONS} (a JS error's ends in `'Error'`),
 * so Python TaskFlow accepts it. A dict that already ends there (every Python-made one) is unchanged.
 */
export declare function wireFailureDict(failure: Failure): FailureDict;
/** The result part of a revert request, from a local value or Failure (see {@link wireFailureDict}). */
export declare function encodeRequestResult(result: unknown): RequestBody['result'];
/** The result of a revert request, back as a value or a Failure. */
export declare function decodeRequestResult(result: RequestBody['result']): unknown;
/**
 * Serialises a body to JSON text. A value JSON cannot carry (a BigInt, a cycle) is a
 * typed error, never a silently different value.
 */
export declare function encodeBody(body: unknown): string;
/** A result or argument that cannot travel as JSON. */
export declare class UnserializableValueError extends TfError {
    constructor(reason: string, options?: {
        cause?: unknown;
    });
}
