import { defineConfig } from 'vitest/config';
import { sourceAlias as alias } from './vitest.shared';

// The unit tests that exercise the mutated files (stryker.config.mjs): core, engine and worker run in-process on
// the memory transport, so Stryker's per-test coverage picks the few tests that reach each mutant. Left out: the
// tests that spawn processes (mutants are active in the test process only, and they take most of the time).
// Not isolated: a mutant run re-imports no module (Stryker switches mutants at run time, and static mutants are
// ignored), which makes a run several times faster; the tests pass in this mode too. The price: a value a module
// caches on first use (Ajv's compiled validators) is built by the first test only, so a mutant in how it is built
// survives; TF_MUTATION_ISOLATE=1 runs isolated to check such survivors.
// The executor's areas (bench/mutation/areas.mjs) load only the engine's tests: no test of core or worker reaches the
// worker-based executor, and loading them made Stryker's initial run and every mutant run's module graph larger.
const area = process.env['TF_MUTATION_AREA'] ?? '';
const engineOnly = area.startsWith('executor');

export default defineConfig({
  resolve: { alias },
  test: {
    testTimeout: 30_000,
    isolate: process.env['TF_MUTATION_ISOLATE'] === '1',
    include: engineOnly
      ? ['packages/engine/test/**/*.test.ts']
      : ['packages/core/test/**/*.test.ts', 'packages/engine/test/**/*.test.ts', 'packages/worker/test/**/*.test.ts'],
    // atoms.shared-bindings asserts that equal bindings share one copy, from a process-wide cache of bounded size:
    // in one non-isolated process the other tests fill it first (and no area mutates atoms/interned.ts).
    exclude: ['packages/worker/test/cli.test.ts', 'packages/engine/test/exit.test.ts', 'packages/core/test/atoms.shared-bindings.test.ts'],
  },
});
