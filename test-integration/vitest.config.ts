import { defineConfig } from 'vitest/config';
import { sourceAlias as alias } from '../vitest.shared';

export default defineConfig({
  resolve: { alias },
  test: {
    name: 'integration',
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
