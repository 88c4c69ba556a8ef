import { open } from 'node:fs/promises';
import { BackendTooLargeError } from '../errors';

/** A file's text, or undefined when it does not exist; a file over `limit` bytes is refused before it is read. */
export async function readBounded(path: string, limit: number): Promise<string | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (size > limit) throw new BackendTooLargeError(`The file ${path}`, size, limit);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}
