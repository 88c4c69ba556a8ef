import { InvalidArgumentError } from './tf-error';
import { booleanFlag, positiveNumber } from './validate';
import type { PublishOptions } from './types';

/** `PublishOptions` as `doPublish` receives them: checked, defaults applied. */
export interface PublishSpec {
  /** False: drop the message when the topic does not exist, never create it. */
  readonly createTopic: boolean;
  /** Per-message time to live (ms), when given. */
  readonly ttlMs: number | undefined;
}

/** What `doPublish` gets when `publish` was given no options: one frozen object, no allocation per publish. */
export const DEFAULT_PUBLISH_SPEC: PublishSpec = Object.freeze({ createTopic: true, ttlMs: undefined });

/** How long a temporary topic whose consumer vanished without cancelling is kept, by default (ms). */
export const DEFAULT_TEMPORARY_TOPIC_EXPIRY_MS = 60_000;

/** Specs of frozen options objects (a worker's one `{ createTopic: false }`), checked once. */
const FROZEN_SPECS = new WeakMap<object, PublishSpec>();

/** Check `publish`'s options; `DEFAULT_PUBLISH_SPEC` when there are none. */
export function publishSpec(options: PublishOptions | undefined): PublishSpec {
  if (options === undefined || options === null) return DEFAULT_PUBLISH_SPEC;
  if (typeof options === 'object' && Object.isFrozen(options)) {
    let spec = FROZEN_SPECS.get(options);
    if (spec === undefined) {
      spec = Object.freeze(checkedSpec(options));
      FROZEN_SPECS.set(options, spec);
    }
    return spec;
  }
  return checkedSpec(options);
}

function checkedSpec(options: PublishOptions): PublishSpec {
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidArgumentError(`publish() options must be an object like { createTopic, ttlMs }, got ${JSON.stringify(options)}.`);
  }
  for (const key of Object.keys(options)) {
    if (key !== 'createTopic' && key !== 'ttlMs') {
      throw new InvalidArgumentError(`publish() accepts the options createTopic and ttlMs, not '${key}'.`);
    }
  }
  const createTopic = options.createTopic === undefined ? true : booleanFlag('publish() option createTopic', options.createTopic);
  const ttlMs = options.ttlMs === undefined ? undefined : Math.ceil(positiveNumber('publish() option ttlMs', options.ttlMs));
  if (createTopic && ttlMs === undefined) return DEFAULT_PUBLISH_SPEC;
  return { createTopic, ttlMs };
}

/**
 * The transport option `temporaryTopicExpiryMs` (how long a temporary topic outlives a consumer
 * that vanished without cancelling): a number > 0, whole milliseconds; the default when absent.
 */
export function temporaryTopicExpiryMs(transport: string, value: unknown): number {
  if (value === undefined || value === null) return DEFAULT_TEMPORARY_TOPIC_EXPIRY_MS;
  return Math.max(1, Math.round(positiveNumber(`${transport} transport: temporaryTopicExpiryMs`, value)));
}
