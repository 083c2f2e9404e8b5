/**
 * What a benchmark run needs from its surroundings: an output sink, a stop signal (SIGINT), and optional
 * per-interval hooks (`bench cluster` samples the broker process there).
 */

export interface RunContext {
  /** Prints one line. */
  out(line: string): void
  /** Aborted on SIGINT/SIGTERM: the run stops early and still prints its summary. */
  signal: AbortSignal
  /** Called after each interval line (awaited; errors are reported, not thrown). */
  onInterval?: () => Promise<void> | void
  /** Wall clock for the `Current Time` column (injectable for tests). */
  now?: () => Date
}

/**
 * Calls `report` every `intervalMs` until the returned stop function runs. Each tick's `report` and
 * `ctx.onInterval` run in order; a tick that is still running when the next is due is skipped.
 */
export function startTicker(intervalMs: number, ctx: RunContext, report: () => void): () => Promise<void> {
  let running: Promise<void> | undefined
  const timer = setInterval(() => {
    if (running) return
    running = (async () => {
      try {
        report()
        await ctx.onInterval?.()
      } catch (error) {
        ctx.out(`report failed: ${String(error)}`)
      } finally {
        running = undefined
      }
    })()
  }, intervalMs)
  return async () => {
    clearInterval(timer)
    await running
  }
}

/** Resolves after `ms` or when `signal` aborts, whichever is first; the timer never keeps the process alive. */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve()
      return
    }
    const timer = setTimeout(done, ms)
    timer.unref()
    signal.addEventListener('abort', done, { once: true })
    function done(): void {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
  })
}

/** `ctx.now()` or the current time. */
export function wallClock(ctx: RunContext): Date {
  return ctx.now ? ctx.now() : new Date()
}
