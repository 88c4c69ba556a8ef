/** Every key of a board is under `tf:jobboard:<board>:`; several boards share one Redis. */
export function boardLayout(board: string) {
  const prefix = `tf:jobboard:${board}:`;
  return {
    prefix,
    /** HASH record, claims, updatedAt, notes. */
    job: (uuid: string) => `${prefix}job:${uuid}`,
    /** STRING owner, with the claim TTL (PX). */
    claim: (uuid: string) => `${prefix}claim:${uuid}`,
    /** STRING the outcome, with the outcome TTL. */
    outcome: (uuid: string) => `${prefix}outcome:${uuid}`,
    /** HASH record, outcome of a trashed job, with the outcome TTL. */
    trash: (uuid: string) => `${prefix}trash:${uuid}`,
    /** ZSET the jobs on the board, by priority then post order. */
    jobs: `${prefix}jobs`,
    /** HASH uuid -> owner of claims made (checked against the claim keys for expiry). */
    claimed: `${prefix}claimed`,
    /** The post sequence. */
    seq: `${prefix}seq`,
    /** The pub/sub channel of the board's events. */
    channel: `${prefix}events`,
  };
}
export type BoardLayout = ReturnType<typeof boardLayout>;
