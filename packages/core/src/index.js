export * from './brand';
export * from './failure/index';
export * from '@tf/transport';
export * from './atoms/index';
export * from './patterns/index';
export * from './compiler/index';
export * from './render/index';
export * from './runtime/index';
export * from './protocol/index';
//# sourceMappingURL=index.js.map