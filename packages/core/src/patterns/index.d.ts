export * from './errors';
export * from './flow';
