import type { Logger } from '@cometmq/protocol'

/** Something holding appended bytes in memory until `commit()` writes them (a SegmentFileQueue, the IndexService). */
export interface CommitTarget {
  /** Directory of the files written (for logs). */
  readonly dir: string
  /** Bytes appended but not yet written. */
  readonly pendingBytes: number
  /** Writes every pending byte; returns the bytes written. @throws the fs error (unwritten bytes stay pending). */
  commit(): number
}

/** Runs `task` once, later: by default with setImmediate (after the I/O callbacks of this event-loop turn). */
export type DeferFunction = (task: () => void) => void

const defaultDefer: DeferFunction = (task) => {
  setImmediate(task)
}

const WRITTEN = Promise.resolve(true)

/**
 * Writes the write buffers of a store's files (commit log, ConsumeQueues, IndexFile entries) once per event-loop
 * turn: the first append after a commit registers its CommitTarget (`add`) and schedules one `run()`, which
 * writes every registered queue with one positional write each. Puts made during the same turn share it.
 *
 * A queue whose write fails stays registered and is retried by the next run (scheduled by the next append);
 * `failing` is true from a failed run until a run succeeds.
 */
export class CommitScheduler {
  readonly #dirty = new Set<CommitTarget>()
  #turn: { promise: Promise<boolean>; resolve: (ok: boolean) => void } | null = null
  #failing = false
  #stopped = false

  constructor(
    private readonly logger: Logger,
    private readonly defer: DeferFunction = defaultDefer,
  ) {}

  /** Registers `queue` (it has unwritten bytes) and schedules a run if none is scheduled. */
  add(queue: CommitTarget): void {
    this.#dirty.add(queue)
    if (this.#turn || this.#stopped) return
    let resolve!: (ok: boolean) => void
    const promise = new Promise<boolean>((r) => (resolve = r))
    this.#turn = { promise, resolve }
    this.defer(() => this.run())
  }

  /**
   * Resolves once everything appended before the call has been handed to write(2): true when the run
   * wrote every registered queue, false when a write failed (the bytes stay buffered and are retried).
   */
  written(): Promise<boolean> {
    return this.#turn?.promise ?? (this.#failing ? Promise.resolve(false) : WRITTEN)
  }

  /** True after a run failed to write some queue, until a run succeeds. */
  get failing(): boolean {
    return this.#failing
  }

  /** Writes every registered queue now (also called by the scheduled task). Returns whether all writes succeeded. */
  run(): boolean {
    const turn = this.#turn
    this.#turn = null
    let ok = true
    if (!this.#stopped) {
      for (const queue of this.#dirty) {
        try {
          queue.commit()
          this.#dirty.delete(queue)
        } catch (err) {
          ok = false
          this.logger.error('write of buffered store bytes failed; retrying with the next write', { dir: queue.dir, bytes: queue.pendingBytes, error: (err as Error).message })
        }
      }
    }
    this.#failing = !ok
    turn?.resolve(ok)
    return ok
  }

  /** No more runs (the store closed; its queues wrote their buffers themselves). A scheduled run resolves its waiters. */
  stop(): void {
    this.#stopped = true
    this.#dirty.clear()
  }
}
