import { TfError } from '@tf/transport';

/** The codes of errors only the AMQP transport raises; branch on them with `TfError.is(e, code)`. */
export const AmqpErrorCode = {
  /**
   * The broker refused a declaration (AMQP 406 PRECONDITION_FAILED): an exchange or queue of
   * that name exists with other flags (durable, auto-delete) than this transport declares.
   */
  PreconditionFailed: 'TF_AMQP_PRECONDITION_FAILED',
  /** The broker refused or could not route a message after several attempts (nack, no queue). */
  PublishFailed: 'TF_AMQP_PUBLISH_FAILED',
  /** A channel was closed by the broker for another reason (access refused, not found...). */
  ChannelClosed: 'TF_AMQP_CHANNEL_CLOSED',
} as const;
export type AmqpErrorCode = (typeof AmqpErrorCode)[keyof typeof AmqpErrorCode];

/** An AMQP-level failure; `code` is one of `AmqpErrorCode`, `replyCode` the broker's (406, 404...) when it gave one. */
export class AmqpTransportError extends TfError {
  readonly replyCode: number | undefined;
  constructor(code: AmqpErrorCode, message: string, options?: { cause?: unknown; replyCode?: number | undefined }) {
    super(code, message, options);
    this.replyCode = options?.replyCode;
  }
}

/** The AMQP reply code an amqplib error carries (406, 404, 320...), if any. */
export function replyCodeOf(error: unknown): number | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

/** Turn an amqplib channel error into a typed one (a `TfError` is returned unchanged). */
export function channelError(error: unknown, what: string): Error {
  if (TfError.is(error)) return error;
  const replyCode = replyCodeOf(error);
  const reason = error instanceof Error ? error.message : String(error);
  if (replyCode === 406) {
    return new AmqpTransportError(
      AmqpErrorCode.PreconditionFailed,
      `${what}: the broker refused the declaration (${reason}). An exchange or queue of this name exists ` +
        `with other flags than this transport declares; align the transport options queueOptions/exchangeOptions ` +
        `(durable, autoDelete) with the existing ones, or delete them.`,
      { cause: error, replyCode },
    );
  }
  return new AmqpTransportError(AmqpErrorCode.ChannelClosed, `${what}: ${reason}`, { cause: error, replyCode });
}
