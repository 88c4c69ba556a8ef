import type { AtomRecord, FlowRecord } from './backend';
import type { WriteStatistics } from './write-through';

/** Where storage hands each change: a backend's write-through, or nowhere. */
export interface ChangeWriter {
  readonly statistics: WriteStatistics;
  readonly error: unknown;
  readonly changes: number;
  readonly acknowledged: number;
  created(flow: FlowRecord, atoms: Iterable<AtomRecord>): void;
  flow(record: FlowRecord): void;
  atom(record: AtomRecord): void;
  durable(mark: number): Promise<void>;
  flush(): Promise<void>;
}

/** The writer of a storage without a backend: it counts changes, each durable at once (they live in memory only). */
export class NoWriter implements ChangeWriter {
  readonly statistics: WriteStatistics = { roundTrips: 0, records: 0 };
  readonly error: unknown = undefined;
  changes = 0;

  get acknowledged(): number {
    return this.changes;
  }

  created(): void {
    this.changes++;
  }

  flow(): void {
    this.changes++;
  }

  atom(): void {
    this.changes++;
  }

  durable(): Promise<void> {
    return Promise.resolve();
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }
}
