import { TfError } from '@tf/core';

/** No worker answered `tf inspect` within its `--timeout`: code `TF_INSPECT_NO_WORKERS` (exit status 3). */
export class NoWorkersAnsweredError extends TfError {
  readonly topics: readonly string[];
  readonly timeoutMs: number;
  constructor(topics: readonly string[], timeoutMs: number) {
    super('TF_INSPECT_NO_WORKERS', `no worker answered on topic(s) ${topics.join(', ')} within ${timeoutMs} ms`);
    this.topics = topics;
    this.timeoutMs = timeoutMs;
  }
}

/** The broker could not be reached within `--timeout`: code `TF_INSPECT_CONNECT_TIMEOUT`. */
export class InspectConnectTimeoutError extends TfError {
  constructor(timeoutMs: number) {
    super('TF_INSPECT_CONNECT_TIMEOUT', `could not connect to the broker within ${timeoutMs} ms`);
  }
}
