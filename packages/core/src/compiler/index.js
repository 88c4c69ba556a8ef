export * from './errors';
export { compile } from './compile';
//# sourceMappingURL=index.js.map