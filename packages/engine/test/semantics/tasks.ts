/**
 * The tasks of the semantic suite. Every class is a real Task a worker can allow-list;
 * each records what it did in the journal (see journal.ts: memory in one process, a file
 * shared with `tf-worker` processes), never in its own state, so they behave the same
 * wherever they run.
 */
import { Task, defineTask, type ExecuteContext, type RevertContext } from '@tf/core';
import { journal } from './journal';

function record(call: string): void {
  journal().record(call);
}

export class WootError extends Error {
  override name = 'WootError';
}

interface FailureLike {
  exceptionStr: string;
  excTypeNames: readonly string[];
  causes: readonly FailureLike[];
}

/** `Failure(message)`, followed by its causes as `<- Type(message)`, or the result as JSON. */
function describeResult(result: unknown): string {
  if (result !== null && typeof result === 'object' && 'exceptionStr' in result) {
    const failure = result as FailureLike;
    const causes: string[] = [];
    for (let cause = failure.causes[0]; cause; cause = cause.causes[0]) causes.push(` <- ${cause.excTypeNames[0]}(${cause.exceptionStr})`);
    return `Failure(${failure.exceptionStr})${causes.join('')}`;
  }
  return JSON.stringify(result) ?? 'undefined';
}

/** Records its execution and returns `value` (default 5); records its revert with the result it got. */
export class SaveOrder extends Task<Record<string, unknown>, unknown> {
  static override taskName = 'semantics.SaveOrder';
  override execute(): unknown {
    record(`${this.name}.execute`);
    return 5;
  }
  override revert(_args: Record<string, unknown>, { result }: RevertContext): void {
    record(`${this.name}.revert(${describeResult(result)})`);
  }
}

/** Always fails with WootError('Woot!'). */
export class Fail extends Task {
  static override taskName = 'semantics.Fail';
  override execute(): never {
    record(`${this.name}.execute`);
    throw new WootError('Woot!');
  }
  override revert(_args: object, { result, flowFailures }: RevertContext): void {
    record(`${this.name}.revert(${describeResult(result)}; failures=${Object.keys(flowFailures).sort().join(',')})`);
  }
}

/** Fails with WootError('Woot!') caused by RangeError('disk full'), itself caused by Error('EIO'). */
export class FailWithCause extends Task {
  static override taskName = 'semantics.FailWithCause';
  override execute(): never {
    record(`${this.name}.execute`);
    throw new WootError('Woot!', { cause: new RangeError('disk full', { cause: new Error('EIO') }) });
  }
  override revert(_args: object, { result }: RevertContext): void {
    record(`${this.name}.revert(${describeResult(result)})`);
  }
}

/**
 * Waits for its signal (an execution timeout) and fails with its reason; records the
 * reason's code. Gives up after 10 s, returning 'never stopped', so a broken timeout fails
 * the test instead of hanging it.
 */
export class Stuck extends Task<Record<string, unknown>, string> {
  static override taskName = 'semantics.Stuck';
  override execute(_args: Record<string, unknown>, { signal }: ExecuteContext): Promise<string> {
    record(`${this.name}.execute`);
    return new Promise((resolve, reject) => {
      const giveUp = setTimeout(() => resolve('never stopped'), 10_000);
      signal.addEventListener('abort', () => {
        clearTimeout(giveUp);
        const code = (signal.reason as { code?: unknown } | undefined)?.code;
        record(`${this.name}.aborted(${String(code)})`);
        reject(signal.reason);
      });
    });
  }
  override revert(_args: Record<string, unknown>, { result }: RevertContext): void {
    record(`${this.name}.revert(${describeResult(result)})`);
  }
}

/** Waits a moment, then fails with WootError('Woot!'). */
export class SlowFail extends Task {
  static override taskName = 'semantics.SlowFail';
  override async execute(): Promise<never> {
    record(`${this.name}.execute`);
    await new Promise((resolve) => setTimeout(resolve, 5));
    throw new WootError('Woot!');
  }
}

/**
 * Fails its first `failures` executions (counted in the journal: attempts may run in
 * different processes), with WootError('flaky <failures left>'), then returns 'ok'.
 */
export class Flaky extends Task<{ failures?: number }, string> {
  static override taskName = 'semantics.Flaky';
  static override optional = ['failures'];
  override execute({ failures = 0 }: { failures?: number }): string {
    record(`${this.name}.execute`);
    const attempt = journal()
      .entries()
      .filter((e) => e.call === `${this.name}.execute`).length;
    const left = failures - attempt + 1;
    if (left > 0) throw new WootError(`flaky ${left}`);
    return 'ok';
  }
  override revert(): void {
    record(`${this.name}.revert`);
  }
}

/** Its revert throws. */
export class NastyRevert extends Task {
  static override taskName = 'semantics.NastyRevert';
  override execute(): number {
    record(`${this.name}.execute`);
    return 1;
  }
  override revert(): never {
    record(`${this.name}.revert`);
    throw new RangeError('Gotcha!');
  }
}

/** x -> x + 1. */
export class AddOne extends Task<{ x: number }, number> {
  static override taskName = 'semantics.AddOne';
  static override requires = ['x'];
  override execute({ x }: { x: number }): number {
    record(`${this.name}.execute(${x})`);
    return x + 1;
  }
  override revert({ x }: { x: number }, { result }: RevertContext<number>): void {
    record(`${this.name}.revert(${x}, ${describeResult(result)})`);
  }
}

/** AddOne marked to run in the engine's process (never sent to a worker; no worker needs it). */
export class LocalAddOne extends AddOne {
  static override taskName = 'semantics.LocalAddOne';
  static override local = true;
}

/** a * b, with b optional (default 10). */
export class Multiply extends Task<{ a: number; b?: number }, number> {
  static override taskName = 'semantics.Multiply';
  static override requires = ['a'];
  static override optional = ['b'];
  override execute({ a, b = 10 }: { a: number; b?: number }): number {
    record(`${this.name}.execute(${a}, ${b})`);
    return a * b;
  }
}

/** Returns [x, x * 2] and { sum, diff } shapes for provides lists and maps. */
export class Split extends Task<{ x: number }, unknown> {
  static override taskName = 'semantics.Split';
  static override requires = ['x'];
  override execute({ x }: { x: number }): unknown {
    return this.name.endsWith('map') ? { sum: x + x, diff: 0 } : [x, x * 2];
  }
}

/** Async: waits a tick, reports progress 0.25, 0.75, then returns `value`. */
export class Progressing extends Task<{ value?: unknown }, unknown> {
  static override taskName = 'semantics.Progressing';
  static override optional = ['value'];
  override async execute({ value = 'done' }: { value?: unknown }): Promise<unknown> {
    record(`${this.name}.execute`);
    await new Promise((resolve) => setTimeout(resolve, 1));
    this.updateProgress(0.25);
    await new Promise((resolve) => setTimeout(resolve, 1));
    this.updateProgress(0.75, { step: 'almost' });
    return value;
  }
}

/** Fails unless its `value` argument equals 3 (for ForEach retries). */
export class NeedsThree extends Task<{ value: number }, number> {
  static override taskName = 'semantics.NeedsThree';
  static override requires = ['value'];
  override execute({ value }: { value: number }): number {
    record(`${this.name}.execute(${value})`);
    if (value !== 3) throw new WootError(`not three: ${value}`);
    return value * 100;
  }
  override revert({ value }: { value: number }): void {
    record(`${this.name}.revert(${value})`);
  }
}

/** The same as SaveOrder without a class statement. */
export const Defined = defineTask({
  name: 'semantics.Defined',
  requires: ['x'],
  execute({ x }: { x: number }) {
    record(`${this.name}.execute(${x})`);
    return x * 3;
  },
});

export const allTasks = [
  SaveOrder,
  Fail,
  FailWithCause,
  Stuck,
  SlowFail,
  Flaky,
  NastyRevert,
  AddOne,
  Multiply,
  Split,
  Progressing,
  NeedsThree,
  Defined,
];
