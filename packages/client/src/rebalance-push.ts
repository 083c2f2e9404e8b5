/**
 * Client-side rebalance of a CLUSTERING push consumer (RocketMQ `RebalanceImpl.rebalanceByTopic` +
 * `RebalancePushImpl`, §7.12): per subscribed topic, mqAll = readable queues from the route sorted by
 * (topic, brokerName, queueId), cidAll = GET_CONSUMER_LIST_BY_GROUP from one broker sorted as strings, then the
 * allocation strategy. Queues no longer owned are dropped (pull loop aborted, offset committed and forgotten);
 * new queues start at computePullFromWhere.
 *
 * Runs are serialised: a request while a run is in progress schedules exactly one more run.
 */
import { MQClientError, MixAll } from '@cometmq/protocol'
import type { TopicRouteData } from '@cometmq/protocol'
import { mqKey, sortMessageQueues } from './message-queue.js'
import { ProcessQueue } from './process-queue.js'
import { runPullLoop } from './pull-loop.js'
import type { OwnedQueue, PushContext } from './push-context.js'
import { toSubscribeQueues } from './topic-route.js'
import type { MessageQueue } from './types.js'

/** `yyyyMMddHHmmss` (local time) → epoch ms. @throws RangeError on a malformed value. */
export function parseConsumeTimestamp(value: string): number {
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(value)
  if (!match) throw new RangeError(`consumeTimestamp must be yyyyMMddHHmmss, got "${value}"`)
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number]
  return new Date(y, mo - 1, d, h, mi, s).getTime()
}

/** Epoch ms → `yyyyMMddHHmmss` in local time (RocketMQ `UtilAll.timeMillisToHumanString3`). */
export function formatConsumeTimestamp(ms: number): string {
  const date = new Date(ms)
  const pad = (n: number): string => String(n).padStart(2, '0')
  return `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`
}

export class RebalancePush {
  /** topic → readable queues, from the latest route. */
  readonly topicSubscribeInfo = new Map<string, MessageQueue[]>()
  /** mqKey → owned queue. */
  readonly owned = new Map<string, OwnedQueue>()
  #running: Promise<void> | null = null
  #again = false
  #stopped = false

  constructor(readonly ctx: PushContext) {}

  updateTopicSubscribeInfo(topic: string, route: TopicRouteData): void {
    if (this.ctx.subscriptions.has(topic)) this.topicSubscribeInfo.set(topic, toSubscribeQueues(topic, route))
  }

  /** Queues currently owned. */
  ownedQueues(): MessageQueue[] {
    return [...this.owned.values()].map((entry) => entry.mq)
  }

  /** Starts a run now, or one more run after the current one. Resolves when that run has finished. */
  trigger(): Promise<void> {
    if (this.#stopped) return Promise.resolve()
    if (this.#running) {
      this.#again = true
      return this.#running
    }
    this.#running = (async () => {
      try {
        do {
          this.#again = false
          await this.#doRebalance()
        } while (this.#again && !this.#stopped)
      } finally {
        this.#running = null
      }
    })()
    return this.#running
  }

  /** Stops scheduling runs and waits for the current one. */
  async stop(): Promise<void> {
    this.#stopped = true
    await this.#running
  }

  async #doRebalance(): Promise<void> {
    const { ctx } = this
    for (const topic of ctx.subscriptions.keys()) {
      if (this.#stopped) return
      try {
        await this.#rebalanceByTopic(topic)
      } catch (error) {
        ctx.logger.warn('rebalance failed', { consumerGroup: ctx.config.consumerGroup, topic, error: String(error) })
      }
    }
    // Topics unsubscribed since the last run lose their queues.
    for (const entry of [...this.owned.values()]) {
      if (!ctx.subscriptions.has(entry.mq.topic)) await this.#removeQueue(entry)
    }
  }

  async #rebalanceByTopic(topic: string): Promise<void> {
    const { ctx } = this
    let mqSet = this.topicSubscribeInfo.get(topic)
    if (!mqSet) {
      await ctx.instance.updateTopicRoute(topic).catch(() => null)
      mqSet = this.topicSubscribeInfo.get(topic)
    }
    if (!mqSet) {
      if (!MixAll.isRetryTopic(topic)) ctx.logger.warn('no route for subscribed topic yet', { consumerGroup: ctx.config.consumerGroup, topic })
      return
    }
    const cidAll = await ctx.instance.findConsumerIdList(topic, ctx.config.consumerGroup)
    if (cidAll.length === 0) {
      ctx.logger.warn('no consumer ids for the group, skipping', { consumerGroup: ctx.config.consumerGroup, topic })
      return
    }
    const mqAll = sortMessageQueues(mqSet)
    const sortedCids = [...cidAll].sort()
    const allocated = ctx.config.allocateMessageQueueStrategy(ctx.config.consumerGroup, ctx.instance.clientId, mqAll, sortedCids)
    if (this.#stopped) return
    const changed = await this.#updateProcessQueueTable(topic, allocated)
    if (changed) {
      ctx.logger.info('rebalance changed owned queues', {
        consumerGroup: ctx.config.consumerGroup, topic, clientId: ctx.instance.clientId,
        consumers: sortedCids.length, queues: allocated.map((mq) => `${mq.brokerName}:${mq.queueId}`).join(','),
      })
    }
  }

  async #updateProcessQueueTable(topic: string, allocated: MessageQueue[]): Promise<boolean> {
    let changed = false
    const wanted = new Set(allocated.map(mqKey))
    for (const [key, entry] of [...this.owned]) {
      if (entry.mq.topic === topic && !wanted.has(key)) {
        await this.#removeQueue(entry)
        changed = true
      }
    }
    for (const mq of allocated) {
      const key = mqKey(mq)
      if (this.owned.has(key) || this.#stopped) continue
      this.ctx.offsetStore.removeOffset(mq)
      let offset: number
      try {
        offset = await this.computePullFromWhere(mq)
      } catch (error) {
        this.ctx.logger.warn('cannot compute the start offset, retrying at the next rebalance', { topic, brokerName: mq.brokerName, queueId: mq.queueId, error: String(error) })
        continue
      }
      if (this.#stopped || this.owned.has(key)) continue
      const pq = new ProcessQueue()
      const entry: OwnedQueue = { mq, pq, loop: Promise.resolve() }
      this.owned.set(key, entry)
      entry.loop = runPullLoop(this.ctx, mq, pq, offset)
      changed = true
    }
    return changed
  }

  /** Drops a queue: aborts its pull loop, commits its offset and forgets it. */
  async #removeQueue(entry: OwnedQueue): Promise<void> {
    const { ctx } = this
    const key = mqKey(entry.mq)
    if (this.owned.get(key) !== entry) return
    this.owned.delete(key)
    entry.pq.drop()
    await ctx.offsetStore.persist(entry.mq).catch((error: unknown) => {
      ctx.logger.warn('commit offset of a released queue failed', { topic: entry.mq.topic, queueId: entry.mq.queueId, error: String(error) })
    })
    ctx.offsetStore.removeOffset(entry.mq)
    await entry.loop
  }

  /**
   * Start offset of a newly owned queue (RocketMQ `RebalancePushImpl.computePullFromWhere`, §7.5):
   * the committed offset if any; else LAST → GET_MAX_OFFSET (retry topics 0), FIRST → 0,
   * TIMESTAMP → SEARCH_OFFSET_BY_TIMESTAMP(consumeTimestamp) (retry topics GET_MAX_OFFSET).
   * @throws network errors / MQBrokerError (the queue is then retried at the next rebalance).
   */
  async computePullFromWhere(mq: MessageQueue): Promise<number> {
    const { ctx } = this
    const committed = await ctx.offsetStore.fetchOffset(mq)
    if (committed >= 0) return committed
    const retry = MixAll.isRetryTopic(mq.topic)
    switch (ctx.config.consumeFromWhere) {
      case 'CONSUME_FROM_FIRST_OFFSET':
        return 0
      case 'CONSUME_FROM_TIMESTAMP': {
        const addr = await this.#masterAddr(mq)
        if (retry) return ctx.instance.api.getMaxOffset(addr, mq.topic, mq.queueId)
        return ctx.instance.api.searchOffset(addr, mq.topic, mq.queueId, parseConsumeTimestamp(ctx.config.consumeTimestamp))
      }
      default: {
        if (retry) return 0
        const addr = await this.#masterAddr(mq)
        return ctx.instance.api.getMaxOffset(addr, mq.topic, mq.queueId)
      }
    }
  }

  async #masterAddr(mq: MessageQueue): Promise<string> {
    let addr = this.ctx.instance.findBrokerAddressInPublish(mq.brokerName)
    if (addr === undefined) {
      await this.ctx.instance.updateTopicRoute(mq.topic)
      addr = this.ctx.instance.findBrokerAddressInPublish(mq.brokerName)
    }
    if (addr === undefined) throw new MQClientError('BROKER_NOT_FOUND', `The broker[${mq.brokerName}] not exist`, true)
    return addr
  }
}
