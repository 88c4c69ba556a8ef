export * from './types';
export * from './errors';
export * from './emitter';
export * from './options';
export * from './base';
export * from './registry';
