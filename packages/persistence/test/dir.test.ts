import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { persistenceConformance } from '@tf/persistence-testkit';
import { afterAll } from 'vitest';

const root = mkdtempSync(join(tmpdir(), 'tf-dir-backend-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `case-${++n}`);

persistenceConformance({
  name: 'dir',
  connection: () => `dir://${join(root, 'store')}`,
  reopen: true,
  locks: true,
  schemaCases: {
    foreign: async () => {
      const dir = fresh();
      await mkdir(dir);
      await writeFile(join(dir, 'thesis.txt'), 'not ours');
      return `dir://${dir}`;
    },
    newer: async () => {
      const dir = fresh();
      await mkdir(dir);
      await writeFile(join(dir, 'schema.json'), JSON.stringify({ format: 'tf-persistence-dir', version: 99 }));
      return `dir://${dir}`;
    },
    corrupt: async () => {
      const dir = fresh();
      await mkdir(join(dir, 'flows'), { recursive: true });
      await writeFile(join(dir, 'schema.json'), JSON.stringify({ format: 'tf-persistence-dir', version: 1 }));
      await writeFile(join(dir, 'flows', 'broken.json'), '{"format":"tf-flow-detail","uuid":"broken","flow":{"uuid":"bro');
      return { connection: `dir://${dir}`, flowUuid: 'broken' };
    },
  },
});
