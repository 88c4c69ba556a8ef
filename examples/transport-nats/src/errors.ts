import { TfError } from '@tf/transport';

/** Codes of the NATS transport's own errors. */
export const NatsErrorCode = {
  /** The server has no JetStream (start it with `-js`) or the account may not use it. */
  JetStreamUnavailable: 'TF_NATS_JETSTREAM_UNAVAILABLE',
  /** A message on a topic's stream that is not a tf message (headers not JSON, too deep). */
  BadMessage: 'TF_NATS_BAD_MESSAGE',
} as const;
export type NatsErrorCode = (typeof NatsErrorCode)[keyof typeof NatsErrorCode];

export class NatsTransportError extends TfError {
  constructor(code: NatsErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}

/** The message of anything thrown. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Each error of a cause chain (bounded: a cycle ends it). */
function* causes(err: unknown): Generator<unknown> {
  let current = err;
  for (let i = 0; i < 8 && current !== undefined && current !== null; i += 1) {
    yield current;
    current = typeof current === 'object' ? (current as { cause?: unknown }).cause : undefined;
  }
}

/** Nobody listens on the subject: for a JetStream publish, no stream holds it (the topic does not exist). */
export function isNoResponders(err: unknown): boolean {
  for (const e of causes(err)) if (e instanceof Error && (e.name === 'NoRespondersError' || /no responders/i.test(e.message))) return true;
  return false;
}

/** A JetStream API error code (10058: stream name in use, 10065: subjects overlap, 10014/10059: not found), when there is one. */
export function apiCode(err: unknown): number | undefined {
  for (const e of causes(err)) {
    const code = e !== null && typeof e === 'object' ? (e as { code?: unknown }).code : undefined;
    if (typeof code === 'number' && code >= 10000) return code;
  }
  return undefined;
}

/** The connection is closed: the operation failed because of it, not of what it asked. */
export function isClosedConnection(err: unknown): boolean {
  for (const e of causes(err)) if (e instanceof Error && /ClosedConnectionError|ConnectionError/.test(e.name)) return true;
  return false;
}
