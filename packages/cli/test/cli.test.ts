import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Failure } from '@tf/core';
import { type PersistenceBackend, resolveBackend } from '@tf/persistence';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cli = 'packages/cli/src/cli.ts';
const tmp = mkdtempSync(path.join(tmpdir(), 'tf-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `tf` from source in its own node process (tsx loader, cwd = repo root), killed after 30 s. */
function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TF_BACKEND: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tf ${args.join(' ')} did not finish in 30 s; stdout: ${stdout} stderr: ${stderr}`));
    }, 30_000);
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A logbook with a finished flow and a reverted one (a failure with a cause, a retry's history), and a flow outside any logbook. */
async function fill(backend: PersistenceBackend): Promise<void> {
  await backend.saveLogbook({ uuid: 'book-1', name: 'orders', meta: { team: 'shop' } });
  await backend.saveBatch('flow-ok', {
    flow: { uuid: 'flow-ok', name: 'checkout', state: 'SUCCESS', store: { order: 42 }, logbookUuid: 'book-1' },
    atoms: [
      { name: 'reserve', kind: 'task', state: 'SUCCESS', intention: 'EXECUTE', progress: 1, result: { seat: '12A' } },
      { name: 'notify', kind: 'task', state: 'SUCCESS', intention: 'EXECUTE', progress: 1, result: undefined },
    ],
  });
  const failure = Failure.fromError(new Error('card declined', { cause: new TypeError('gateway timeout') }));
  await backend.saveBatch('flow-bad', {
    flow: { uuid: 'flow-bad', name: 'checkout', state: 'REVERTED', store: {}, logbookUuid: 'book-1' },
    atoms: [
      { name: 'charge', kind: 'task', state: 'REVERTED', intention: 'REVERT', progress: 1, failure, revertResult: 'refunded' },
      {
        name: 'again',
        kind: 'retry',
        state: 'REVERTED',
        intention: 'REVERT',
        progress: 0,
        history: [{ value: 1, failures: { charge: failure } }],
      },
    ],
  });
  await backend.saveFlow({ uuid: 'flow-loose', name: 'cleanup', state: 'RUNNING', store: {} });
}

const backends = {
  dir: `dir://${path.join(tmp, 'store')}`,
  sqlite: `sqlite://${path.join(tmp, 'store.db')}`,
};

beforeAll(async () => {
  for (const url of Object.values(backends)) {
    const backend = (await resolveBackend(url)) as PersistenceBackend;
    await fill(backend);
    await backend.close();
  }
});

describe.each(Object.entries(backends))('tf flows (spawned) on the %s backend', { timeout: 60_000 }, (scheme, url) => {
  it('list prints the logbook with its flow details and the flow outside any logbook', async () => {
    const { code, stdout, stderr } = await run(['flows', 'list', '--backend', url]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`backend: ${scheme}`);
    expect(stdout).toMatch(/logbook orders \(book-1\)/);
    expect(stdout).toMatch(/flow-ok\s+checkout\s+SUCCESS\s+\d{4}-/);
    expect(stdout).toMatch(/flow-bad\s+checkout\s+REVERTED/);
    expect(stdout).toMatch(/without a logbook\n.*\n\s+flow-loose\s+cleanup\s+RUNNING/);
  });

  it("show prints the atoms' states, intentions, results, failures with causes, revert results and retry history", async () => {
    const ok = await run(['flows', 'show', 'flow-ok', '--backend', url]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/state:\s+SUCCESS/);
    expect(ok.stdout).toMatch(/logbook: orders \(book-1\)/);
    expect(ok.stdout).toMatch(/reserve\s+task\s+SUCCESS\s+EXECUTE\s+\{"seat":"12A"\}/);
    expect(ok.stdout).toMatch(/notify\s+task\s+SUCCESS\s+EXECUTE\s+undefined/);

    const bad = await run(['flows', 'show', 'flow-bad', '--backend', url]);
    expect(bad.code).toBe(0);
    expect(bad.stdout).toMatch(/charge\s+task\s+REVERTED\s+REVERT\s+failed/);
    expect(bad.stdout).toContain('Error: card declined');
    expect(bad.stdout).toContain('caused by TypeError: gateway timeout');
    expect(bad.stdout).toContain('revert result: "refunded"');
    expect(bad.stdout).toMatch(/retry history: 1 attempt\(s\)\n\s+#1 value 1, failed: charge/);
  });

  it('show of an unknown id exits 1 with one line naming it', async () => {
    const { code, stdout, stderr } = await run(['flows', 'show', 'nope', '--backend', url]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('No flow detail "nope"');
  });
});

describe('tf (spawned): the backend and bad input', { timeout: 60_000 }, () => {
  it('takes the backend from TF_BACKEND', async () => {
    const { code, stdout } = await run(['flows', 'list'], { TF_BACKEND: backends.dir });
    expect(code).toBe(0);
    expect(stdout).toContain('flow-ok');
  });

  it('no backend, an uninstalled scheme, or a foreign store: exit 1 with one line', async () => {
    const none = await run(['flows', 'list']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('--backend');
    const unknown = await run(['flows', 'list', '--backend', 'mongodb://db/x']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('tf-persistence-mongodb');
    expect(unknown.stderr).toContain('TF_BACKEND_NOT_INSTALLED');
    const foreign = await run(['flows', 'list', '--backend', `dir://${root}`]);
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toContain('TF_BACKEND_SCHEMA');
  });

  it('an unknown command exits 1', async () => {
    const { code, stderr } = await run(['flows', 'frobnicate']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/unknown command/i);
  });
});
