/**
 * Pull consumer: the application chooses queues and offsets (RocketMQ `DefaultMQPullConsumer`, simplified).
 *
 * ```ts
 * const consumer = new PullConsumer({ namesrvAddr: '127.0.0.1:9876', consumerGroup: 'CG' })
 * await consumer.start()
 * const [mq] = await consumer.fetchSubscribeMessageQueues('TopicTest')
 * const result = await consumer.pull(mq, '*', 0, 32)   // { pullStatus, nextBeginOffset, messages, … }
 * await consumer.updateConsumeOffset(mq, result.nextBeginOffset)
 * await consumer.shutdown()
 * ```
 */
import { MQClientError, MixAll, PullSysFlag, filterSubscription } from '@cometmq/protocol'
import type { ConsumerData, SubscriptionData } from '@cometmq/protocol'
import { throwIfAborted } from './abort.js'
import { copyMessageQueue } from './message-queue.js'
import type { ConsumerMember } from './mq-client-instance.js'
import { MQClientInstance, positive, resolveClientConfig } from './mq-client-instance.js'
import { RemoteBrokerOffsetStore } from './offset-store.js'
import { checkGroup } from './producer.js'
import { processPullBody } from './pull-result.js'
import { toSubscribeQueues } from './topic-route.js'
import type { ClientOptions, MessageQueue, PullResult } from './types.js'

export interface PullConsumerOptions extends ClientOptions {
  consumerGroup: string
  /** RPC timeout of a non-blocking pull, ms. Default 10000 (Java `consumerPullTimeoutMillis`). */
  consumerPullTimeoutMillis?: number
  /** Share an existing client instance instead of creating one. */
  clientInstance?: MQClientInstance
}

/** Per-pull options. */
export interface PullOptions {
  signal?: AbortSignal
  /** RPC timeout, ms. Default `consumerPullTimeoutMillis`, or suspend + 10000 for a blocking pull. */
  timeoutMs?: number
  /** > 0: long poll — the broker holds the request up to this many ms when nothing is available (Java pullBlockIfNotFound uses 20000). */
  suspendTimeoutMillis?: number
}

export class PullConsumer {
  readonly #instance: MQClientInstance
  readonly #group: string
  readonly #pullTimeoutMs: number
  readonly #offsetStore: RemoteBrokerOffsetStore
  readonly #subscriptions = new Map<string, SubscriptionData>()
  readonly #member: ConsumerMember
  #state: 'CREATED' | 'RUNNING' | 'SHUTDOWN' = 'CREATED'

  /** @throws TypeError / RangeError for invalid options. */
  constructor(options: PullConsumerOptions) {
    const config = resolveClientConfig(options)
    checkGroup(options.consumerGroup, 'consumerGroup')
    this.#group = options.consumerGroup
    this.#pullTimeoutMs = positive(options.consumerPullTimeoutMillis, 10_000, 'consumerPullTimeoutMillis')
    this.#instance = options.clientInstance ?? new MQClientInstance(config)
    this.#offsetStore = new RemoteBrokerOffsetStore(this.#instance, this.#group)
    this.#member = {
      group: this.#group,
      subscribeTopics: () => this.#subscriptions.keys(),
      updateTopicSubscribeInfo: () => undefined,
      consumerData: (): ConsumerData => ({
        groupName: this.#group,
        consumeType: 'CONSUME_ACTIVELY',
        messageModel: 'CLUSTERING',
        consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
        subscriptionDataSet: [...this.#subscriptions.values()],
        unitMode: false,
      }),
      rebalanceImmediately: () => undefined,
    }
  }

  get consumerGroup(): string {
    return this.#group
  }

  /** @throws MQClientError NOT_STARTED (already started/shut down), DUPLICATE_GROUP. */
  async start(): Promise<void> {
    if (this.#state !== 'CREATED') throw new MQClientError('NOT_STARTED', `The pull consumer service state is ${this.#state}, maybe started once`)
    this.#instance.registerConsumer(this.#member)
    this.#instance.start()
    this.#state = 'RUNNING'
  }

  /** Unregisters the group and releases the client instance. Idempotent. */
  async shutdown(): Promise<void> {
    if (this.#state !== 'RUNNING') {
      this.#state = 'SHUTDOWN'
      return
    }
    this.#state = 'SHUTDOWN'
    await this.#instance.unregisterConsumer(this.#group)
    await this.#instance.shutdown()
  }

  /**
   * Readable queues of `topic` from a fresh route lookup.
   * @throws MQClientError NOT_STARTED | NO_ROUTE; network errors.
   */
  async fetchSubscribeMessageQueues(topic: string): Promise<MessageQueue[]> {
    this.#assertRunning()
    const route = await this.#instance.updateTopicRoute(topic)
    const queues = route ? toSubscribeQueues(topic, route) : []
    if (queues.length === 0) throw new MQClientError('NO_ROUTE', `Can not find Message Queue for this topic, ${topic}`)
    return queues
  }

  /**
   * One PULL_MESSAGE from `offset` (sysFlag SUBSCRIPTION, + SUSPEND with `suspendTimeoutMillis`). Messages are
   * re-filtered by tag and inflated; the consume offset is not changed (see updateConsumeOffset).
   * @returns PullResult — FOUND / NO_NEW_MSG / NO_MATCHED_MSG / OFFSET_ILLEGAL with nextBeginOffset.
   * @throws MQClientError NOT_STARTED | BROKER_NOT_FOUND; MQBrokerError (other codes); network errors; `signal.reason`.
   */
  async pull(mq: MessageQueue, subExpression: string, offset: number, maxNums: number, options?: PullOptions): Promise<PullResult> {
    this.#assertRunning()
    throwIfAborted(options?.signal)
    if (!Number.isInteger(offset) || offset < 0) throw new RangeError(`offset must be a non-negative integer, got ${offset}`)
    if (!Number.isInteger(maxNums) || maxNums <= 0) throw new RangeError(`maxNums must be a positive integer, got ${maxNums}`)
    const filter = filterSubscription(subExpression)
    let subscription = this.#subscriptions.get(mq.topic)
    if (!subscription || subscription.subString !== filter.subString) {
      subscription = { topic: mq.topic, subString: filter.subString, tagsSet: filter.tagsSet, codeSet: filter.codeSet, subVersion: Date.now(), expressionType: 'TAG', classFilterMode: false }
      this.#subscriptions.set(mq.topic, subscription)
    }
    let target = this.#instance.findBrokerAddressInSubscribe(mq.brokerName, MixAll.MASTER_ID, false)
    if (!target) {
      await this.#instance.updateTopicRoute(mq.topic)
      target = this.#instance.findBrokerAddressInSubscribe(mq.brokerName, MixAll.MASTER_ID, false)
    }
    if (!target) throw new MQClientError('BROKER_NOT_FOUND', `The broker[${mq.brokerName}] not exist`, true)
    const suspend = options?.suspendTimeoutMillis ?? 0
    const timeoutMs = options?.timeoutMs ?? (suspend > 0 ? suspend + 10_000 : this.#pullTimeoutMs)
    const raw = await this.#instance.api.pullMessage(
      target.addr,
      {
        consumerGroup: this.#group,
        topic: mq.topic,
        queueId: mq.queueId,
        queueOffset: offset,
        maxMsgNums: maxNums,
        sysFlag: PullSysFlag.buildSysFlag(false, suspend > 0, true, false),
        commitOffset: 0,
        suspendTimeoutMillis: suspend,
        subscription: subscription.subString,
        subVersion: subscription.subVersion,
        expressionType: 'TAG',
      },
      options?.signal ? { timeoutMs, signal: options.signal } : { timeoutMs },
    )
    return {
      pullStatus: raw.pullStatus,
      nextBeginOffset: raw.nextBeginOffset,
      minOffset: raw.minOffset,
      maxOffset: raw.maxOffset,
      suggestWhichBrokerId: raw.suggestWhichBrokerId,
      messages: processPullBody(raw.body, mq.brokerName, subscription, this.#instance.logger),
    }
  }

  /**
   * Commits `offset` (the next offset to consume) for this group with UPDATE_CONSUMER_OFFSET.
   * @throws MQClientError NOT_STARTED | BROKER_NOT_FOUND; MQBrokerError; network errors.
   */
  async updateConsumeOffset(mq: MessageQueue, offset: number): Promise<void> {
    this.#assertRunning()
    await this.#offsetStore.commit(copyMessageQueue(mq), offset)
  }

  /**
   * Committed offset of this group, −1 when none (QUERY_NOT_FOUND).
   * @throws MQClientError NOT_STARTED | BROKER_NOT_FOUND; MQBrokerError; network errors.
   */
  async queryConsumerOffset(mq: MessageQueue): Promise<number> {
    this.#assertRunning()
    return this.#offsetStore.fetchOffset(copyMessageQueue(mq))
  }

  #assertRunning(): void {
    if (this.#state !== 'RUNNING') throw new MQClientError('NOT_STARTED', `The pull consumer service state not OK (${this.#state}); call start() first`)
  }
}
