/**
 * Per-queue consumption state of a push consumer (RocketMQ `ProcessQueue`): the messages pulled but not yet
 * consumed (keyed by queue offset), flow-control counters, and the drop/abort switch of the pull loop.
 *
 * Offset rule (§7.5): after messages are removed, the consume offset is the smallest offset still in flight,
 * or (nothing in flight) the largest offset ever added + 1.
 */
import type { ConsumedMessage } from './types.js'

export class ProcessQueue {
  /** queueOffset → message, in insertion order (pulls add increasing offsets). */
  readonly #messages = new Map<number, ConsumedMessage>()
  /** True while offsets were added in ascending order, so the first map key is the smallest. */
  #ascending = true
  #maxOffset = -1
  #bytes = 0
  #capacityWaiters: Array<() => void> = []
  /** Set when the queue was taken away (rebalance) or the consumer stops; the pull loop ends. */
  #dropped = false
  /** Aborts the in-flight long poll, any back-off delay and any flow-control wait. */
  readonly abortController = new AbortController()

  constructor() {
    this.abortController.signal.addEventListener('abort', () => this.#wakeCapacityWaiters(), { once: true })
  }

  /** Number of messages pulled and not yet consumed. */
  get messageCount(): number {
    return this.#messages.size
  }

  /** Total body bytes of those messages. */
  get messageBytes(): number {
    return this.#bytes
  }

  /** Largest queue offset ever added, −1 if none. */
  get maxOffset(): number {
    return this.#maxOffset
  }

  get dropped(): boolean {
    return this.#dropped
  }

  /** Marks the queue dropped and aborts its pull loop. Idempotent. */
  drop(): void {
    if (this.#dropped) return
    this.#dropped = true
    this.abortController.abort(new DOMException('process queue dropped', 'AbortError'))
    this.#wakeCapacityWaiters()
  }

  /** Adds pulled messages (ascending offsets). Offsets already held are ignored. */
  putMessages(messages: readonly ConsumedMessage[]): void {
    for (const message of messages) {
      const offset = message.queueOffset
      if (this.#messages.has(offset)) continue
      if (offset < this.#maxOffset) this.#ascending = false
      this.#messages.set(offset, message)
      this.#bytes += message.body.length
      if (offset > this.#maxOffset) this.#maxOffset = offset
    }
  }

  /**
   * Removes consumed messages and returns the new consume offset: the smallest offset still held, else
   * maxOffset + 1. Returns −1 when nothing was ever added.
   */
  removeMessages(messages: readonly ConsumedMessage[]): number {
    for (const message of messages) {
      const held = this.#messages.get(message.queueOffset)
      if (held === undefined) continue
      this.#messages.delete(message.queueOffset)
      this.#bytes -= held.body.length
    }
    if (this.#capacityWaiters.length > 0) this.#wakeCapacityWaiters()
    return this.consumeOffset()
  }

  /** Current consume offset (see class doc); −1 when nothing was ever added. */
  consumeOffset(): number {
    if (this.#messages.size === 0) {
      this.#ascending = true
      return this.#maxOffset < 0 ? -1 : this.#maxOffset + 1
    }
    if (this.#ascending) return this.#messages.keys().next().value as number
    let min = Number.POSITIVE_INFINITY
    for (const offset of this.#messages.keys()) if (offset < min) min = offset
    return min
  }

  /**
   * Resolves once fewer than `maxCount` messages and `maxBytes` bytes are held (pull flow control),
   * or when the queue is dropped or its signal aborted. Returns undefined when there is room already.
   */
  waitForCapacity(maxCount: number, maxBytes: number): Promise<void> | undefined {
    const ready = (): boolean => this.#dropped || this.abortController.signal.aborted || (this.#messages.size < maxCount && this.#bytes < maxBytes)
    if (ready()) return undefined
    return new Promise<void>((resolve) => {
      const check = (): void => {
        if (ready()) resolve()
        else this.#capacityWaiters.push(check)
      }
      this.#capacityWaiters.push(check)
    })
  }

  #wakeCapacityWaiters(): void {
    const waiters = this.#capacityWaiters
    this.#capacityWaiters = []
    for (const waiter of waiters) waiter()
  }
}
