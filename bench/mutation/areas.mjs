// The areas `pnpm mutation` runs one after the other, each a Stryker run with its own report and incremental file
// (reports/mutation/<area>.json, <area>.incremental.json), so re-running one area leaves the others' results alone.
// The runtime is two areas: its records and events, and its scheduler (whose mutants the engine's tests reach).
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
  'runtime-scheduler': runtime('atom-runner', 'decider-gate', 'engine', 'failure-resolution', 'readiness', 'runtime'),
  executor: ['packages/engine/src/worker-based/executor.ts', 'packages/engine/src/worker-based/request-book.ts'],
};
