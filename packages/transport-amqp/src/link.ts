import type { Socket } from 'node:net';
import type { ChannelModel } from 'amqplib';
import type { Publisher } from './publisher';
import type { AmqpEndpoint } from './url';

/** A confirm channel for publishing: `opening` while it opens, then `open` too (until it closes). */
export interface PublisherSlot {
  opening: Promise<Publisher> | undefined;
  /** Once open: a publish needs no await for it. */
  open: Publisher | undefined;
}

/** One AMQP connection and what hangs off it. A new one after every reconnect. */
export interface Link {
  readonly id: number;
  readonly model: ChannelModel;
  readonly socket: Socket | undefined;
  readonly endpoint: AmqpEndpoint;
  /** The connection is gone (closed, lost or destroyed). */
  dead: boolean;
  /** We are closing it on purpose: its close is not a lost connection. */
  closing: boolean;
  lastError: Error | undefined;
  /** The confirm channel of publishes that declare their topic. */
  readonly publisher: PublisherSlot;
  /**
   * The confirm channel of `createTopic: false` publishes: one to an exchange that does not
   * exist makes the broker close its channel (404), and should not take the others' with it.
   */
  readonly conditional: PublisherSlot;
  /** Consumers with acks waiting to ride with the next write: send them now. */
  readonly ackFlushers: Set<() => void>;
}

/** Wait one turn of the event loop, so that a connection close behind an error arrives first and `link.dead` says it. */
export function letCloseArrive(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
