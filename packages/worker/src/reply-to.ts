import { assertDestinationName } from '@tf/core';

/** True when `replyTo` names a topic a response can be published to (else every answer would fail). */
export function isValidReplyTo(replyTo: string): boolean {
  try {
    assertDestinationName('topic', replyTo);
    return true;
  } catch {
    return false;
  }
}
