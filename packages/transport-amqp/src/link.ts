import type { Socket } from 'node:net';
import type { ChannelModel } from 'amqplib';
import type { Publisher } from './publisher';
import type { AmqpEndpoint } from './url';

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
  publisher: Promise<Publisher> | undefined;
  /** `publisher` once open (and until it closes): a publish needs no await for it. */
  openPublisher: Publisher | undefined;
  /** Consumers with acks waiting to ride with the next write: send them now. */
  readonly ackFlushers: Set<() => void>;
}

/** Wait one turn of the event loop, so that a connection close behind an error arrives first and `link.dead` says it. */
export function letCloseArrive(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
