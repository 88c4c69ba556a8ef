export {
  Atom,
  isAtom,
  isRetry,
  isRetryClass,
  isTask,
  isTaskClass,
  type AtomBinding,
  type AtomDefaults,
  type AtomKind,
  type AtomOptions,
  type ProvidesSpec,
  type RebindSpec,
  type Version,
} from './atom';
export * from './errors';
export type * from './failure-like';
export * from './task';
export * from './functor';
export * from './retry';
export * from './execution-errors';
export * from './execution-context';
