import pkg from '../package.json';

/** This package's version, for `details()`. */
export const VERSION: string = pkg.version;
