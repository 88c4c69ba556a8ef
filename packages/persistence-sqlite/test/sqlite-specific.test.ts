import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { TfError } from '@tf/core';
import { resolveBackend } from '@tf/persistence';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteBackend } from '@tf/persistence-sqlite';

const root = mkdtempSync(join(tmpdir(), 'tf-sqlite-specific-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `case-${++n}.db`);

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('sqlite backend: what it refuses and what it leaves alone', () => {
  it('a file that is not a database is TF_BACKEND_SCHEMA and is left byte for byte', () => {
    const path = fresh();
    const text = 'a text file that someone pointed the backend at by mistake\n'.repeat(20);
    writeFileSync(path, text);
    const error = thrown(() => new SqliteBackend(path));
    expect(TfError.is(error, 'TF_BACKEND_SCHEMA'), String(error)).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it("someone else's database is refused and keeps its tables and rows; no schema_version is added", () => {
    const path = fresh();
    const db = new Database(path);
    db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT); INSERT INTO users (email) VALUES ('a@example.org')");
    db.close();
    const error = thrown(() => new SqliteBackend(path));
    expect(TfError.is(error, 'TF_BACKEND_SCHEMA')).toBe(true);
    expect((error as Error).message).toContain('users');
    const after = new Database(path);
    const tables = after.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
    expect(tables).toEqual([{ name: 'users' }]);
    expect(after.prepare('SELECT email FROM users').all()).toEqual([{ email: 'a@example.org' }]);
    after.close();
  });

  it('opens in WAL mode with schema version 1 recorded once, however often it is opened', async () => {
    const path = fresh();
    await new SqliteBackend(path).close();
    await new SqliteBackend(path).close();
    const db = new Database(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT version FROM schema_version').all()).toEqual([{ version: 1 }]);
    db.close();
  });

  it('a lock left by a dead process on this host is taken over; a live holder is named in the error', async () => {
    const path = fresh();
    await new SqliteBackend(path).close();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8', timeout: 10_000 });
    const deadPid = Number(dead.stdout);
    const db = new Database(path);
    db.prepare('INSERT INTO flow_locks (flow_uuid, owner, pid, host, since, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)').run(
      'f1',
      'gone',
      deadPid,
      (await import('node:os')).hostname(),
      'then',
      Date.now(),
    );
    db.close();
    const one = new SqliteBackend(path);
    const two = new SqliteBackend(path);
    try {
      const lock = await one.lockFlow('f1');
      const error = await two.lockFlow('f1').catch((e: unknown) => e);
      expect(TfError.is(error, 'TF_FLOW_LOCKED')).toBe(true);
      expect((error as Error).message).toContain(`pid ${process.pid}`);
      await lock.release();
    } finally {
      await one.close();
      await two.close();
    }
  });

  it('writes while another process writes the same file never fail SQLITE_BUSY: a write transaction takes the lock before it reads', {
    timeout: 60_000,
  }, async () => {
    const path = fresh();
    const backend = new SqliteBackend(path, { busyTimeoutMs: 10_000 });
    await backend.saveFlow({ uuid: 'f1', name: 'f', state: 'RUNNING', store: {} });
    // Another process commits small write transactions to the same file for as long as this one saves.
    const writer = spawn(
      process.execPath,
      [
        '-e',
        `const db = new (require('better-sqlite3'))(process.argv[1], { timeout: 10000 });
         db.exec('CREATE TABLE IF NOT EXISTS noise (n INTEGER)');
         const add = db.prepare('INSERT INTO noise (n) VALUES (?)');
         process.stdout.write('ready\\n');
         const until = Date.now() + 20000;
         for (let i = 0; Date.now() < until; i++) add.run(i);`,
        path,
      ],
      { cwd: join(__dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        writer.stdout!.once('data', () => resolve());
        writer.once('exit', (code) => reject(new Error(`the writer exited with ${code}`)));
      });
      let saved = 0;
      const until = Date.now() + 2_000;
      while (Date.now() < until) {
        await backend.saveBatch('f1', {
          flow: { uuid: 'f1', name: 'f', state: 'RUNNING', store: {}, meta: { saved } },
          atoms: [{ name: `a${saved % 10}`, kind: 'task', state: 'SUCCESS', intention: 'EXECUTE', result: saved, progress: 1 }],
        });
        saved++;
      }
      expect(saved).toBeGreaterThan(100);
      expect((await backend.loadFlow('f1'))?.meta).toEqual({ saved: saved - 1 });
    } finally {
      writer.kill('SIGKILL');
      await backend.close();
    }
  });

  it('a relative path or a host in the URL is refused before anything is created', async () => {
    await expect(resolveBackend('sqlite://relative/path.db')).rejects.toMatchObject({ code: 'TF_INVALID_ARGUMENT' });
  });

  it('an unknown option is refused', () => {
    expect(
      TfError.is(
        thrown(() => new SqliteBackend(fresh(), { poolSize: 3 })),
        'TF_INVALID_ARGUMENT',
      ),
    ).toBe(true);
  });
});
