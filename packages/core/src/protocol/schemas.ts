/**
 * TaskFlow's JSON schemas for the worker-based engine's message bodies
 * (taskflow/engines/worker_based/protocol.py), as JSON Schema draft-07 for ajv.
 * NOTIFY and RESPONSE bodies allow no extra keys: extensions travel in headers.
 */
import { failureDictSchema } from '../failure/dict';

export const notifyRequestSchema = {
  $id: 'https://tf.dev/schemas/notify-request.json',
  type: 'object',
  additionalProperties: false,
} as const;

export const notifyResponseSchema = {
  $id: 'https://tf.dev/schemas/notify-response.json',
  type: 'object',
  properties: {
    topic: { type: 'string' },
    tasks: { type: 'array', items: { type: 'string' } },
  },
  required: ['topic', 'tasks'],
  additionalProperties: false,
} as const;

export const requestSchema = {
  $id: 'https://tf.dev/schemas/request.json',
  type: 'object',
  properties: {
    result: {
      type: 'array',
      minItems: 2,
      maxItems: 2,
      items: [{ enum: ['success', 'failure'] }, {}],
    },
    failures: { type: 'object', additionalProperties: { $ref: 'https://tf.dev/schemas/failure.json' } },
    task_cls: { type: 'string', minLength: 1 },
    task_name: { type: 'string', minLength: 1 },
    task_version: { oneOf: [{ type: 'string' }, { type: 'array' }] },
    action: { type: 'string', enum: ['execute', 'revert'] },
    arguments: { type: 'object' },
  },
  required: ['task_cls', 'task_name', 'task_version', 'action'],
  if: { properties: { result: { items: [{ const: 'failure' }, {}] } }, required: ['result'] },
  then: { properties: { result: { items: [{}, { $ref: 'https://tf.dev/schemas/failure.json' }] } } },
} as const;

export const responseSchema = {
  $id: 'https://tf.dev/schemas/response.json',
  type: 'object',
  properties: {
    state: { type: 'string', enum: ['WAITING', 'PENDING', 'RUNNING', 'SUCCESS', 'FAILURE', 'EVENT'] },
    data: {
      anyOf: [{ $ref: '#/definitions/event' }, { $ref: '#/definitions/completion' }, { $ref: '#/definitions/empty' }],
    },
  },
  required: ['state', 'data'],
  additionalProperties: false,
  allOf: [
    {
      if: { properties: { state: { const: 'FAILURE' } }, required: ['state'] },
      then: { properties: { data: { $ref: '#/definitions/failureCompletion' } } },
    },
    {
      if: { properties: { state: { const: 'EVENT' } }, required: ['state'] },
      then: { properties: { data: { $ref: '#/definitions/event' } } },
    },
  ],
  definitions: {
    event: {
      type: 'object',
      properties: { event_type: { type: 'string' }, details: { type: 'object' } },
      required: ['event_type', 'details'],
      additionalProperties: false,
    },
    empty: { type: 'object', additionalProperties: false },
    completion: {
      type: 'object',
      properties: { result: {} },
      required: ['result'],
      additionalProperties: false,
    },
    failureCompletion: {
      type: 'object',
      properties: { result: { $ref: 'https://tf.dev/schemas/failure.json' } },
      required: ['result'],
      additionalProperties: false,
    },
  },
} as const;

export { failureDictSchema };
