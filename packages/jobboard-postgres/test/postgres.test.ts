import { createServer } from 'node:net';
import { resolveJobboard } from '@tf/jobboard';
import { channelOf, PostgresJobboard } from '@tf/jobboard-postgres';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { dropSchemas, freshSchema, PG_URL, sql } from '../../persistence-postgres/test/pg-test-db';

const schemas: string[] = [];
const fresh = (): string => {
  const s = freshSchema('tf_jb');
  schemas.push(s);
  return s;
};
afterAll(() => dropSchemas(schemas));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('postgres jobboard: tables, leases, channels', () => {
  it('boards opening at once on an empty schema create the tables once (advisory lock), and all work', async () => {
    const schema = fresh();
    const boards = await Promise.all(Array.from({ length: 4 }, (_, i) => resolveJobboard({ connection: PG_URL, schema, board: `b${i}` })));
    try {
      for (const b of boards) await b.post({ flow: 'f', args: {}, store: {} });
      expect(await Promise.all(boards.map((b) => b.count()))).toEqual([1, 1, 1, 1]);
    } finally {
      await Promise.all(boards.map((b) => b.close()));
    }
  });

  it('a claim is a lease on the row: owner and claim_expires_at in database time; board and schema from the URL', async () => {
    const schema = fresh();
    const board = await resolveJobboard(`${PG_URL}?board=leases&schema=${schema}`);
    const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 10_000 });
    await client.connect();
    try {
      expect(board).toBeInstanceOf(PostgresJobboard);
      expect(board.name).toBe('leases');
      expect((board as PostgresJobboard).channel).toBe(channelOf(schema, 'leases'));
      const job = await board.post({ flow: 'f', args: {}, store: {} });
      await board.claim(job.uuid, 'c1');
      const { rows } = await client.query(
        `SELECT owner, claim_expires_at > now() AS live, claim_expires_at <= now() + interval '31 seconds' AS bounded, claims FROM "${schema}".jobs WHERE uuid = $1`,
        [job.uuid],
      );
      expect(rows).toEqual([{ owner: 'c1', live: true, bounded: true, claims: 1 }]);
    } finally {
      await client.end();
      await board.close();
    }
  });

  it('a malformed NOTIFY on the board channel is ignored; later events arrive', async () => {
    const schema = fresh();
    const warned: string[] = [];
    const logger = { trace() {}, debug() {}, info() {}, error() {}, warn: (_: unknown, msg?: string) => void warned.push(msg ?? '') };
    const board = await resolveJobboard({ connection: PG_URL, schema, board: 'noise', logger });
    try {
      const posted = new Promise<string[]>((resolve, reject) => {
        const seen: string[] = [];
        const timer = setTimeout(() => reject(new Error('no posted event in 10 s')), 10_000);
        board.watch((e) => {
          seen.push(e.type);
          if (e.type === 'posted') {
            clearTimeout(timer);
            resolve(seen);
          }
        });
      });
      await sql(
        `SELECT pg_notify('${channelOf(schema, 'noise')}', 'not json'); SELECT pg_notify('${channelOf(schema, 'noise')}', '{"type":"expired","uuid":"x"}')`,
      );
      await board.post({ flow: 'f', args: {}, store: {} });
      expect(await posted).toEqual(['posted']);
      expect(warned.filter((m) => m.includes('malformed event'))).toHaveLength(2);
    } finally {
      await board.close();
    }
  });

  it('a bad schema name is TF_INVALID_ARGUMENT; an unreachable database is TF_JOBBOARD_UNAVAILABLE', async () => {
    await expect(resolveJobboard({ connection: PG_URL, schema: 'Bad-Name' })).rejects.toMatchObject({ code: 'TF_INVALID_ARGUMENT' });
    const port = await freePort();
    await expect(
      resolveJobboard({ connection: `postgresql://postgres@127.0.0.1:${port}/test`, connectTimeoutMs: 1_000 }),
    ).rejects.toMatchObject({
      code: 'TF_JOBBOARD_UNAVAILABLE',
    });
  });
});
