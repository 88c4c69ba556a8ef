// Mutation testing (bench/mutation/README.md): `pnpm mutation` runs every area, `pnpm mutation --mutate <glob>` one.
// Not part of `pnpm test` nor CI: a full run takes too long on 2 shared cores.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // Named, since pnpm's layout hides the runner from Stryker's own plugin lookup.
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  coverageAnalysis: 'perTest',
  mutate: [
    'packages/core/src/runtime/*.ts',
    'packages/core/src/atoms/retry.ts',
    'packages/core/src/failure/*.ts',
    'packages/core/src/protocol/*.ts',
    'packages/engine/src/worker-based/executor.ts',
    'packages/engine/src/worker-based/request-book.ts',
    '!**/index.ts',
  ],
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 10_000,
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  tempDirName: '.stryker-tmp',
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  thresholds: { high: 90, low: 80, break: null },
  cleanTempDir: 'always',
};
