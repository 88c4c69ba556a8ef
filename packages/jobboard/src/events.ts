import { MAX_NAME_CHARS } from './limits';
import type { JobboardEvent } from './types';
import { OUTCOME_STATES } from './validate';

/** The longest event text a board reads from its store's channel. */
export const MAX_EVENT_CHARS = 4096;

const isName = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= MAX_NAME_CHARS;

/** An event from a store's channel (untrusted): the event, or undefined when it is not one a board sends. */
export function parseEvent(text: unknown): JobboardEvent | undefined {
  if (typeof text !== 'string' || text.length > MAX_EVENT_CHARS) return undefined;
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (v === null || typeof v !== 'object' || !isName(v['uuid'])) return undefined;
  const uuid = v['uuid'];
  switch (v['type']) {
    case 'posted':
      return { type: 'posted', uuid };
    case 'trashed':
      return { type: 'trashed', uuid };
    case 'claimed':
    case 'abandoned':
    case 'expired':
      return isName(v['owner']) ? { type: v['type'], uuid, owner: v['owner'] } : undefined;
    case 'consumed': {
      const state = v['state'];
      return typeof state === 'string' && (OUTCOME_STATES as readonly string[]).includes(state)
        ? { type: 'consumed', uuid, state: state as (typeof OUTCOME_STATES)[number] }
        : undefined;
    }
    default:
      return undefined;
  }
}

export const encodeEvent = (event: JobboardEvent): string => JSON.stringify(event);
