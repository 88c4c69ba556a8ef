// The areas `pnpm mutation` runs one after the other, each a Stryker run with its own report and incremental file
// (reports/mutation/<area>.json, <area>.incremental.json), so re-running one area leaves the others' results alone.
// The runtime is three areas: its records and events, its scheduler's parts, and the run loop and engine (whose
// mutants every engine test reaches). The executor is two: its request book and the executor itself. An area is
// sized to finish in well under an hour on 2 shared cores: a Stryker run killed before its end leaves no report.
const runtime = (...names) => names.map((name) => `packages/core/src/runtime/${name}.ts`);

export const areas = {
  failure: ['packages/core/src/failure/*.ts'],
  protocol: ['packages/core/src/protocol/*.ts'],
  retry: ['packages/core/src/atoms/retry.ts'],
  'runtime-records': runtime(
    'backend',
    'completions',
    'events',
    'executor',
    'listeners',
    'notifier',
    'ready-queue',
    'states',
    'storage',
    'successors',
    'transitions',
  ),
  'runtime-scheduler': runtime('atom-runner', 'decider-gate', 'failure-resolution', 'readiness'),
  'runtime-run': runtime('engine', 'runtime'),
  'request-book': ['packages/engine/src/worker-based/request-book.ts'],
  executor: ['packages/engine/src/worker-based/executor.ts'],
};
