import { TfError } from '@tf/core';
import {
  type CreateJobboard,
  jobboardPackageFor,
  MemoryJobboard,
  post,
  registerJobboard,
  resolveJobboard,
  resolveJobboardOptions,
} from '@tf/jobboard';
import { afterEach, describe, expect, it } from 'vitest';

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((b) => b.close()));
});
const open = async (...args: Parameters<typeof resolveJobboard>) => {
  const board = await resolveJobboard(...args);
  opened.push(board);
  return board;
};

describe('resolveJobboard', () => {
  it('memory://<board> is built in and shared per board name in the process', async () => {
    const a = await open('memory://resolve-shared');
    const b = await open({ connection: 'memory://', board: 'resolve-shared' });
    const c = await open('memory://?board=resolve-shared');
    const other = await open('memory://resolve-other');
    expect([a.name, b.name, c.name, other.name]).toEqual(['resolve-shared', 'resolve-shared', 'resolve-shared', 'resolve-other']);
    const job = await a.post({ flow: 'f', args: {}, store: {} });
    expect((await b.get(job.uuid))?.uuid).toBe(job.uuid);
    expect((await c.get(job.uuid))?.uuid).toBe(job.uuid);
    expect(await other.get(job.uuid)).toBeUndefined();
  });

  it('a board object is returned as is', async () => {
    const board = await open('memory://as-is');
    expect(await resolveJobboard(board)).toBe(board);
  });

  it('schemes map to packages: redis/rediss, postgres/postgresql, others tf-jobboard-<scheme>', () => {
    expect(jobboardPackageFor('redis')).toBe('@tf/jobboard-redis');
    expect(jobboardPackageFor('rediss')).toBe('@tf/jobboard-redis');
    expect(jobboardPackageFor('postgres')).toBe('@tf/jobboard-postgres');
    expect(jobboardPackageFor('postgresql')).toBe('@tf/jobboard-postgres');
    expect(jobboardPackageFor('etcd')).toBe('tf-jobboard-etcd');
  });

  it('a scheme without its package is TF_JOBBOARD_NOT_INSTALLED naming the package', async () => {
    const error = await resolveJobboard('etcd://127.0.0.1:2379').catch((e: unknown) => e);
    expect(TfError.is(error, 'TF_JOBBOARD_NOT_INSTALLED')).toBe(true);
    expect((error as Error).message).toContain('tf-jobboard-etcd');
  });

  it('a package that fails to load, or exports no board, is TF_JOBBOARD_UNAVAILABLE', async () => {
    const broken = await resolveJobboard('zk://h', {
      importer: async () => {
        throw new Error('SyntaxError in the package');
      },
    }).catch((e: unknown) => e);
    expect(broken).toMatchObject({ code: 'TF_JOBBOARD_UNAVAILABLE' });
    const empty = await resolveJobboard('zk://h', { importer: async () => ({ other: 1 }) }).catch((e: unknown) => e);
    expect(empty).toMatchObject({ code: 'TF_JOBBOARD_UNAVAILABLE' });
  });

  it('registerJobboard serves a scheme with the URL and options; the undo removes it', async () => {
    const calls: [string, Record<string, unknown>][] = [];
    const create: CreateJobboard = (url, options) => {
      calls.push([url.href, { ...options }]);
      return new MemoryJobboard(resolveJobboardOptions({ board: 'registered' }));
    };
    const undo = registerJobboard('custom', create);
    const board = await open({ connection: 'custom://h/x', claimTtlMs: 1000 });
    expect(board.name).toBe('registered');
    expect(calls).toEqual([['custom://h/x', { claimTtlMs: 1000 }]]);
    undo();
    await expect(resolveJobboard('custom://h/x')).rejects.toMatchObject({ code: 'TF_JOBBOARD_NOT_INSTALLED' });
    expect(() => registerJobboard('Bad Scheme', create)).toThrow(/scheme/);
  });

  it('bad input, bad options and unknown options are TF_INVALID_ARGUMENT', async () => {
    for (const bad of [
      '',
      'not a url',
      { connection: 3 },
      { connection: 'memory://x', claimTtlMs: -1 },
      { connection: 'memory://x', colour: 'red' },
      { connection: 'memory://', board: 'has space' },
    ]) {
      await expect(resolveJobboard(bad as never), JSON.stringify(bad)).rejects.toMatchObject({ code: 'TF_INVALID_ARGUMENT' });
    }
  });

  it('a closed board refuses calls with TF_JOBBOARD_UNAVAILABLE', async () => {
    const board = await resolveJobboard('memory://closed');
    await board.close();
    await board.close();
    await expect(board.post({ flow: 'f', args: {}, store: {} })).rejects.toMatchObject({ code: 'TF_JOBBOARD_UNAVAILABLE' });
  });
});

describe('post', () => {
  it('posts a job naming a flow, with args, store, book, name, priority and uuid; args and store default to {}', async () => {
    const board = await open('memory://post-helper');
    const job = await post(board, 'checkout', {
      args: { order: 1 },
      store: { cart: [1] },
      book: 'shop',
      name: 'order 1',
      priority: 'HIGH',
      uuid: 'o-1',
    });
    expect(job).toMatchObject({
      uuid: 'o-1',
      name: 'order 1',
      priority: 'HIGH',
      details: { flow: 'checkout', args: { order: 1 }, store: { cart: [1] }, book: 'shop' },
    });
    const plain = await post(board, 'checkout');
    expect(plain).toMatchObject({ name: 'checkout', priority: 'NORMAL', details: { flow: 'checkout', args: {}, store: {} } });
    expect(plain.details.book).toBeUndefined();
  });
});
