/** Schedules a callback after the current event-loop turn (default: setImmediate). Injection point for tests. */
export type DeferFunction = (callback: () => void) => void

const defaultDefer: DeferFunction = (callback) => {
  setImmediate(callback)
}

/**
 * Group commit for an ordered log: callers add work to `collecting` (one group per event-loop turn); a group
 * is written once the turn ends, and groups are written one at a time, in order — work collected while a
 * write is in flight becomes the next group, written as soon as that write finishes. One write in flight
 * means LevelDB applies batches in the order their offsets were assigned.
 *
 * `write` must not reject: it settles its group's callers itself (success or failure).
 */
export class GroupCommit<G> {
  #collecting: G | null = null
  #writing = false
  #scheduled = false
  #idleWaiters: Array<() => void> = []
  readonly #create: () => G
  readonly #write: (group: G) => Promise<void>
  readonly #defer: DeferFunction

  constructor(create: () => G, write: (group: G) => Promise<void>, defer: DeferFunction = defaultDefer) {
    this.#create = create
    this.#write = write
    this.#defer = defer
  }

  /** The group collecting work now; created (and its write scheduled) on first use in a turn. */
  get collecting(): G {
    if (this.#collecting === null) {
      this.#collecting = this.#create()
      this.#schedule()
    }
    return this.#collecting
  }

  /** Detaches the collecting group without writing it (its work was built on a write that failed). */
  takeCollecting(): G | null {
    const group = this.#collecting
    this.#collecting = null
    return group
  }

  /** Writes the collecting group now (without waiting for the turn to end); resolves once nothing is left to write. */
  drain(): Promise<void> {
    if (!this.#writing && this.#collecting === null) return Promise.resolve()
    const idle = new Promise<void>((resolve) => this.#idleWaiters.push(resolve))
    this.#flush()
    return idle
  }

  #schedule(): void {
    if (this.#writing || this.#scheduled) return
    this.#scheduled = true
    this.#defer(() => {
      this.#scheduled = false
      this.#flush()
    })
  }

  #flush(): void {
    if (this.#writing) return
    const group = this.#collecting
    if (group === null) {
      const waiters = this.#idleWaiters
      this.#idleWaiters = []
      for (const resolve of waiters) resolve()
      return
    }
    this.#collecting = null
    this.#writing = true
    void this.#write(group).finally(() => {
      this.#writing = false
      this.#flush()
    })
  }
}
