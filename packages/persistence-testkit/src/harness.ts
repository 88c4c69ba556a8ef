import { randomUUID } from 'node:crypto';
import { type BackendConnection, isPersistenceBackend, type PersistenceBackend, resolveBackend } from '@tf/persistence';
import { afterEach } from 'vitest';
import type { PersistenceConformanceOptions } from './options';

/** Opens backends for one suite and closes them after each test. */
export function harness(options: PersistenceConformanceOptions) {
  const opened: PersistenceBackend[] = [];
  afterEach(async () => {
    await Promise.allSettled(opened.splice(0).map((b) => b.close()));
  });
  const withOptions = (connection: string | BackendConnection, extra: Record<string, unknown>): string | BackendConnection =>
    Object.keys(extra).length === 0 ? connection : typeof connection === 'string' ? { connection, ...extra } : { ...connection, ...extra };
  const openConnection = async (connection: string | BackendConnection): Promise<PersistenceBackend> => {
    const backend = options.open ? await options.open(connection) : await resolveBackend(connection);
    if (!isPersistenceBackend(backend)) throw new Error(`${options.name}: resolveBackend did not return a PersistenceBackend`);
    opened.push(backend);
    return backend;
  };
  return {
    /** A backend on the store under test, with extra options. */
    open: async (extra: Record<string, unknown> = {}) => openConnection(withOptions(await options.connection(), extra)),
    openConnection,
    /** A fresh flow detail id. */
    id: (prefix = 'flow') => `${prefix}-${randomUUID()}`,
  };
}
