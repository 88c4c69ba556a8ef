import pkg from '../package.json';

/** This package's version, for `details()`. */
export const VERSION: string = pkg.version;
/** The chokidar range this package is built against (chokidar does not export its package.json). */
export const CHOKIDAR_VERSION: string = pkg.dependencies.chokidar;
