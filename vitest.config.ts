import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests run against source: every `@tf/<name>` import resolves to packages/<name>/src.
const packagesDir = fileURLToPath(new URL('./packages/', import.meta.url));
const alias = [{ find: /^@tf\/([a-z0-9-]+)$/, replacement: `${packagesDir}$1/src/index.ts` }];

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      { resolve: { alias }, test: { name: 'unit', include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'] } },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['test-integration/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
