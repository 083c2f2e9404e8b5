/**
 * Consumer offsets kept on the broker (RocketMQ `RemoteBrokerOffsetStore`, CLUSTERING model, §7.5):
 * an in-memory table updated as messages are consumed, read from / written to the master of each queue's
 * broker with QUERY_CONSUMER_OFFSET (14) / UPDATE_CONSUMER_OFFSET (15).
 * Offsets mean "the next logical offset the group will consume".
 */
import { MQClientError, MixAll } from '@cometmq/protocol'
import { mqKey } from './message-queue.js'
import type { MQClientInstance } from './mq-client-instance.js'
import type { MessageQueue } from './types.js'

interface Entry {
  mq: MessageQueue
  offset: number
}

export class RemoteBrokerOffsetStore {
  readonly #table = new Map<string, Entry>()

  constructor(
    readonly instance: MQClientInstance,
    readonly consumerGroup: string,
  ) {}

  /**
   * Sets the in-memory offset of `mq`. With `increaseOnly` a smaller value is ignored.
   * Negative offsets are ignored.
   */
  updateOffset(mq: MessageQueue, offset: number, increaseOnly: boolean): void {
    if (offset < 0) return
    const key = mqKey(mq)
    const entry = this.#table.get(key)
    if (!entry) this.#table.set(key, { mq, offset })
    else if (!increaseOnly || offset > entry.offset) entry.offset = offset
  }

  /** In-memory offset of `mq`, −1 when unknown. */
  readOffset(mq: MessageQueue): number {
    return this.#table.get(mqKey(mq))?.offset ?? -1
  }

  /**
   * Committed offset from the broker (and caches it in memory).
   * @returns the offset, or −1 when the broker has none (QUERY_NOT_FOUND, 22).
   * @throws MQClientError BROKER_NOT_FOUND; network errors; MQBrokerError.
   */
  async fetchOffset(mq: MessageQueue): Promise<number> {
    const addr = await this.#masterAddr(mq)
    const offset = await this.instance.api.queryConsumerOffset(addr, { consumerGroup: this.consumerGroup, topic: mq.topic, queueId: mq.queueId })
    if (offset >= 0) this.updateOffset(mq, offset, false)
    return offset
  }

  /**
   * Writes the in-memory offset of `mq` to its broker (no-op when unknown).
   * @throws MQClientError BROKER_NOT_FOUND; network errors; MQBrokerError.
   */
  async persist(mq: MessageQueue): Promise<void> {
    if (!this.#table.has(mqKey(mq))) return
    const addr = await this.#masterAddr(mq)
    // Read the value only now (the address lookup may have waited for a route): whichever commit is sent last
    // carries the newest offset, so an older periodic commit can never be written after a newer one.
    const entry = this.#table.get(mqKey(mq))
    if (!entry) return
    await this.instance.api.updateConsumerOffset(addr, { consumerGroup: this.consumerGroup, topic: mq.topic, queueId: mq.queueId, commitOffset: entry.offset })
  }

  /** UPDATE_CONSUMER_OFFSET of an explicit value. */
  async commit(mq: MessageQueue, offset: number): Promise<void> {
    const addr = await this.#masterAddr(mq)
    await this.instance.api.updateConsumerOffset(addr, {
      consumerGroup: this.consumerGroup,
      topic: mq.topic,
      queueId: mq.queueId,
      commitOffset: offset,
    })
  }

  /**
   * Persists the offsets of `mqs` (the queues this consumer owns) in parallel and forgets the others.
   * Per-queue failures are logged, never thrown.
   */
  async persistAll(mqs: Iterable<MessageQueue>): Promise<void> {
    const keep = new Set<string>()
    const calls: Promise<void>[] = []
    for (const mq of mqs) {
      const key = mqKey(mq)
      keep.add(key)
      if (!this.#table.has(key)) continue
      calls.push(
        this.persist(mq).catch((error: unknown) => {
          this.instance.logger.warn('persist consumer offset failed', { consumerGroup: this.consumerGroup, topic: mq.topic, brokerName: mq.brokerName, queueId: mq.queueId, error: String(error) })
        }),
      )
    }
    await Promise.all(calls)
    for (const key of [...this.#table.keys()]) if (!keep.has(key)) this.#table.delete(key)
  }

  /** Forgets `mq`. */
  removeOffset(mq: MessageQueue): void {
    this.#table.delete(mqKey(mq))
  }

  async #masterAddr(mq: MessageQueue): Promise<string> {
    let found = this.instance.findBrokerAddressInSubscribe(mq.brokerName, MixAll.MASTER_ID, true)
    if (!found) {
      await this.instance.updateTopicRoute(mq.topic)
      found = this.instance.findBrokerAddressInSubscribe(mq.brokerName, MixAll.MASTER_ID, true)
    }
    if (!found) throw new MQClientError('BROKER_NOT_FOUND', `The broker[${mq.brokerName}] not exist`, true)
    return found.addr
  }
}
