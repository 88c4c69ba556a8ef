/**
 * tf-transport-example: a third-party tf transport in one file.
 *
 * Unlike @tf/transport-memory (a broker that pushes to consumers and tracks acks), this
 * one works like SQS or a database table: messages are rows, consumers *poll* for rows and
 * take a *lease* on each; a leased row is invisible to other consumers until it is acked
 * (deleted), rejected (lease dropped, or row deleted), or the lease runs out because its
 * holder stopped renewing it (a crash). In-process only; the table lives on `globalThis`.
 */
import { BaseTransport, InvalidArgumentError, TransportError, TransportErrorCode } from '@tf/transport';
import type { BaseTransportOptions, ConsumerSpec, RawDelivery, Subscription, TransportFactory, WireProperties } from '@tf/transport';

export interface ExampleOptions {
  /** How often a consumer polls for rows and renews its leases (default 5 ms). */
  pollIntervalMs?: number;
  /** How long a lease lasts without renewal (default 30 s). */
  leaseMs?: number;
}

interface Row {
  readonly body: string;
  readonly properties: string; // stored serialised, as a real table would
  receiveCount: number;
  leasedUntil: number;
  lease: number; // which lease holds it; 0 = none
}

const TABLE_KEY = Symbol.for('tf-transport-example.table');
const table = ((globalThis as unknown as Record<symbol, Map<string, Row[]>>)[TABLE_KEY] ??= new Map());
const rowsOf = (exchange: string, topic: string): Row[] => {
  const key = `${exchange}/${topic}`;
  let rows = table.get(key);
  if (!rows) table.set(key, (rows = []));
  return rows;
};
let leases = 0;

export class ExampleTransport extends BaseTransport {
  readonly name = 'example';
  readonly capabilities = { crossProcess: false, persistent: false, reconnect: false, deliveryCount: true };
  protected readonly driver = 'lease-table';
  protected readonly driverVersion = '0.1.0';
  readonly #pollMs: number;
  readonly #leaseMs: number;
  readonly #timers = new Set<NodeJS.Timeout>();
  #alive = false;

  constructor(options: BaseTransportOptions & ExampleOptions = {}) {
    super(options);
    this.#pollMs = options.pollIntervalMs ?? 5;
    this.#leaseMs = options.leaseMs ?? 30_000;
    if (!(this.#pollMs > 0) || !(this.#leaseMs > this.#pollMs)) {
      throw new InvalidArgumentError('example transport: need pollIntervalMs > 0 and leaseMs > pollIntervalMs.');
    }
  }

  protected async doConnect(): Promise<void> {
    this.#alive = true;
  }

  protected async doClose(): Promise<void> {
    this.#alive = false;
    for (const t of this.#timers) clearInterval(t);
    this.#timers.clear();
  }

  protected async doPublish(exchange: string, topic: string, body: string, properties: WireProperties): Promise<void> {
    if (!this.#alive) throw new TransportError(TransportErrorCode.NotConnected, 'example transport is dead');
    rowsOf(exchange, topic).push({ body, properties: JSON.stringify(properties), receiveCount: 0, leasedUntil: 0, lease: 0 });
  }

  protected async doConsume(spec: ConsumerSpec, deliver: (raw: RawDelivery) => void): Promise<Subscription> {
    const held = new Set<Row>();
    let taking = true;
    const poll = (): void => {
      const rows = rowsOf(spec.exchange, spec.topic);
      const now = Date.now();
      for (const row of held) row.leasedUntil = now + this.#leaseMs; // renew what we hold
      for (const row of rows) {
        if (!taking || (spec.prefetch > 0 && held.size >= spec.prefetch)) break;
        if (row.leasedUntil > now) continue;
        const lease = ++leases;
        Object.assign(row, { lease, leasedUntil: now + this.#leaseMs, receiveCount: row.receiveCount + 1 });
        held.add(row);
        const mine = (): boolean => held.delete(row) && row.lease === lease;
        deliver({
          body: row.body,
          properties: JSON.parse(row.properties) as WireProperties,
          redelivered: row.receiveCount > 1,
          deliveryCount: row.receiveCount,
          ack: () => {
            if (mine()) rows.splice(rows.indexOf(row), 1);
          },
          reject: (requeue) => {
            if (!mine()) return;
            if (requeue) Object.assign(row, { lease: 0, leasedUntil: 0 });
            else rows.splice(rows.indexOf(row), 1);
          },
        });
      }
    };
    const timer = setInterval(poll, this.#pollMs);
    this.#timers.add(timer);
    return {
      stop: () => {
        taking = false;
      },
      release: () => {
        clearInterval(timer);
        this.#timers.delete(timer);
      },
    };
  }

  /** For tests: die like a killed process. Polling and lease renewal stop; nothing is returned. */
  simulateCrash(): void {
    this.#alive = false;
    for (const t of this.#timers) clearInterval(t);
    this.#timers.clear();
  }
}

/** Found by `transport: 'example'` as the package `tf-transport-example`. */
export const transport: TransportFactory<ExampleOptions> = {
  name: 'example',
  schemes: ['example'],
  options: ['pollIntervalMs', 'leaseMs'],
  create: ({ url, options, retryOptions, logger }) => new ExampleTransport({ url, retryOptions, logger, ...options }),
};
