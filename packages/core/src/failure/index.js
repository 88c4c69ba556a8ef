export * from './dict';
export * from './failure';
//# sourceMappingURL=index.js.map