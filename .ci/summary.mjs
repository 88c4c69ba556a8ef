// Prints vitest's totals as one plain closing line: "Tests: N passed, N failed, N skipped".
// "failed" counts the failed tests and, besides them, every error outside a test: a test file
// that failed to load (a top-level throw, e.g. an unreachable broker under CI) or a failing
// hook (beforeAll/afterAll) has no failed test of its own, yet the run failed.
// Under CI=true a skipped test is a failure: nothing may be reported as passing by skipping.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const inCi = process.env.CI === 'true';
const where = (file) => relative(process.cwd(), file.name);

const passed = report.numPassedTests;
const failedTests = report.numFailedTests;
const skipped = report.numPendingTests + report.numTodoTests;
const failedFiles = report.testResults.filter((file) => file.status === 'failed');
// A failed file none of whose tests failed: the error was outside any test.
const errorFiles = failedFiles.filter((file) => !file.assertionResults.some((test) => test.status === 'failed'));
// Files and describe blocks that failed (vitest marks a suite failed when a test or a hook in it failed).
const failedSuites = report.numFailedTestSuites ?? 0;

for (const file of errorFiles) {
  const why = file.message ? file.message.split('\n')[0] : 'an error in a hook or a suite (see the log above)';
  console.error(`error outside a test: ${where(file)}: ${why}`);
}
if (skipped > 0 && inCi) {
  for (const file of report.testResults) {
    for (const test of file.assertionResults) {
      if (test.status === 'pending' || test.status === 'skipped' || test.status === 'todo') {
        console.error(`skipped under CI: ${test.fullName} (${where(file)})`);
      }
    }
  }
}
const failed = failedTests + errorFiles.length;
console.log(
  `test files failed: ${failedFiles.length} of ${report.testResults.length} ` +
    `(${errorFiles.length} with an error outside a test); suites failed: ${failedSuites}`,
);
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
const ok = failed === 0 && failedFiles.length === 0 && failedSuites === 0 && report.success !== false && passed > 0;
process.exit(ok && !(skipped > 0 && inCi) ? 0 : 1);
