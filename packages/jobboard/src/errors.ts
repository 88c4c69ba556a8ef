import { TfError } from '@tf/core';

/** The codes of jobboard errors; branch on them with `TfError.is(e, code)`. */
export const JobboardErrorCode = {
  /** A URL scheme whose board package is not installed; the message names the package. */
  NotInstalled: 'TF_JOBBOARD_NOT_INSTALLED',
  /** The store cannot be reached, or the board object is closed. */
  Unavailable: 'TF_JOBBOARD_UNAVAILABLE',
  /** Someone holds the claim. */
  Claimed: 'TF_JOB_CLAIMED',
  /** No such job on the board (never posted, or consumed or trashed). */
  NotFound: 'TF_JOB_NOT_FOUND',
  /** The caller does not hold the job's claim (unclaimed, expired, or another owner's). */
  NotOwner: 'TF_JOB_NOT_OWNER',
  /** A job with this uuid is on the board already (or its outcome is still kept). */
  Exists: 'TF_JOB_EXISTS',
  /** `waitForOutcome` ran out of time. */
  Timeout: 'TF_JOB_TIMEOUT',
  /** Details, a name, an owner or an outcome that is not valid JSON of the right shape, or over a size bound. */
  Invalid: 'TF_JOB_INVALID',
  /** A record read back from the store is not one a board wrote (corrupt, wrong types, over the bound). */
  Corrupt: 'TF_JOB_CORRUPT',
  /** A held claim is gone (expired, taken over, or its board object closed): the reason of `Claim.lost`. */
  ClaimLost: 'TF_JOB_CLAIM_LOST',
} as const;
export type JobboardErrorCode = (typeof JobboardErrorCode)[keyof typeof JobboardErrorCode];

/** No board package serves a URL scheme. */
export class JobboardNotInstalledError extends TfError {
  readonly scheme: string;
  readonly packageName: string;
  constructor(scheme: string, packageName: string, options?: { cause?: unknown }) {
    super(
      JobboardErrorCode.NotInstalled,
      `The jobboard for '${scheme}://' URLs needs the package ${packageName}, which is not installed. Install it: npm install ${packageName} (or pnpm add ${packageName}).`,
      options,
    );
    this.scheme = scheme;
    this.packageName = packageName;
  }
}

/** The store cannot be reached, the package failed to load, or the board is closed. */
export class JobboardUnavailableError extends TfError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(JobboardErrorCode.Unavailable, message, options);
  }
}

/** The job is claimed by someone (`owner`, when known). */
export class JobClaimedError extends TfError {
  readonly uuid: string;
  readonly owner: string | undefined;
  constructor(uuid: string, owner: string | undefined) {
    super(JobboardErrorCode.Claimed, `Job ${uuid} is claimed${owner === undefined ? '' : ` by ${owner}`}.`);
    this.uuid = uuid;
    this.owner = owner;
  }
}

export class JobNotFoundError extends TfError {
  readonly uuid: string;
  constructor(uuid: string, board: string) {
    super(JobboardErrorCode.NotFound, `No job ${uuid} on the board '${board}'.`);
    this.uuid = uuid;
  }
}

export class NotOwnerError extends TfError {
  readonly uuid: string;
  readonly owner: string;
  constructor(uuid: string, owner: string, actual: string | undefined) {
    super(
      JobboardErrorCode.NotOwner,
      `${owner} does not hold the claim on job ${uuid} (${actual === undefined ? 'it is not claimed' : `held by ${actual}`}).`,
    );
    this.uuid = uuid;
    this.owner = owner;
  }
}

export class JobExistsError extends TfError {
  readonly uuid: string;
  constructor(uuid: string, board: string) {
    super(JobboardErrorCode.Exists, `A job ${uuid} was posted on the board '${board}' already.`);
    this.uuid = uuid;
  }
}

export class JobTimeoutError extends TfError {
  readonly uuid: string;
  constructor(uuid: string, timeoutMs: number) {
    super(JobboardErrorCode.Timeout, `Job ${uuid} has no outcome after ${timeoutMs} ms.`);
    this.uuid = uuid;
  }
}

/** Bad input to a board: `path` says where (e.g. `details.args.when`). */
export class InvalidJobError extends TfError {
  readonly path: string;
  constructor(path: string, problem: string) {
    super(JobboardErrorCode.Invalid, `Invalid job: ${path} ${problem}.`);
    this.path = path;
  }
}

/** A stored record that is not what a board writes; iterate skips such jobs (and logs them), get() throws this. */
export class JobCorruptError extends TfError {
  readonly uuid: string;
  constructor(uuid: string, board: string, problem: string, options?: { cause?: unknown }) {
    super(JobboardErrorCode.Corrupt, `Job ${uuid} on the board '${board}' is corrupt in the store: ${problem}.`, options);
    this.uuid = uuid;
  }
}

/** The reason a claim's `lost` signal aborts with: the claim expired, was taken over, or the board object closed. */
export class JobClaimLostError extends TfError {
  readonly uuid: string;
  readonly owner: string;
  constructor(uuid: string, owner: string, why: string) {
    super(JobboardErrorCode.ClaimLost, `${owner} lost its claim on job ${uuid}: ${why}.`);
    this.uuid = uuid;
    this.owner = owner;
  }
}
