export * from './dict';
export * from './failure';
