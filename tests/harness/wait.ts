/**
 * Bounded waiting helpers. Tests never sleep-and-hope: they wait for a predicate or an event, with a
 * deadline, and fail with a description of what they were waiting for.
 */
import { randomBytes } from 'node:crypto'
import type { EventEmitter } from 'node:events'

export interface WaitForOptions {
  timeoutMs?: number
  intervalMs?: number
  /** Shown in the timeout error; a function is evaluated at timeout (e.g. to report progress). */
  description?: string | (() => string)
}

/**
 * Polls `predicate` until it returns a truthy value (which is returned) or `timeoutMs` passes.
 * A predicate that throws counts as "not yet"; the last error is reported on timeout.
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  { timeoutMs = 10_000, intervalMs = 50, description = 'condition' }: WaitForOptions = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  for (;;) {
    try {
      const value = await predicate()
      if (value) return value as NonNullable<T>
      lastError = undefined
    } catch (error) {
      lastError = error
    }
    if (Date.now() >= deadline) {
      const suffix = lastError ? ` (last error: ${lastError instanceof Error ? lastError.message : String(lastError)})` : ''
      const what = typeof description === 'function' ? description() : description
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${suffix}`)
    }
    await delay(intervalMs)
  }
}

/** Internal pause between polls of waitFor (not for use as a synchronisation primitive in tests). */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Rejects if `promise` does not settle within `timeoutMs`. */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, description = 'operation'): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms: ${description}`)), timeoutMs)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Waits for one emission of `event` on `emitter`, bounded. */
export function onceEvent(emitter: EventEmitter, event: string, timeoutMs: number): Promise<unknown[]> {
  return withTimeout(
    new Promise<unknown[]>((resolve) => emitter.once(event, (...args: unknown[]) => resolve(args))),
    timeoutMs,
    `event '${event}'`,
  )
}

/** A unique, RocketMQ-valid topic/group name: `<prefix>_<8 hex>` (charset [A-Za-z0-9_-]). */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`
}
