import type { ConfirmChannel, Message, Options } from 'amqplib';
import type { DeclareFlags } from './options';
import { declareTopic } from './wire';

interface PendingPublish {
  readonly exchange: string;
  readonly routingKey: string;
  readonly content: Buffer;
  returned: boolean;
}

/** The confirm channel for publishing, with its cache of declared topics. */
export class Publisher {
  readonly channel: ConfirmChannel;
  closed = false;
  error: Error | undefined;
  readonly #declared = new Map<string, Promise<void>>();
  /** Keys of `#declared` whose declaration is done: a publish to them needs no await. */
  readonly #done = new Set<string>();
  /** Publishes waiting for their confirm, in publish order (a Set: removing one is O(1) with 10,000 in flight). */
  readonly #pending = new Set<PendingPublish>();

  constructor(channel: ConfirmChannel, onClose: (p: Publisher) => void) {
    this.channel = channel;
    channel.on('error', (err: Error) => {
      this.error = err;
    });
    channel.on('close', () => {
      this.closed = true;
      onClose(this);
    });
    // A mandatory message nobody could take comes back before its confirm (in publish order).
    channel.on('return', (msg: Message) => {
      for (const x of this.#pending) {
        if (!x.returned && x.exchange === msg.fields.exchange && x.routingKey === msg.fields.routingKey && x.content.equals(msg.content)) {
          x.returned = true;
          return;
        }
      }
    });
  }

  /** Declare the topic's exchange, queue and binding once per channel (concurrent callers share one declaration). */
  declare(exchange: string, topic: string, ex: DeclareFlags, q: DeclareFlags): Promise<void> {
    const key = `${exchange}\u0000${topic}`;
    let declared = this.#declared.get(key);
    if (!declared) {
      const promise = declareTopic(this.channel, exchange, topic, ex, q).then(() => {
        if (this.#declared.get(key) === promise) this.#done.add(key);
      });
      declared = promise;
      this.#declared.set(key, promise);
      promise.catch(() => {
        if (this.#declared.get(key) === promise) this.#declared.delete(key);
      });
    }
    return declared;
  }

  /** True once `declare(exchange, topic)` has completed on this channel (and was not forgotten). */
  declared(exchange: string, topic: string): boolean {
    return this.#done.has(`${exchange}\u0000${topic}`);
  }

  /** Forget a declaration (its queue vanished): the next publish declares it again. */
  forget(exchange: string, topic: string): void {
    const key = `${exchange}\u0000${topic}`;
    this.#declared.delete(key);
    this.#done.delete(key);
  }

  /** Publish and wait for the broker's confirm; resolves `true` when the message was returned unroutable. */
  publish(exchange: string, routingKey: string, content: Buffer, options: Options.Publish): Promise<boolean> {
    const pending: PendingPublish = { exchange, routingKey, content, returned: false };
    this.#pending.add(pending);
    return new Promise<boolean>((resolve, reject) => {
      try {
        this.channel.publish(exchange, routingKey, content, options, (err: unknown) => {
          this.#pending.delete(pending);
          if (err) reject(err instanceof Error ? err : new Error(`publish not confirmed: ${String(err)}`));
          else resolve(pending.returned);
        });
      } catch (err) {
        this.#pending.delete(pending);
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }
}
