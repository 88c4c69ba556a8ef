export * from './types';
export { resolveBackend } from './resolve';
