export * from './errors';
export type * from './types';
export { compile } from './compile';
