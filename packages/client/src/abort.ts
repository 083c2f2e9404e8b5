/**
 * Small AbortSignal helpers. Timers are unref'd so a waiting client never keeps the process alive by itself.
 */

/** Throws `signal.reason` when the signal is already aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason
}

/**
 * Resolves after `ms` milliseconds, or rejects with `signal.reason` as soon as `signal` aborts.
 * The timer is unref'd.
 */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason)
      return
    }
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    timer.unref()
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** True when `error` is the reason of `signal` (i.e. the operation failed because it was aborted). */
export function isAbortedBy(error: unknown, signal: AbortSignal | undefined): boolean {
  return signal !== undefined && signal.aborted && (error === signal.reason || isAbortError(error))
}

/** True for DOMException/Error named `AbortError` (what `AbortController.abort()` uses by default). */
export function isAbortError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError'
}

export { raceAbort } from '@cometmq/protocol'
