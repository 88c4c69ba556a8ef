import { TfHeader, type MessageHeaders } from '@tf/core';

/** A dead letter's headers: the request's own, plus why, from where and when it was set aside. */
export function deadLetterHeaders(headers: MessageHeaders, reason: string, topic: string, now = Date.now()): MessageHeaders {
  return { ...headers, [TfHeader.DEAD_REASON]: reason, [TfHeader.DEAD_TOPIC]: topic, [TfHeader.DEAD_AT]: now };
}
