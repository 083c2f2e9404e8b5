/**
 * A vitest reporter that ends the run with one plain line, `N passed, N failed` (`, N skipped` when any),
 * so CI logs have a runner-independent summary. Used next to the default reporter (vitest.config.ts).
 */
import type { Reporter, RunnerTask, RunnerTestFile } from 'vitest/node'

function count(tasks: readonly RunnerTask[], totals: { passed: number; failed: number; skipped: number }): void {
  for (const task of tasks) {
    if (task.type === 'suite') {
      count(task.tasks, totals)
      continue
    }
    const state = task.result?.state
    if (state === 'pass') totals.passed++
    else if (state === 'fail') totals.failed++
    else totals.skipped++
  }
}

export default class SummaryReporter implements Reporter {
  onFinished(files: RunnerTestFile[] = [], errors: unknown[] = []): void {
    const totals = { passed: 0, failed: 0, skipped: 0 }
    count(files, totals)
    // a file that failed to load has no tasks: count it as a failure
    for (const file of files) if (file.result?.state === 'fail' && file.tasks.length === 0) totals.failed++
    totals.failed += errors.length
    const skipped = totals.skipped > 0 ? `, ${totals.skipped} skipped` : ''
    process.stdout.write(`\n${totals.passed} passed, ${totals.failed} failed${skipped}\n`)
  }
}
