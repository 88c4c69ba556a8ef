export * from './constants';
export * from './schemas';
export * from './messages';
//# sourceMappingURL=index.js.map