// Mutation testing (bench/mutation/README.md). `pnpm mutation` runs every area of bench/mutation/areas.mjs in turn,
// `pnpm mutation <area>` one, `pnpm mutation -- --mutate <glob>` any files. Not part of `pnpm test` nor CI: a full
// run takes too long on 2 shared cores.
import { areas } from './bench/mutation/areas.mjs';

const area = process.env.TF_MUTATION_AREA ?? 'all';
const mutate = area in areas ? areas[area] : Object.values(areas).flat();

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // Named, since pnpm's layout hides the runner from Stryker's own plugin lookup.
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  coverageAnalysis: 'perTest',
  mutate: [...mutate, '!**/index.ts'],
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 10_000,
  incremental: true,
  incrementalFile: `reports/mutation/${area}.incremental.json`,
  tempDirName: '.stryker-tmp',
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: `reports/mutation/${area}.json` },
  htmlReporter: { fileName: `reports/mutation/${area}.html` },
  thresholds: { high: 90, low: 80, break: null },
  cleanTempDir: 'always',
};
