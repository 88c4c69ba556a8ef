import type { StorageBackend } from '@tf/core';
import type { BackendInput, PersistenceBackend } from './types';

/**
 * The backend a connection selects: `memory://`, `dir:///abs/path`, `sqlite:///abs/path.db`
 * (`@tf/persistence-sqlite`), `postgresql://` (`@tf/persistence-postgres`), any other scheme
 * `x` from the package `tf-persistence-x`. A backend object is returned as is.
 */
export async function resolveBackend(input: BackendInput): Promise<PersistenceBackend | StorageBackend> {
  void input;
  throw new Error('not implemented yet');
}
