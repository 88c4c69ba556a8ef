import type { BackendConnection, PersistenceBackend } from '@tf/persistence';

/** How the conformance suites reach one backend. */
export interface PersistenceConformanceOptions {
  /** Shown in the suites' names. */
  name: string;
  /**
   * The connection of the store under test: each suite uses fresh ids, so one store may
   * serve them all. Options it carries reach the backend; the suites add `maxRecordBytes`.
   */
  connection: () => string | BackendConnection | Promise<string | BackendConnection>;
  /** Opens a backend; default `resolveBackend` (which must return a `PersistenceBackend`). */
  open?: (connection: string | BackendConnection) => Promise<PersistenceBackend>;
  /** A second backend on the same connection sees what the first saved (false for `memory://`). */
  reopen: boolean;
  /** `lockFlow` is implemented; checked across two backend instances on one store. */
  locks: boolean;
  /**
   * Stores that are not ours, each opened in turn and expected to fail with `TF_BACKEND_SCHEMA`:
   * `foreign` (someone else's data), `newer` (a schema version from the future), `corrupt`
   * (damaged records: the error may come at open or on the first read).
   */
  schemaCases?: {
    foreign?: () => Promise<string | BackendConnection>;
    newer?: () => Promise<string | BackendConnection>;
    corrupt?: () => Promise<{ connection: string | BackendConnection; flowUuid: string }>;
  };
}
