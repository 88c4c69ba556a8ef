import type { Transport } from '@tf/transport';
import { afterEach, describe, it } from 'vitest';
import { sleep, uniqueName, waitFor } from '../helpers';
import type { ConformanceOptions } from '../options';

/** What every clause's tests share: the options, transports closed after each test, and waits. */
export interface SuiteContext {
  readonly options: ConformanceOptions;
  /** Per-test timeout. */
  readonly timeout: number;
  /** A new transport, not connected; closed after the test. */
  create(): Promise<Transport>;
  /** A new, connected transport; closed after the test. */
  open(): Promise<Transport>;
  /** An exchange name no other test or suite uses. */
  exchangeFor(test: string): string;
  /** Poll `condition` for up to `waitMs`; `message` says what was awaited if it times out. */
  until<T>(condition: () => T | Promise<T>, message: string): Promise<NonNullable<T>>;
  /** Let `quietMs` pass, to assert afterwards that nothing more happened. */
  quiet(): Promise<void>;
}

/**
 * Register one clause's tests with vitest, in a `describe` closing every transport a test made
 * (then running `cleanup`) after each test.
 */
export function defineSuite(options: ConformanceOptions, tests: (context: SuiteContext) => void): void {
  const waitMs = options.waitMs ?? 10_000;
  const quietMs = options.quietMs ?? 300;
  // Every clause uses the same title, so a test's full name is the same whether its clause runs
  // alone or within transportConformance.
  describe(`transport conformance: ${options.name}`, () => {
    const made: Transport[] = [];
    async function create(): Promise<Transport> {
      const t = await options.create();
      made.push(t);
      return t;
    }

    afterEach(async () => {
      await Promise.allSettled(made.splice(0).map((t) => t.close({ timeoutMs: 5_000 })));
      await options.cleanup?.();
    });

    tests({
      options,
      timeout: options.timeoutMs ?? 30_000,
      create,
      async open() {
        const t = await create();
        await t.connect();
        return t;
      },
      exchangeFor: (test) => uniqueName(`tfc-${options.name}-${test}`),
      until: (condition, message) => waitFor(condition, { timeoutMs: waitMs, message }),
      quiet: () => sleep(quietMs),
    });
  });
}

/** A test registered only when the transport offers what it needs; never a skipped test. */
export function onlyIf(capability: unknown): (name: string, options: { timeout: number }, fn: () => Promise<void>) => void {
  return capability ? (name, options, fn) => it(name, options, fn) : () => {};
}
