import { jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamManager, StreamInfo } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';

/** Out-of-band access to a NATS server's JetStream, for test bookkeeping (resolved from this package). */
export class NatsAdmin {
  #live: Promise<{ nc: NatsConnection; jsm: JetStreamManager }> | undefined;

  constructor(readonly url: string) {}

  #connect(): Promise<{ nc: NatsConnection; jsm: JetStreamManager }> {
    this.#live ??= (async () => {
      const nc = await connect({ servers: this.url.replace(/^nats:\/\//, ''), timeout: 5_000 });
      return { nc, jsm: await jetstreamManager(nc) };
    })();
    return this.#live;
  }

  /** Every stream that holds a subject matching `filter` (`tf.>`, `tf.exchange.*`). */
  async streams(filter: string): Promise<StreamInfo[]> {
    const { jsm } = await this.#connect();
    const out: StreamInfo[] = [];
    for await (const info of jsm.streams.list(filter)) out.push(info);
    return out;
  }

  /** Delete every stream under `subjectPrefix` (never anything else: the server is shared). */
  async deleteStreams(subjectPrefix: string): Promise<number> {
    const { jsm } = await this.#connect();
    let n = 0;
    for (const info of await this.streams(`${subjectPrefix}.>`)) {
      if (await jsm.streams.delete(info.config.name).catch(() => false)) n += 1;
    }
    return n;
  }

  async close(): Promise<void> {
    const live = await this.#live;
    this.#live = undefined;
    await live?.nc.close();
  }
}
