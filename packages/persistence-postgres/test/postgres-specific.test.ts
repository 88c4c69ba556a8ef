import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TfError } from '@tf/core';
import { resolveBackend } from '@tf/persistence';
import { PostgresBackend } from '@tf/persistence-postgres';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { dropSchemas, freshSchema, PG_URL, sql } from './pg-test-db';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const schemas: string[] = [];
const schema = (): string => {
  const s = freshSchema('tf_pgspec');
  schemas.push(s);
  return s;
};
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await dropSchemas(schemas);
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('postgres backend: reaching the database', () => {
  it('a port where nothing listens is TF_BACKEND_UNAVAILABLE naming the host, without the password', async () => {
    const error = await rejection(resolveBackend({ connection: 'postgresql://postgres:s3cret@127.0.0.1:1/test', connectTimeoutMs: 2_000 }));
    expect(TfError.is(error, 'TF_BACKEND_UNAVAILABLE'), String(error)).toBe(true);
    expect((error as Error).message).toContain('127.0.0.1:1/test');
    expect((error as Error).message).not.toContain('s3cret');
  });

  it('a server that accepts and never answers is TF_BACKEND_UNAVAILABLE after the connect timeout, not a hang', async () => {
    const sockets: Socket[] = [];
    const server: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    try {
      const started = Date.now();
      const error = await rejection(resolveBackend({ connection: `postgresql://postgres@127.0.0.1:${port}/test`, connectTimeoutMs: 500 }));
      expect(TfError.is(error, 'TF_BACKEND_UNAVAILABLE'), String(error)).toBe(true);
      expect((error as Error).message).toMatch(/timeout/i);
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((r) => server.close(r));
    }
  });

  it('details() and the schema error name user, host, database and schema but never the password', async () => {
    const s = schema();
    const url = new URL(PG_URL);
    url.password = 'hunter2';
    const backend = await PostgresBackend.open(url, { schema: s });
    try {
      expect(backend.details()).toEqual({ scheme: 'postgresql', location: `postgres@127.0.0.1:5432/test (schema ${s})` });
    } finally {
      await backend.close();
    }
  });
});

describe('postgres backend: schemas', () => {
  it('a foreign schema keeps its table and rows, and gets no schema_version', async () => {
    const s = schema();
    await sql(`CREATE SCHEMA "${s}"; CREATE TABLE "${s}".orders (id int); INSERT INTO "${s}".orders VALUES (7)`);
    const error = await rejection(PostgresBackend.open(new URL(PG_URL), { schema: s }));
    expect(TfError.is(error, 'TF_BACKEND_SCHEMA')).toBe(true);
    expect((error as Error).message).toContain('orders');
    const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 10_000 });
    await client.connect();
    try {
      const tables = await client.query('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [s]);
      expect(tables.rows).toEqual([{ table_name: 'orders' }]);
      expect((await client.query(`SELECT id FROM "${s}".orders`)).rows).toEqual([{ id: 7 }]);
    } finally {
      await client.end();
    }
  });

  it('engines opening one new schema at once migrate it once', async () => {
    const s = schema();
    const backends = await Promise.all([1, 2, 3, 4].map(() => PostgresBackend.open(new URL(PG_URL), { schema: s })));
    await Promise.all(backends.map((b) => b.close()));
    const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 10_000 });
    await client.connect();
    try {
      expect((await client.query(`SELECT version FROM "${s}".schema_version`)).rows).toEqual([{ version: 1 }]);
    } finally {
      await client.end();
    }
  });

  it('a schema name that is not a plain identifier is refused', async () => {
    const error = await rejection(PostgresBackend.open(new URL(PG_URL), { schema: 'x"; DROP TABLE y; --' }));
    expect(TfError.is(error, 'TF_INVALID_ARGUMENT')).toBe(true);
  });
});

describe('postgres backend: flow locks across processes', () => {
  it('a lock held by another process names it; killed with -9, its lock is free again', { timeout: 60_000 }, async () => {
    const s = schema();
    await (await PostgresBackend.open(new URL(PG_URL), { schema: s })).close();
    // node itself (not the tsx wrapper), so the pid is the lock holder's and SIGKILL reaches it.
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'fixtures', 'hold-lock.ts'), PG_URL, s, 'flow-1'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    await new Promise<void>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`the lock holder did not start in 30 s: ${stderr}`)), 30_000);
      child.stdout?.on('data', (c: Buffer) => {
        if (c.toString().includes('locked')) {
          clearTimeout(timer);
          ok();
        }
      });
      child.on('exit', (code) => fail(new Error(`the lock holder exited (${code}): ${stderr}`)));
    });
    const backend = await PostgresBackend.open(new URL(PG_URL), { schema: s });
    try {
      const error = await rejection(backend.lockFlow('flow-1'));
      expect(TfError.is(error, 'TF_FLOW_LOCKED')).toBe(true);
      expect((error as Error).message).toContain(`pid ${child.pid}`);
      child.kill('SIGKILL');
      let lock: Awaited<ReturnType<PostgresBackend['lockFlow']>> | undefined;
      const deadline = Date.now() + 20_000;
      while (!lock && Date.now() < deadline) {
        lock = await backend.lockFlow('flow-1').catch(() => undefined);
        if (!lock) await new Promise((r) => setTimeout(r, 100));
      }
      expect(lock, 'the lock was not freed within 20 s of kill -9').toBeDefined();
      await lock?.release();
    } finally {
      await backend.close();
    }
  });
});
