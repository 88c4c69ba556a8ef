/**
 * TaskFlow's JSON schemas for the worker-based engine's message bodies
 * (taskflow/engines/worker_based/protocol.py), as JSON Schema draft-07 for ajv.
 * NOTIFY and RESPONSE bodies allow no extra keys: extensions travel in headers.
 */
import { failureDictSchema } from '../failure/dict';
export declare const notifyRequestSchema: {
    readonly $id: "https://tf.dev/schemas/notify-request.json";
    readonly type: "object";
    readonly additionalProperties: false;
};
export declare const notifyResponseSchema: {
    readonly $id: "https://tf.dev/schemas/notify-response.json";
    readonly type: "object";
    readonly properties: {
        readonly topic: {
            readonly type: "string";
        };
        readonly tasks: {
            readonly type: "array";
            readonly items: {
                readonly type: "string";
            };
        };
    };
    readonly required: readonly ["topic", "tasks"];
    readonly additionalProperties: false;
};
export declare const requestSchema: {
    readonly $id: "https://tf.dev/schemas/request.json";
    readonly type: "object";
    readonly properties: {
        readonly result: {
            readonly type: "array";
            readonly minItems: 2;
            readonly maxItems: 2;
            readonly items: readonly [{
                readonly enum: readonly ["success", "failure"];
            }, {}];
        };
        readonly failures: {
            readonly type: "object";
            readonly additionalProperties: {
                readonly $ref: "https://tf.dev/schemas/failure.json";
            };
        };
        readonly task_cls: {
            readonly type: "string";
            readonly minLength: 1;
        };
        readonly task_name: {
            readonly type: "string";
            readonly minLength: 1;
        };
        readonly task_version: {
            readonly oneOf: readonly [{
                readonly type: "string";
            }, {
                readonly type: "array";
            }];
        };
        readonly action: {
            readonly type: "string";
            readonly enum: readonly ["execute", "revert"];
        };
        readonly arguments: {
            readonly type: "object";
        };
    };
    readonly required: readonly ["task_cls", "task_name", "task_version", "action"];
    readonly if: {
        readonly properties: {
            readonly result: {
                readonly items: readonly [{
                    readonly const: "failure";
                }, {}];
            };
        };
        readonly required: readonly ["result"];
    };
    readonly then: {
        readonly properties: {
            readonly result: {
                readonly items: readonly [{}, {
                    readonly $ref: "https://tf.dev/schemas/failure.json";
                }];
            };
        };
    };
};
export declare const responseSchema: {
    readonly $id: "https://tf.dev/schemas/response.json";
    readonly type: "object";
    readonly properties: {
        readonly state: {
            readonly type: "string";
            readonly enum: readonly ["WAITING", "PENDING", "RUNNING", "SUCCESS", "FAILURE", "EVENT"];
        };
        readonly data: {
            readonly anyOf: readonly [{
                readonly $ref: "#/definitions/event";
            }, {
                readonly $ref: "#/definitions/completion";
            }, {
                readonly $ref: "#/definitions/empty";
            }];
        };
    };
    readonly required: readonly ["state", "data"];
    readonly additionalProperties: false;
    readonly allOf: readonly [{
        readonly if: {
            readonly properties: {
                readonly state: {
                    readonly const: "FAILURE";
                };
            };
            readonly required: readonly ["state"];
        };
        readonly then: {
            readonly properties: {
                readonly data: {
                    readonly $ref: "#/definitions/failureCompletion";
                };
            };
        };
    }, {
        readonly if: {
            readonly properties: {
                readonly state: {
                    readonly const: "EVENT";
                };
            };
            readonly required: readonly ["state"];
        };
        readonly then: {
            readonly properties: {
                readonly data: {
                    readonly $ref: "#/definitions/event";
                };
            };
        };
    }];
    readonly definitions: {
        readonly event: {
            readonly type: "object";
            readonly properties: {
                readonly event_type: {
                    readonly type: "string";
                };
                readonly details: {
                    readonly type: "object";
                };
            };
            readonly required: readonly ["event_type", "details"];
            readonly additionalProperties: false;
        };
        readonly empty: {
            readonly type: "object";
            readonly additionalProperties: false;
        };
        readonly completion: {
            readonly type: "object";
            readonly properties: {
                readonly result: {};
            };
            readonly required: readonly ["result"];
            readonly additionalProperties: false;
        };
        readonly failureCompletion: {
            readonly type: "object";
            readonly properties: {
                readonly result: {
                    readonly $ref: "https://tf.dev/schemas/failure.json";
                };
            };
            readonly required: readonly ["result"];
            readonly additionalProperties: false;
        };
    };
};
export { failureDictSchema };
