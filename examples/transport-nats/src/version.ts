import { createRequire } from 'node:module';
import pkg from '../package.json';

/** This package's version. */
export const VERSION: string = pkg.version;

function installed(): string {
  try {
    // The client actually loaded, not the range this package was built against.
    const here = typeof __filename === 'string' ? __filename : import.meta.url;
    const version = (createRequire(here)('@nats-io/transport-node/package.json') as { version?: unknown }).version;
    if (typeof version === 'string') return version;
  } catch {
    // fall through
  }
  return pkg.dependencies['@nats-io/transport-node'].replace(/^[^\d]*/, '');
}

/** The `@nats-io/transport-node` version, for `details()`. */
export const NATS_CLIENT_VERSION: string = installed();
