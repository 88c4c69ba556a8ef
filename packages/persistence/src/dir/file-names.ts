import { createHash } from 'node:crypto';

const SAFE = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/** The file name (without extension) for an id: the id itself when it is a safe name, else a hash of it. */
export function fileNameOf(id: string): string {
  return SAFE.test(id) ? id : `h-${createHash('sha256').update(id).digest('hex')}`;
}
