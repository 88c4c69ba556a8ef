export * from './states';
export * from './notifier';
export * from './backend';
export * from './storage';
export * from './executor';
export * from './events';
export * from './runtime';
export * from './engine';
export * from './listeners';
//# sourceMappingURL=index.js.map