// Prints one plain closing line ("jest: N passed, N failed, N skipped") that CI tooling reads, and
// when JEST_SUMMARY_FILE is set appends the counts there so `make test` can total several runs.
import { appendFileSync } from 'node:fs';

export default class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(`\njest: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`);
    const file = process.env.JEST_SUMMARY_FILE;
    if (file) appendFileSync(file, `${results.numPassedTests} ${failed} ${skipped}\n`);
  }
}
