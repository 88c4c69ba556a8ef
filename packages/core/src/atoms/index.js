export * from './atom';
export * from './errors';
export * from './task';
export * from './functor';
export * from './retry';
//# sourceMappingURL=index.js.map