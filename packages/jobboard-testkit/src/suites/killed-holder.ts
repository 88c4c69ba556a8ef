import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { details, harness, recorder, sleep } from '../harness';
import type { JobboardConformanceOptions } from '../options';

const CLAIMER_START_MS = 30_000;

/**
 * A claim holder killed with kill -9 (no abandon, no close): its claim is renewed while it lives,
 * expires within the claim TTL (plus one expiry check) once it is gone, and another board object
 * hears `expired` and claims the job.
 */
export function killedHolderSuite(options: JobboardConformanceOptions): void {
  const claimer = options.claimer;
  if (!claimer) return;
  describe(`${options.name}: a claim holder killed with kill -9`, () => {
    const h = harness(options);

    it('loses its claim within the TTL; the `expired` event lets another take the job over', { timeout: 60_000 }, async () => {
      const claimTtlMs = 1_000;
      const open = h.board({ claimTtlMs });
      const survivor = await open();
      const job = await survivor.post(details('long'));
      const input = claimer.input({ board: open.boardName, claimTtlMs });
      const child = spawn(process.execPath, ['--import', 'tsx', claimer.script, JSON.stringify(input), job.uuid, 'victim'], {
        cwd: claimer.cwd ?? process.cwd(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      try {
        let out = '';
        const claimed = new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`the claimer did not claim in ${CLAIMER_START_MS} ms:\n${out}`)),
            CLAIMER_START_MS,
          );
          const read = (chunk: Buffer) => {
            out += chunk.toString();
            if (out.includes('claimed victim')) {
              clearTimeout(timer);
              resolve();
            }
          };
          child.stdout.on('data', read);
          child.stderr.on('data', read);
          child.once('exit', (code) => {
            clearTimeout(timer);
            reject(new Error(`the claimer exited (${String(code)}) before claiming:\n${out}`));
          });
        });
        await claimed;
        // Held and renewed past its TTL while the holder lives.
        await sleep(claimTtlMs * 2);
        expect(await survivor.owner(job.uuid)).toBe('victim');
        const seen = recorder(survivor);
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGKILL');
        await exited;
        const expired = await seen.next((e) => e.type === 'expired' && e.uuid === job.uuid, 'expired');
        expect(expired).toEqual({ type: 'expired', uuid: job.uuid, owner: 'victim' });
        const claim = await survivor.claim(job.uuid, 'survivor');
        expect(claim.job).toMatchObject({ owner: 'survivor', claims: 2 });
        await survivor.consume(job.uuid, 'survivor', { state: 'SUCCESS' });
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    });
  });
}
