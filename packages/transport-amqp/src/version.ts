import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import pkg from '../package.json';

/** This package's version. */
export const VERSION: string = pkg.version;

/** The installed amqplib's version, read from its package.json (its exports map hides it from `import`). */
function readAmqplibVersion(): string {
  try {
    const req: NodeJS.Require = typeof require === 'function' ? require : createRequire(import.meta.url);
    const main = req.resolve('amqplib');
    const json = JSON.parse(readFileSync(join(dirname(main), 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
    if (json.name === 'amqplib' && typeof json.version === 'string') return json.version;
  } catch {
    // fall through
  }
  const range = (pkg as { dependencies?: Record<string, string> }).dependencies?.['amqplib'];
  return range ? range.replace(/^[^\d]*/, '') : 'unknown';
}

/** amqplib's version, for `details()`. */
export const AMQPLIB_VERSION: string = readAmqplibVersion();
