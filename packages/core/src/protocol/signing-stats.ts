import type { SignatureRejection } from './signing';

/** What signing did on one engine or worker since it was made (`engine.signingStats`, `worker.signingStats`). */
export interface SigningStats {
  /** Messages signed and handed to the transport. */
  readonly signed: number;
  /** Messages received whose signature checked out, handed on. */
  readonly verified: number;
  /** Messages received and dropped (never acted upon, never requeued): the sum of `rejectedBy`. */
  readonly rejected: number;
  /** The dropped messages by reason. */
  readonly rejectedBy: Readonly<Record<SignatureRejection, number>>;
}

/** The counters behind `SigningStats`; outlive a transport, so a reconnect or a new session keeps counting. */
export class SigningCounters {
  signed = 0;
  verified = 0;
  readonly #rejectedBy: Record<SignatureRejection, number> = { unsigned: 0, malformed: 0, unknownKey: 0, stale: 0, badSignature: 0 };

  reject(reason: SignatureRejection): void {
    this.#rejectedBy[reason] += 1;
  }

  /** A copy, as of now. */
  snapshot(): SigningStats {
    const rejectedBy = { ...this.#rejectedBy };
    const rejected = Object.values(rejectedBy).reduce((sum, n) => sum + n, 0);
    return { signed: this.signed, verified: this.verified, rejected, rejectedBy };
  }
}
