import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readFile, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TfError, resolveTransport } from '@tf/transport';
import type { Logger } from '@tf/transport';
import { FilesystemTransport, transport as factory } from '@tf/transport-filesystem';
import { Recorder, sleep, waitFor } from '@tf/transport-testkit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { claimName, parseClaimName, parseReadyName, readyName, topicPaths } from '../src/layout';

let folder: string;
const made: FilesystemTransport[] = [];

function open(options: ConstructorParameters<typeof FilesystemTransport>[0] = {}): Promise<FilesystemTransport> {
  const t = new FilesystemTransport({ dataFolder: folder, ...options });
  made.push(t);
  return t.connect().then(() => t);
}

interface LogLine {
  level: string;
  obj: unknown;
  msg: string | undefined;
}
function recordingLogger(lines: LogLine[]): Logger {
  const at = (level: string) => (obj: unknown, msg?: string) => lines.push({ level, obj, msg });
  return { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const HOST =
  hostname()
    .replace(/[^A-Za-z0-9-]/g, '-')
    .slice(0, 63) || 'host';

/** A pid that is certainly not running (well past pid_max on Linux, and kill(pid, 0) says ESRCH). */
const DEAD_PID = 4_194_304 + 12_345;

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'tf-fs-test-'));
});
afterEach(async () => {
  await Promise.allSettled(made.splice(0).map((t) => t.close({ timeoutMs: 2_000 })));
  rmSync(folder, { recursive: true, force: true });
});

describe('file names', () => {
  it('parses ready and claim names, and rejects what is not a message', () => {
    expect(parseReadyName('0001-000002-ab.3.msg')).toEqual({ id: '0001-000002-ab', deliveries: 3 });
    expect(parseReadyName('hand-made.msg')).toEqual({ id: 'hand-made', deliveries: 0 });
    for (const name of ['.msg', '.hidden.msg', 'x.json', 'a~b.0.msg', '.claimed', '.tmp']) {
      expect(parseReadyName(name)).toBeUndefined();
    }
    const owner = { host: 'box-1', pid: 42, token: 'abc123', leaseMs: 30_000 };
    const name = claimName('0001-000002-ab', 4, owner);
    expect(parseClaimName(name)).toEqual({ id: '0001-000002-ab', deliveries: 4, owner });
    expect(parseClaimName('junk.claim')).toBeUndefined();
    expect(readyName('x', 0)).toBe('x.0.msg');
  });
});

describe('options', () => {
  it('takes the seed snake_case options, polling_interval in seconds', () => {
    const t = new FilesystemTransport({
      data_folder_in: join(folder, 'in'),
      data_folder_out: join(folder, 'out'),
      polling_interval: 0.25,
    });
    expect(t.folderIn).toBe(join(folder, 'in'));
    expect(t.folderOut).toBe(join(folder, 'out'));
    expect(t.pollingIntervalMs).toBe(250);
    expect(t.leaseMs).toBe(30_000);
    expect(t.details()).toMatchObject({ name: 'filesystem', driver: 'filesystem' });
    expect(t.details().version).toMatch(/chokidar/);
    expect(t.details().uri).toContain(pathToFileURL(join(folder, 'in')).href);
  });

  it('reads the folder from a file: URL and defaults the poll interval by mode', () => {
    const t = new FilesystemTransport({ url: pathToFileURL(folder).href });
    expect(t.folderIn).toBe(folder);
    expect(t.folderOut).toBe(folder);
    expect(t.pollingIntervalMs).toBe(1000);
    expect(t.details().uri).toBe(pathToFileURL(folder).href);
    expect(new FilesystemTransport({ dataFolder: folder, usePolling: true }).pollingIntervalMs).toBe(100);
  });

  it('rejects unknown and bad options with typed errors', () => {
    const bad = (o: object) => () => new FilesystemTransport(o as never);
    expect(bad({ dataFolder: folder, nope: 1 })).toThrow(expect.objectContaining({ code: 'TF_TRANSPORT_UNKNOWN_OPTION' }));
    expect(bad({ dataFolder: folder, leaseMs: -1 })).toThrow(expect.objectContaining({ code: 'TF_INVALID_ARGUMENT' }));
    expect(bad({ dataFolder: '' })).toThrow(expect.objectContaining({ code: 'TF_INVALID_ARGUMENT' }));
    expect(bad({ url: 'amqp://x' })).toThrow(expect.objectContaining({ code: 'TF_INVALID_ARGUMENT' }));
    expect(bad({ dataFolder: folder, pollingIntervalMs: 100, polling_interval: 1 })).toThrow(
      expect.objectContaining({ code: 'TF_INVALID_ARGUMENT' }),
    );
  });

  it('is selected by name with the seed transport_options, and by file:// URL', async () => {
    const unregister = (await import('@tf/transport')).registerTransport(factory, { replace: true });
    try {
      const byName = await resolveTransport({
        transport: 'filesystem',
        transport_options: { data_folder_in: join(folder, 'a'), data_folder_out: join(folder, 'b'), polling_interval: 0.1 },
      });
      expect(byName).toBeInstanceOf(FilesystemTransport);
      expect((byName as FilesystemTransport).pollingIntervalMs).toBe(100);
      expect((byName as FilesystemTransport).folderOut).toBe(join(folder, 'b'));
      const byUrl = await resolveTransport({ url: pathToFileURL(folder).href });
      expect((byUrl as FilesystemTransport).folderIn).toBe(folder);
      await expect(resolveTransport({ transport: 'filesystem', transportOptions: { dataFolder: folder, bogus: true } })).rejects.toSatisfy(
        (e) => TfError.is(e, 'TF_TRANSPORT_UNKNOWN_OPTION'),
      );
    } finally {
      unregister();
    }
  });
});

describe('folders', () => {
  it('creates missing folders, and separate in/out folders route engine -> worker -> engine', async () => {
    const a = join(folder, 'deep', 'a');
    const b = join(folder, 'deep', 'b');
    const engine = await open({ dataFolderIn: a, dataFolderOut: b });
    const worker = await open({ dataFolderIn: b, dataFolderOut: a });
    expect(existsSync(a) && existsSync(b)).toBe(true);
    await worker.consume('ex', 'work', async (d) => {
      await worker.publish('ex', d.properties.replyTo ?? 'none', `"re:${d.body}"`, { correlationId: d.properties.correlationId });
      await d.ack();
    });
    const replies = new Recorder();
    await engine.consume('ex', 'engine-1', replies.handler);
    await engine.publish('ex', 'work', '"ping"', { replyTo: 'engine-1', correlationId: 'c1' });
    await waitFor(() => replies.count === 1, { message: 'the reply' });
    expect(replies.bodies).toEqual(['"re:"ping""']);
    expect(replies.deliveries[0]?.properties.correlationId).toBe('c1');
  });

  it('works with chokidar polling (usePolling) too', async () => {
    const t = await open({ usePolling: true, pollingIntervalMs: 30 });
    const inbox = new Recorder();
    await t.consume('ex', 'polled', inbox.handler);
    for (let i = 0; i < 5; i++) await t.publish('ex', 'polled', String(i));
    await waitFor(() => inbox.count === 5, { message: 'five messages' });
    expect([...inbox.bodies].sort()).toEqual(['0', '1', '2', '3', '4']);
  });
});

describe('corrupt and unreadable files', () => {
  it('moves a torn, a non-tf and an unreadable file aside with a logged reason and keeps serving', async () => {
    const lines: LogLine[] = [];
    const t = await open({ logger: recordingLogger(lines) });
    const paths = topicPaths(folder, 'ex', 'work');
    await mkdir(paths.dir, { recursive: true });
    await writeFile(join(paths.dir, readyName('0000000000001-000001-torn', 0)), '{"v":1,"body":"half a mess');
    await writeFile(join(paths.dir, readyName('0000000000001-000002-shape', 0)), '{"v":1,"nobody":true}');
    await mkdir(join(paths.dir, readyName('0000000000001-000003-dir', 0))); // EISDIR when read
    await writeFile(join(paths.dir, 'notes.txt'), 'not a message: ignored, left alone');
    const inbox = new Recorder();
    await t.consume('ex', 'work', inbox.handler);
    await t.publish('ex', 'work', '"good"');
    await waitFor(() => inbox.count === 1, { message: 'the good message' });
    await waitFor(async () => (await readdir(paths.corrupt)).length === 6, { message: 'three files and three reasons aside' });
    await sleep(200);
    expect(inbox.bodies).toEqual(['"good"']);
    const aside = (await readdir(paths.corrupt)).sort();
    expect(aside.filter((n) => n.endsWith('.reason.json'))).toHaveLength(3);
    const torn = JSON.parse(await readFile(join(paths.corrupt, `${readyName('0000000000001-000001-torn', 0)}.reason.json`), 'utf8')) as {
      reason: string;
    };
    expect(torn.reason).toMatch(/not valid JSON/);
    const shape = JSON.parse(await readFile(join(paths.corrupt, `${readyName('0000000000001-000002-shape', 0)}.reason.json`), 'utf8')) as {
      reason: string;
    };
    expect(shape.reason).toMatch(/not a tf message/);
    const dir = JSON.parse(await readFile(join(paths.corrupt, `${readyName('0000000000001-000003-dir', 0)}.reason.json`), 'utf8')) as {
      reason: string;
    };
    expect(dir.reason).toMatch(/unreadable: EISDIR/);
    expect(lines.filter((l) => l.level === 'warn' && /moved an unusable message file aside/.test(l.msg ?? ''))).toHaveLength(3);
    // Nothing left behind to retry, and the folder still serves.
    expect((await readdir(paths.dir)).filter((n) => n.endsWith('.msg'))).toEqual([]);
    expect(await readdir(paths.claimed)).toEqual([]);
    expect(existsSync(join(paths.dir, 'notes.txt'))).toBe(true);
    await t.publish('ex', 'work', '"still serving"');
    await waitFor(() => inbox.count === 2, { message: 'another message' });
  });
});

describe('leases', () => {
  async function plantClaim(owner: { host: string; pid: number; token: string; leaseMs: number }, body: string, ageMs: number) {
    const paths = topicPaths(folder, 'ex', 'work');
    await mkdir(paths.claimed, { recursive: true });
    const file = join(paths.claimed, claimName(`0000000000001-000001-${owner.token}`, 1, owner));
    await writeFile(file, JSON.stringify({ v: 1, body, properties: { headers: {} } }));
    const then = new Date(Date.now() - ageMs);
    await utimes(file, then, then);
    return file;
  }

  it('takes back at once a claim whose holder process on this machine is dead', async () => {
    const file = await plantClaim({ host: HOST, pid: DEAD_PID, token: 'deadbeef', leaseMs: 600_000 }, '"orphan"', 3_600_000);
    const t = await open();
    const inbox = new Recorder();
    await t.consume('ex', 'work', inbox.handler);
    await waitFor(() => inbox.count === 1, { message: 'the orphan' });
    expect(inbox.bodies).toEqual(['"orphan"']);
    expect(inbox.deliveries[0]?.redelivered).toBe(true);
    expect(inbox.deliveries[0]?.deliveryCount).toBe(2);
    expect(existsSync(file)).toBe(false);
  });

  it('takes back a claim from another machine only once its lease has run out', async () => {
    // The lease is long (60 s) and the clock is moved past it, so both halves are asserted on
    // every machine, however slow. A dead local holder's claim, planted beside it, shows that a
    // claim check has run (and found the remote claim still leased).
    await plantClaim({ host: 'some-other-host', pid: process.pid, token: 'c0ffee', leaseMs: 60_000 }, '"remote"', 0);
    await plantClaim({ host: HOST, pid: DEAD_PID, token: 'deadbeef', leaseMs: 60_000 }, '"orphan"', 0);
    const t = await open();
    const inbox = new Recorder();
    await t.consume('ex', 'work', inbox.handler);
    await waitFor(() => inbox.count >= 1, { message: 'the orphan, taken back by the first claim check' });
    await sleep(300);
    expect(inbox.bodies).toEqual(['"orphan"']); // the remote claim: still leased
    const realNow = Date.now.bind(Date);
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => realNow() + 61_000);
    try {
      await waitFor(() => inbox.count === 2, { message: 'the expired claim' });
    } finally {
      clock.mockRestore();
    }
    expect(inbox.bodies).toEqual(['"orphan"', '"remote"']);
    expect(inbox.deliveries[1]?.redelivered).toBe(true);
    expect(inbox.deliveries[1]?.deliveryCount).toBe(2);
  });

  it('leaves alone a claim of a live process on this machine whose lease is fresh', async () => {
    const file = await plantClaim({ host: HOST, pid: process.ppid, token: 'a11ve', leaseMs: 60_000 }, '"theirs"', 0);
    const t = await open();
    const inbox = new Recorder();
    await t.consume('ex', 'work', inbox.handler);
    await sleep(1_300); // more than one claim check
    expect(inbox.count).toBe(0);
    expect(existsSync(file)).toBe(true);
  });

  it('renews the claims it holds while its handler runs', async () => {
    const holder = await open({ leaseMs: 600 });
    const held = new Recorder('hold');
    await holder.consume('ex', 'work', held.handler);
    await holder.publish('ex', 'work', '"long job"');
    await waitFor(() => held.count === 1, { message: 'the holder to hold it' });
    const claimed = topicPaths(folder, 'ex', 'work').claimed;
    const [name] = await readdir(claimed);
    const first = (await stat(join(claimed, name as string))).mtimeMs;
    await waitFor(async () => (await stat(join(claimed, name as string))).mtimeMs > first, { message: 'a renewal' });
    await held.deliveries[0]?.ack();
    await waitFor(async () => (await readdir(claimed)).length === 0, { message: 'the ack to remove the claim' });
  });
});

describe('publish', () => {
  it('is atomic: a .msg file is complete the moment it appears (temp files live in .tmp)', async () => {
    const t = await open();
    const paths = topicPaths(folder, 'ex', 'atomic');
    await mkdir(paths.dir, { recursive: true });
    const big = JSON.stringify({ data: 'y'.repeat(2 * 1024 * 1024) });
    let stop = false;
    const seen = new Map<string, boolean>();
    // A reader that looks as fast as it can while 2 MiB messages are being written.
    const reader = (async () => {
      while (!stop) {
        for (const name of await readdir(paths.dir)) {
          if (!name.endsWith('.msg') || seen.has(name)) continue;
          const text = await readFile(join(paths.dir, name), 'utf8');
          let complete = false;
          try {
            complete = (JSON.parse(text) as { body: string }).body === big;
          } catch {
            complete = false;
          }
          seen.set(name, complete);
        }
        await new Promise((r) => setImmediate(r));
      }
    })();
    for (let i = 0; i < 8; i++) await t.publish('ex', 'atomic', big);
    await sleep(50);
    stop = true;
    await reader;
    expect(seen.size).toBe(8);
    expect([...seen.values()].every(Boolean)).toBe(true);
    expect(await readdir(paths.tmp)).toEqual([]);
  });

  it('fails with a typed error when the folder cannot be written', async () => {
    const file = join(folder, 'a-file');
    await writeFile(file, 'x');
    const t = new FilesystemTransport({ dataFolder: join(file, 'sub'), retryOptions: { maxRetries: 0 } });
    made.push(t);
    await expect(t.connect()).rejects.toSatisfy((e) => TfError.is(e));
  });
});

describe('crash and disconnect', () => {
  it('a crashed transport settles nothing and what it held goes to another consumer', async () => {
    const a = await open();
    const b = await open();
    const held = new Recorder('hold');
    await a.consume('ex', 'work', held.handler, { prefetch: 3 });
    for (const body of ['1', '2', '3']) await b.publish('ex', 'work', body);
    await waitFor(() => held.count === 3, { message: 'A to hold three' });
    await a.simulateCrash();
    await held.deliveries[0]?.ack(); // a dead process cannot ack: no-op
    const other = new Recorder();
    await b.consume('ex', 'work', other.handler);
    await waitFor(() => other.count === 3, { message: 'B to get all three' });
    expect([...other.bodies].sort()).toEqual(['1', '2', '3']);
    await expect(a.publish('ex', 'work', '4')).rejects.toSatisfy((e) => TfError.is(e, 'TF_FILESYSTEM_CRASHED'));
  });
});
