import pkg from '../package.json';

/** This package's version, for the banner and `--version`. */
export const VERSION: string = pkg.version;
