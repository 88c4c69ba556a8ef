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
export declare const FAILURE_DICT_VERSION = 1;
/** TaskFlow's own schema for a failure dict: three required keys, anything else allowed. */
export declare const failureDictSchema: {
    readonly $id: "https://tf.dev/schemas/failure.json";
    readonly $ref: "#/definitions/cause";
    readonly definitions: {
        readonly cause: {
            readonly type: "object";
            readonly properties: {
                readonly version: {
                    readonly type: "integer";
                    readonly minimum: 0;
                };
                readonly exc_args: {
                    readonly type: "array";
                    readonly minItems: 0;
                };
                readonly exception_str: {
                    readonly type: "string";
                };
                readonly traceback_str: {
                    readonly type: "string";
                };
                readonly exc_type_names: {
                    readonly type: "array";
                    readonly items: {
                        readonly type: "string";
                    };
                    readonly minItems: 1;
                };
                readonly causes: {
                    readonly type: "array";
                    readonly items: {
                        readonly $ref: "#/definitions/cause";
                    };
                };
            };
            readonly required: readonly ["exception_str", "traceback_str", "exc_type_names"];
            readonly additionalProperties: true;
        };
    };
};
/** A failure dict that does not match TaskFlow's schema. */
export declare class InvalidFailureDictError extends TfError {
    readonly problems: string[];
    constructor(problems: string[]);
}
/** Throws InvalidFailureDictError unless `value` is a valid failure dict. */
export declare function assertFailureDict(value: unknown): asserts value is FailureDict;
