import { defineConfig } from 'vitest/config';
import { sourceAlias as alias } from './vitest.shared';

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: { name: 'unit', testTimeout: 30_000, include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'] },
      },
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
