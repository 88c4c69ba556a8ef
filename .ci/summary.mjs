// Prints vitest's totals as one plain closing line: "Tests: N passed, N failed, N skipped".
// Under CI=true a skipped test is a failure: nothing may be reported as passing by skipping.
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const passed = report.numPassedTests;
const failed = report.numFailedTests;
const skipped = report.numPendingTests + report.numTodoTests;
if (skipped > 0 && process.env.CI === 'true') {
  for (const file of report.testResults) {
    for (const test of file.assertionResults) {
      if (test.status === 'pending' || test.status === 'skipped' || test.status === 'todo') {
        console.error(`skipped under CI: ${test.fullName} (${file.name})`);
      }
    }
  }
}
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 || (skipped > 0 && process.env.CI === 'true') ? 1 : 0);
