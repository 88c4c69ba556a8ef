import { TfError } from '@tf/core';

export const LiveViewErrorCode = {
  /** The page's script is not where the package ships it (a source checkout that was not built). */
  AssetMissing: 'TF_LIVE_VIEW_ASSET_MISSING',
  /** The server could not listen on the host and port (in use, not permitted, no such address). */
  ListenFailed: 'TF_LIVE_VIEW_LISTEN_FAILED',
} as const;
export type LiveViewErrorCode = (typeof LiveViewErrorCode)[keyof typeof LiveViewErrorCode];

/** A live view failure; `code` is one of `LiveViewErrorCode`. */
export class LiveViewError extends TfError {
  constructor(code: LiveViewErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}
