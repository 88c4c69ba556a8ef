import { createHash } from 'node:crypto';

/**
 * Where a topic lives on NATS. Exchange and topic names are `A-Z a-z 0-9 _ . -`; a subject
 * token may not hold `.`, and `~` is never in a name, so `.` -> `~` keeps each name one token
 * and two different pairs never share a subject. Stream names may not hold `.` either and are
 * file names on the server: a readable part, cut short, and a hash of the exact pair.
 */
export interface TopicAddress {
  /** `<subjectPrefix>.<exchange>.<topic>`: what publishers publish to. */
  readonly subject: string;
  /** `<streamPrefix>_<exchange>_<topic>_<hash>`: the work-queue stream that holds the topic. */
  readonly stream: string;
}

/** The consumer every worker of a topic shares (each message goes to one of them). */
export const DURABLE = 'tf';

const token = (name: string): string => name.replace(/\./g, '~');

/** The subject and stream of `exchange`/`topic`. */
export function topicAddress(streamPrefix: string, subjectPrefix: string, exchange: string, topic: string): TopicAddress {
  const hash = createHash('sha256').update(`${exchange}\u0000${topic}`).digest('hex').slice(0, 12);
  const readable = `${exchange}_${topic}`.replace(/\./g, '-').slice(0, 96);
  return { subject: `${subjectPrefix}.${token(exchange)}.${token(topic)}`, stream: `${streamPrefix}_${readable}_${hash}` };
}

/** Every topic subject of an exchange (for listing its streams). */
export function exchangeFilter(subjectPrefix: string, exchange: string): string {
  return `${subjectPrefix}.${token(exchange)}.*`;
}

/** Where the owner of a temporary topic answers "still here" (core NATS, outside every stream's subjects). */
export function aliveSubject(subjectPrefix: string, stream: string): string {
  return `${subjectPrefix}-alive.${stream}`;
}

/** The stream description that marks a temporary topic (swept once its owner is gone). */
export const TEMPORARY_DESCRIPTION = 'tf temporary topic';
