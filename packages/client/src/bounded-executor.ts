/**
 * Runs async tasks with at most `concurrency` in flight (the push consumer's consume "thread pool",
 * RocketMQ `consumeThreadMax`). Tasks never reject into the executor: each task handles its own errors.
 */
export class BoundedExecutor {
  #active = 0
  /** FIFO of waiting tasks; `#head` is the next index to run (avoids O(n) Array#shift). */
  #pending: Array<() => Promise<void>> = []
  #head = 0
  #idleWaiters: Array<() => void> = []

  constructor(readonly concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`)
  }

  /** Tasks running now. */
  get activeCount(): number {
    return this.#active
  }

  /** Tasks waiting for a slot. */
  get pendingCount(): number {
    return this.#pending.length - this.#head
  }

  /** Queues `task`; it starts as soon as a slot is free. */
  submit(task: () => Promise<void>): void {
    this.#pending.push(task)
    this.#pump()
  }

  /** Discards every task that has not started yet. */
  clearPending(): void {
    this.#pending = []
    this.#head = 0
    this.#checkIdle()
  }

  /** Resolves when nothing is running or pending. */
  whenIdle(): Promise<void> {
    if (this.#active === 0 && this.pendingCount === 0) return Promise.resolve()
    return new Promise((resolve) => this.#idleWaiters.push(resolve))
  }

  #pump(): void {
    while (this.#active < this.concurrency && this.pendingCount > 0) {
      const task = this.#pending[this.#head] as () => Promise<void>
      this.#head++
      if (this.#head === this.#pending.length) {
        this.#pending = []
        this.#head = 0
      } else if (this.#head > 1024 && this.#head * 2 > this.#pending.length) {
        this.#pending = this.#pending.slice(this.#head)
        this.#head = 0
      }
      this.#active++
      let promise: Promise<void>
      try {
        promise = task()
      } catch {
        promise = Promise.resolve()
      }
      void promise
        .catch(() => undefined)
        .finally(() => {
          this.#active--
          this.#pump()
          this.#checkIdle()
        })
    }
  }

  #checkIdle(): void {
    if (this.#active !== 0 || this.pendingCount !== 0) return
    const waiters = this.#idleWaiters
    this.#idleWaiters = []
    for (const waiter of waiters) waiter()
  }
}
