// The areas `pnpm mutation` runs one after the other, each a Stryker run with its own report and incremental file
// (reports/mutation/<area>.json, <area>.incremental.json), so re-running one area leaves the others' results alone.
export const areas = {
  failure: ['packages/core/src/failure/*.ts'],
  protocol: ['packages/core/src/protocol/*.ts'],
  retry: ['packages/core/src/atoms/retry.ts'],
  runtime: ['packages/core/src/runtime/*.ts'],
  executor: ['packages/engine/src/worker-based/executor.ts', 'packages/engine/src/worker-based/request-book.ts'],
};
