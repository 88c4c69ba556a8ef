import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StorageBackend } from '@tf/core';
import { load } from '@tf/engine';
import { resolveBackend } from '@tf/persistence';
import { afterAll, describe, expect, it } from 'vitest';
import { billing } from './fixtures/render-flows';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const folder = mkdtempSync(path.join(tmpdir(), 'tf-cli-view-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('tf flows view', () => {
  it('serves the page of a stored flow detail, with its graph from --module, until SIGTERM', async () => {
    const backend = (await resolveBackend(`dir://${folder}`)) as StorageBackend & { close(): Promise<void> };
    const engine = load(billing, { engine: 'serial', backend, flowUuid: 'view-1' });
    await engine.run();
    await engine.storage.flush();
    await backend.close();

    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'packages/cli/src/cli.ts',
        'flows',
        'view',
        'view-1',
        '--backend',
        `dir://${folder}`,
        '--module',
        'packages/cli/test/fixtures/render-flows.ts',
        '--export',
        'billing',
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      let out = '';
      let err = '';
      child.stderr.on('data', (c: Buffer) => {
        err += c.toString();
      });
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL in 30 s; stdout: ${out} stderr: ${err}`)), 30_000);
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const match = /live view of flow detail view-1: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        });
        void exited.then((code) => reject(new Error(`tf exited with ${code}: ${err}`)));
      });
      const graph = (await (await fetch(new URL('graph.json', url))).json()) as {
        name: string;
        nodes: { name: string; kind: string }[];
        edges: unknown[];
      };
      expect(graph.name).toBe('billing');
      expect(graph.nodes.filter((n) => n.kind !== 'join').map((n) => n.name)).toEqual(['invoice', 'charge']);
      expect(graph.edges.length).toBeGreaterThan(0);
      const events = await fetch(new URL('events', url));
      const reader = events.body!.getReader();
      let text = '';
      while (!text.includes('\n\n')) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
      await reader.cancel();
      expect(text).toContain('event: snapshot');
      const snapshot = JSON.parse(
        text
          .split('\n')
          .find((l) => l.startsWith('data: '))!
          .slice(6),
      ) as { final: boolean; flow: { state: string } };
      expect(snapshot).toMatchObject({ final: true, flow: { state: 'SUCCESS' } });
    } finally {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      expect(await exited).toBe(0);
      clearTimeout(timer);
    }
  });
});
