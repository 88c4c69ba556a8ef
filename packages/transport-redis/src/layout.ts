/**
 * Where a topic lives in Redis: the stream `<keyPrefix><exchange>:<topic>`, read by the one
 * consumer group `tf`.
 */

/** The one consumer group every consumer of a topic joins. */
export const GROUP = 'tf';

/** The stream key of a topic. Exchange and topic names cannot hold `:`, so keys never collide. */
export function streamKey(keyPrefix: string, exchange: string, topic: string): string {
  return `${keyPrefix}${exchange}:${topic}`;
}
