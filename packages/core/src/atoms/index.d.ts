export * from './atom';
export * from './errors';
export type * from './failure-like';
export * from './task';
export * from './functor';
export * from './retry';
