import { createRequire } from 'node:module';
import pkg from '../package.json';

/** This package's version. */
export const VERSION: string = pkg.version;

function installedIoredis(): string {
  try {
    // The ioredis actually loaded, not the range this package was built against.
    const here = typeof __filename === 'string' ? __filename : import.meta.url;
    const version = (createRequire(here)('ioredis/package.json') as { version?: unknown }).version;
    if (typeof version === 'string') return version;
  } catch {
    // fall through
  }
  return pkg.dependencies.ioredis.replace(/^[^\d]*/, '');
}

/** The ioredis version, for `details()`. */
export const IOREDIS_VERSION: string = installedIoredis();
