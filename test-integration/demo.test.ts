/** The README's first command: the distributed demo runs end to end and writes a real PNG. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from './helpers';

describe('the distributed demo', () => {
  it('renders the Mandelbrot set on two tf-worker processes over the filesystem transport', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tf-demo-'));
    try {
      const output = join(dir, 'm.png');
      const run = spawnSync(
        process.execPath,
        ['--import', 'tsx', 'examples/mandelbrot/main.ts', '--width', '300', '--bands', '8', '--output', output],
        { cwd: root, encoding: 'utf8', timeout: 120_000 },
      );
      expect(run.status, run.stderr).toBe(0);
      const png = readFileSync(output);
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(png.readUInt32BE(16)).toBe(300); // IHDR width
      expect(png.readUInt32BE(20)).toBe(200); // IHDR height
      // Eight bands, each reported with the worker that computed it (sharing is checked in filesystem.test.ts).
      const lines = run.stdout.split('\n').filter((l) => /band\d+ rows/.test(l));
      expect(lines).toHaveLength(8);
      const workers = run.stdout.match(/worker \S+: \d+ bands/g) ?? [];
      expect(workers.length).toBeGreaterThanOrEqual(1);
      const total = workers.reduce((sum, w) => sum + Number(/: (\d+) bands/.exec(w)![1]), 0);
      expect(total).toBe(8);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
