import type { Logger } from '@cometmq/protocol'

interface Waiter {
  endOffset: number
  resolve: (flushed: boolean) => void
  timer: NodeJS.Timeout
}

/**
 * Commit-log flushing with group commit (RocketMQ CommitLog.GroupCommitService). One flush runs at a time;
 * puts that arrive while it runs wait for the next one, so many concurrent SYNC_FLUSH puts share one fsync.
 * A flush covers every byte written before it started (`flush()` returns that offset).
 */
export class GroupCommitService {
  #flushedOffset: number
  #waiters: Waiter[] = []
  #running: Promise<void> | null = null
  #again = false
  #scheduled = false
  #stopped = false

  /** @param flush fsyncs everything written so far and resolves with the offset now durable. */
  constructor(
    private readonly flush: () => Promise<number>,
    initialFlushedOffset: number,
    private readonly logger: Logger,
  ) {
    this.#flushedOffset = initialFlushedOffset
  }

  /** Commit-log offset below which every byte is durable. */
  get flushedOffset(): number {
    return this.#flushedOffset
  }

  /**
   * Resolves true once a flush covers `endOffset`, false after `timeoutMs` ms (the bytes stay written;
   * the put answers FLUSH_DISK_TIMEOUT). The flush starts in a microtask so puts made in the same tick share it.
   */
  waitForFlush(endOffset: number, timeoutMs: number): Promise<boolean> {
    if (endOffset <= this.#flushedOffset) return Promise.resolve(true)
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        endOffset,
        resolve,
        timer: setTimeout(() => {
          this.#waiters = this.#waiters.filter((w) => w !== waiter)
          resolve(false)
        }, timeoutMs),
      }
      waiter.timer.unref()
      this.#waiters.push(waiter)
      this.wakeup()
    })
  }

  /** Requests a flush soon without waiting for it (periodic ASYNC_FLUSH, SYNC_FLUSH puts with waitStoreMsgOK=false). */
  wakeup(): void {
    if (this.#scheduled) return
    this.#scheduled = true
    queueMicrotask(() => {
      this.#scheduled = false
      this.#kick()
    })
  }

  /** Flushes until `offset` is durable; gives up after 3 rounds that fail. Used by close(). */
  async flushUntil(offset: number): Promise<void> {
    for (let attempt = 0; this.#flushedOffset < offset && attempt < 3; attempt++) {
      this.#kick()
      await this.#running
    }
  }

  #kick(): void {
    if (this.#stopped) return
    if (this.#running) {
      this.#again = true
      return
    }
    this.#running = this.#loop().finally(() => {
      this.#running = null
    })
  }

  async #loop(): Promise<void> {
    for (;;) {
      this.#again = false
      const before = this.#flushedOffset
      try {
        const covered = await this.flush()
        if (covered > this.#flushedOffset) this.#flushedOffset = covered
      } catch (err) {
        this.logger.error('commit log flush failed', { error: (err as Error).message })
        return
      }
      this.#release()
      const pending = this.#waiters.length > 0
      if (!this.#again && !pending) return
      if (!this.#again && this.#flushedOffset === before) return
    }
  }

  #release(): void {
    if (this.#waiters.length === 0) return
    const still: Waiter[] = []
    for (const waiter of this.#waiters) {
      if (waiter.endOffset <= this.#flushedOffset) {
        clearTimeout(waiter.timer)
        waiter.resolve(true)
      } else {
        still.push(waiter)
      }
    }
    this.#waiters = still
  }

  /** Stops flushing for good (store closed) and resolves every remaining waiter with false. */
  stop(): void {
    this.#stopped = true
    for (const waiter of this.#waiters) {
      clearTimeout(waiter.timer)
      waiter.resolve(false)
    }
    this.#waiters = []
  }
}
