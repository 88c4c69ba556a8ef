import { defineConfig } from 'vitest/config';
import { sourceAlias as alias } from './vitest.shared';

// The unit tests that exercise the mutated files (stryker.config.mjs): core, engine and worker run in-process on
// the memory transport, so Stryker's per-test coverage picks the few tests that reach each mutant. Left out: the
// tests that spawn processes (mutants are active in the test process only, and they take most of the time).
export default defineConfig({
  resolve: { alias },
  test: {
    testTimeout: 30_000,
    include: ['packages/core/test/**/*.test.ts', 'packages/engine/test/**/*.test.ts', 'packages/worker/test/**/*.test.ts'],
    exclude: ['packages/worker/test/cli.test.ts', 'packages/engine/test/exit.test.ts'],
  },
});
