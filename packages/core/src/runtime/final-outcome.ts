import { type Failure, WrappedFailure } from '../failure/failure';

/** What `run()` rejects with for these failures: the one failure's error, or a WrappedFailure of several. */
export function outcomeError(failures: readonly Failure[]): Error | undefined {
  if (failures.length === 1) return failures[0]!.toError();
  if (failures.length > 1) return new WrappedFailure([...failures]);
  return undefined;
}
