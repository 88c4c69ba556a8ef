import {
  InvalidStateError,
  resolveTransport,
  signedTransport,
  signingKeys,
  SigningCounters,
  type Delivery,
  type Logger,
  type MessageProperties,
  type PublishOptions,
  type NormalisedTransportSelection,
  type SigningKeys,
  type SigningOptions,
  type SigningStats,
  type Transport,
  type TransportConsumer,
} from '@tf/core';

/** What the session needs from its user. */
export interface TransportSessionHost {
  /** A message arrived on the engine's topic (already settled). */
  receive(delivery: Delivery): void;
  /** The connection came back after it was lost. */
  reconnected(): void;
  /** The connection was lost and the transport gave up reconnecting. */
  gaveUp(error: Error): void;
}

export interface TransportSessionOptions {
  readonly exchange: string;
  /** The engine's own topic, where workers reply. */
  readonly topic: string;
  readonly logger: Logger;
  /** Sign what is published, drop what arrives unsigned. */
  readonly signingKey?: SigningOptions | undefined;
}

/**
 * The engine's connection: creates (or takes) the transport, connects it, consumes the
 * engine's topic, publishes to the exchange, and closes. A transport it created is closed
 * by `close()`; a transport object it was given is left open for its owner.
 */
export class TransportSession {
  readonly #selection: NormalisedTransportSelection;
  readonly #options: TransportSessionOptions;
  readonly #host: TransportSessionHost;
  #transport: Transport | undefined;
  #consumer: TransportConsumer | undefined;
  #stopListening: (() => void)[] = [];
  readonly #signing: SigningKeys | undefined;
  readonly #signingCounters = new SigningCounters();

  constructor(selection: NormalisedTransportSelection, options: TransportSessionOptions, host: TransportSessionHost) {
    this.#selection = selection;
    this.#options = options;
    this.#host = host;
    this.#signing = options.signingKey === undefined ? undefined : signingKeys(options.signingKey);
  }

  /** With a signing key: what signing did, over every open of this session. */
  get signingStats(): SigningStats | undefined {
    return this.#signing ? this.#signingCounters.snapshot() : undefined;
  }

  /** The transport in use while open. */
  get transport(): Transport | undefined {
    return this.#transport;
  }

  get isOpen(): boolean {
    return this.#transport !== undefined;
  }

  /** Open and connected now (not reconnecting). */
  get connected(): boolean {
    return this.#transport?.state === 'connected';
  }

  /** Connects and consumes the engine's topic. On failure, a transport it created is closed again. */
  async open(): Promise<void> {
    const { exchange, topic, logger } = this.#options;
    const resolved = await resolveTransport({ ...this.#selection.selection, logger });
    const transport = this.#signing ? signedTransport(resolved, this.#signing, { logger, counters: this.#signingCounters }) : resolved;
    try {
      await transport.connect();
      // Set before consuming: a response may arrive before consume() resolves, and be answered.
      this.#transport = transport;
      // Responses are only useful while this engine lives: consume them without acks (a
      // transport that does not do it natively acks each on arrival).
      // It is this engine's alone: removed when it stops, expiring if the process dies.
      this.#consumer = await transport.consume(exchange, topic, (delivery) => this.#host.receive(delivery), {
        autoAck: true,
        temporary: true,
      });
    } catch (error) {
      this.#transport = undefined;
      if (this.#selection.owned) await transport.close().catch(() => undefined);
      throw error;
    }
    this.#stopListening = [
      transport.on('connected', ({ reconnected }) => {
        if (reconnected) this.#host.reconnected();
      }),
      transport.on('disconnected', ({ error, willReconnect }) => {
        if (!willReconnect && this.#transport === transport) this.#host.gaveUp(error ?? new Error('the transport closed'));
      }),
    ];
  }

  /** Publishes to `topic` of the engine's exchange. */
  publish(topic: string, body: string, properties: MessageProperties, options?: PublishOptions): Promise<void> {
    if (!this.#transport) return Promise.reject(new InvalidStateError('The worker-based engine is not connected'));
    // A transport's publish that throws at once fails its own request, like one that rejects:
    // thrown, it would escape from whichever atom's execute() happened to send the request.
    try {
      return this.#transport.publish(this.#options.exchange, topic, body, properties, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Stops consuming, and closes the transport if the session created it. */
  async close(): Promise<void> {
    const transport = this.#transport;
    const consumer = this.#consumer;
    for (const stop of this.#stopListening.splice(0)) stop();
    try {
      await consumer?.cancel();
      if (transport && this.#selection.owned) await transport.close();
    } finally {
      this.#consumer = undefined;
      this.#transport = undefined;
    }
  }
}
