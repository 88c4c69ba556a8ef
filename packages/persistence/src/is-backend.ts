import type { StorageBackend } from '@tf/core';
import type { PersistenceBackend } from './types';

const STORAGE_METHODS = ['saveFlow', 'saveAtom', 'loadFlow', 'loadAtoms'] as const;
const PERSISTENCE_METHODS = ['saveLogbook', 'loadLogbook', 'findLogbook', 'listLogbooks', 'listFlows', 'details', 'close'] as const;

function hasMethods(value: unknown, methods: readonly string[]): boolean {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Record<string, unknown>;
  return methods.every((m) => typeof v[m] === 'function');
}

/** A backend object (an interface, so recognised by its methods). */
export const isStorageBackend = (value: unknown): value is StorageBackend => hasMethods(value, STORAGE_METHODS);

/** A backend that also keeps logbooks and lists flow details. */
export const isPersistenceBackend = (value: unknown): value is PersistenceBackend =>
  isStorageBackend(value) && hasMethods(value, PERSISTENCE_METHODS);
