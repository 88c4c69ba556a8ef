export * from './brand';
export * from './errors';
export * from './logger';
export * from './failure/index';
