export * from './errors';
export * from './flow';
//# sourceMappingURL=index.js.map