import type { Jobboard, JobboardOptions } from '@tf/jobboard';

/** How the conformance suites reach one board implementation. */
export interface JobboardConformanceOptions {
  /** Shown in the suites' names. */
  name: string;
  /**
   * Opens a board object on the store under test: each call a new one (its own connections),
   * so two calls with the same `board` are two processes sharing the board. The suites give
   * a fresh `board` per test, a short `claimTtlMs`, a small `maxDetailsBytes` and a `logger`.
   */
  open: (options: JobboardOptions) => Promise<Jobboard>;
  /**
   * Replaces the stored record of job `uuid` on `board` with `text`, as a damaged or hostile
   * store would hold it. Without it the hostile-data suite is left out.
   */
  corrupt?: (board: string, uuid: string, text: string) => Promise<void>;
  /** `false` leaves out the claimNext suite (a board without the optional `claimNext`). */
  claimNext?: boolean;
  /**
   * A claim holder to kill with kill -9: `script` runs as `node --import tsx <script> <input> <uuid> <owner>`
   * (from `cwd`, default the working directory), opens the board `input` (JSON of what `input(options)`
   * returns), claims job `uuid` as `owner`, prints `claimed <owner>` and keeps renewing until killed.
   * Without it the killed-holder suite is left out.
   */
  claimer?: { script: string; input: (options: JobboardOptions) => Record<string, unknown>; cwd?: string };
  /** Removes what a board left in the store, after its suite. */
  cleanup?: (board: string) => Promise<void>;
}
