import { TfError } from '@tf/transport';

/** Who holds a flow detail's lock, as far as the backend can tell. */
export interface FlowLockHolder {
  pid?: number;
  host?: string;
  /** ISO 8601 time the holder took the lock. */
  since?: string;
  /** Anything else the backend knows (a database session id, an owner token). */
  detail?: string;
}

/** Another live engine holds the flow detail: `StorageBackend.lockFlow`. */
export class FlowLockedError extends TfError {
  readonly flowUuid: string;
  readonly holder: FlowLockHolder;

  constructor(flowUuid: string, holder: FlowLockHolder, options?: { cause?: unknown }) {
    super('TF_FLOW_LOCKED', `Flow detail ${flowUuid} is locked by another engine (${describeHolder(holder)})`, options);
    this.flowUuid = flowUuid;
    this.holder = holder;
  }
}

function describeHolder(holder: FlowLockHolder): string {
  const parts: string[] = [];
  if (holder.pid !== undefined) parts.push(`pid ${holder.pid}`);
  if (holder.host) parts.push(`on ${holder.host}`);
  if (holder.since) parts.push(`since ${holder.since}`);
  if (holder.detail) parts.push(holder.detail);
  return parts.length ? parts.join(' ') : 'holder unknown';
}
