/**
 * Push consumer, CLUSTERING model, concurrent listener (RocketMQ `DefaultMQPushConsumer`).
 *
 * ```ts
 * const consumer = new PushConsumer({ namesrvAddr: '127.0.0.1:9876', consumerGroup: 'CG' })
 * consumer.subscribe('TopicTest', 'TagA || TagB')
 * consumer.onMessage(async (messages) => { for (const m of messages) handle(m.body); return 'CONSUME_SUCCESS' })
 * await consumer.start()
 * // …
 * await consumer.shutdown()
 * ```
 */
import { MQClientError, MixAll, filterSubscription } from '@cometmq/protocol'
import type { ConsumerData, Logger, SubscriptionData } from '@cometmq/protocol'
import { allocateMessageQueueAveragely } from './allocate.js'
import type { AllocateMessageQueueStrategy } from './allocate.js'
import { ConsumeService } from './consume-service.js'
import { checkTopic } from './message-builder.js'
import type { ConsumerMember } from './mq-client-instance.js'
import { MQClientInstance, positive, resolveClientConfig } from './mq-client-instance.js'
import { RemoteBrokerOffsetStore } from './offset-store.js'
import { ProducerCore } from './producer-core.js'
import { checkGroup } from './producer.js'
import type { PushConsumerConfig, PushContext } from './push-context.js'
import { RebalancePush, formatConsumeTimestamp, parseConsumeTimestamp } from './rebalance-push.js'
import type { ClientOptions, ConsumeFromWhere, MessageListener, MessageQueue } from './types.js'

/** Push consumer options; defaults are RocketMQ `DefaultMQPushConsumer`'s. */
export interface PushConsumerOptions extends ClientOptions {
  consumerGroup: string
  /** Start position of a group with no committed offset. Default CONSUME_FROM_LAST_OFFSET. */
  consumeFromWhere?: ConsumeFromWhere
  /** `yyyyMMddHHmmss` (local time) for CONSUME_FROM_TIMESTAMP. Default: 30 minutes before construction. */
  consumeTimestamp?: string
  /** Only CLUSTERING is supported. */
  messageModel?: 'CLUSTERING'
  /** Messages per pull. Default 32. */
  pullBatchSize?: number
  /** Messages per listener call. Default 1. */
  consumeMessageBatchMaxSize?: number
  /** Redeliveries before the broker moves a message to `%DLQ%<group>`. Default 16. */
  maxReconsumeTimes?: number
  /** Listener calls in flight at most. Default 20. */
  consumeConcurrency?: number
  /** Offset commit period, ms. Default 5000. */
  persistConsumerOffsetInterval?: number
  /** Rebalance period, ms. Default 20000. */
  rebalanceInterval?: number
  /** Pulling of a queue pauses while it holds this many unconsumed messages. Default 1000. */
  pullThresholdForQueue?: number
  /** …or this many MiB of unconsumed bodies. Default 100. */
  pullThresholdSizeForQueue?: number
  /** Broker hold time of a long poll, ms. Default 15000. */
  suspendTimeoutMillis?: number
  /** Queue allocation strategy. Default AllocateMessageQueueAveragely. */
  allocateMessageQueueStrategy?: AllocateMessageQueueStrategy
  /** Share an existing client instance instead of creating one. */
  clientInstance?: MQClientInstance
}

const CONSUME_FROM: ReadonlySet<string> = new Set(['CONSUME_FROM_LAST_OFFSET', 'CONSUME_FROM_FIRST_OFFSET', 'CONSUME_FROM_TIMESTAMP'])

function positiveInt(value: number | undefined, fallback: number, name: string): number {
  const result = positive(value, fallback, name)
  if (!Number.isInteger(result)) throw new RangeError(`${name} must be an integer, got ${result}`)
  return result
}

export class PushConsumer {
  readonly #instance: MQClientInstance
  readonly #config: PushConsumerConfig
  readonly #logger: Logger
  readonly #subscriptions = new Map<string, SubscriptionData>()
  readonly #retryTopic: string
  readonly #ctx: PushContext
  readonly #member: ConsumerMember
  readonly #offsetStore: RemoteBrokerOffsetStore
  readonly #rebalance: RebalancePush
  readonly #consumeService: ConsumeService
  #listener: MessageListener | undefined
  #state: 'CREATED' | 'STARTING' | 'RUNNING' | 'STOPPING' | 'SHUTDOWN' = 'CREATED'
  #timers: NodeJS.Timeout[] = []
  #starting: Promise<void> | null = null
  #stopping: Promise<void> | null = null

  /** @throws TypeError / RangeError for invalid options. */
  constructor(options: PushConsumerOptions) {
    const clientConfig = resolveClientConfig(options)
    checkGroup(options.consumerGroup, 'consumerGroup')
    if (options.messageModel !== undefined && options.messageModel !== 'CLUSTERING') throw new TypeError('only messageModel CLUSTERING is supported')
    const consumeFromWhere = options.consumeFromWhere ?? 'CONSUME_FROM_LAST_OFFSET'
    if (!CONSUME_FROM.has(consumeFromWhere)) throw new TypeError(`unknown consumeFromWhere ${String(consumeFromWhere)}`)
    const consumeTimestamp = options.consumeTimestamp ?? formatConsumeTimestamp(Date.now() - 30 * 60 * 1000)
    parseConsumeTimestamp(consumeTimestamp)
    const maxReconsumeTimes = options.maxReconsumeTimes ?? 16
    if (!Number.isInteger(maxReconsumeTimes) || maxReconsumeTimes < 0) throw new RangeError('maxReconsumeTimes must be a non-negative integer')
    const suspendTimeoutMillis = positive(options.suspendTimeoutMillis, 15_000, 'suspendTimeoutMillis')
    this.#config = {
      consumerGroup: options.consumerGroup,
      consumeFromWhere,
      consumeTimestamp,
      pullBatchSize: positiveInt(options.pullBatchSize, 32, 'pullBatchSize'),
      consumeMessageBatchMaxSize: positiveInt(options.consumeMessageBatchMaxSize, 1, 'consumeMessageBatchMaxSize'),
      maxReconsumeTimes,
      consumeConcurrency: positiveInt(options.consumeConcurrency, 20, 'consumeConcurrency'),
      persistConsumerOffsetInterval: positive(options.persistConsumerOffsetInterval, 5000, 'persistConsumerOffsetInterval'),
      rebalanceInterval: positive(options.rebalanceInterval, 20_000, 'rebalanceInterval'),
      pullThresholdForQueue: positiveInt(options.pullThresholdForQueue, 1000, 'pullThresholdForQueue'),
      pullThresholdSizeForQueue: positive(options.pullThresholdSizeForQueue, 100, 'pullThresholdSizeForQueue'),
      suspendTimeoutMillis,
      pullTimeoutMs: Math.max(30_000, suspendTimeoutMillis + 15_000),
      pullTimeDelayMillsWhenException: 3000,
      consumeRetryLaterMillis: 5000,
      allocateMessageQueueStrategy: options.allocateMessageQueueStrategy ?? allocateMessageQueueAveragely,
    }
    const instance = options.clientInstance ?? new MQClientInstance(clientConfig)
    this.#instance = instance
    this.#logger = instance.logger
    this.#retryTopic = MixAll.getRetryTopic(options.consumerGroup)
    this.#offsetStore = new RemoteBrokerOffsetStore(instance, options.consumerGroup)
    const currentListener = (): MessageListener | undefined => this.#listener
    this.#ctx = {
      instance,
      config: this.#config,
      logger: this.#logger,
      offsetStore: this.#offsetStore,
      subscriptions: this.#subscriptions,
      retryTopic: this.#retryTopic,
      submitConsume: (messages, pq, mq) => this.#consumeService.submit(messages, pq, mq),
      get listener() {
        return currentListener()
      },
    }
    this.#rebalance = new RebalancePush(this.#ctx)
    const retryProducer = new ProducerCore(instance, {
      producerGroup: MixAll.CLIENT_INNER_PRODUCER_GROUP,
      sendMsgTimeout: 3000,
      retryTimesWhenSendFailed: 2,
      createTopicKey: MixAll.DEFAULT_TOPIC,
      defaultTopicQueueNums: 4,
      compressMsgBodyOverHowmuch: 4096,
      maxMessageSize: 4 * 1024 * 1024,
    })
    this.#consumeService = new ConsumeService(this.#ctx, retryProducer)
    this.#member = {
      group: options.consumerGroup,
      subscribeTopics: () => this.#subscriptions.keys(),
      updateTopicSubscribeInfo: (topic, route) => this.#rebalance.updateTopicSubscribeInfo(topic, route),
      consumerData: () => this.#consumerData(),
      rebalanceImmediately: () => {
        if (this.#state === 'RUNNING') this.#instance.track(this.#rebalance.trigger())
      },
    }
  }

  /** The consumer group. */
  get consumerGroup(): string {
    return this.#config.consumerGroup
  }

  /** This client's id (`ip@instanceName`), as listed by GET_CONSUMER_LIST_BY_GROUP. */
  get clientId(): string {
    return this.#instance.clientId
  }

  /**
   * Subscribes to `topic` with a TAG expression (`*`, `TagA`, `TagA || TagB`). May be called after start().
   * @throws TypeError for an invalid topic.
   */
  subscribe(topic: string, subExpression = '*'): void {
    try {
      checkTopic(topic)
    } catch (error) {
      throw new TypeError(`cannot subscribe: ${(error as Error).message}`)
    }
    const filter = filterSubscription(subExpression)
    this.#subscriptions.set(topic, { topic, subString: filter.subString, tagsSet: filter.tagsSet, codeSet: filter.codeSet, subVersion: Date.now(), expressionType: 'TAG', classFilterMode: false })
    if (this.#state === 'RUNNING') this.#refreshAfterSubscriptionChange([topic])
  }

  /** Stops consuming `topic` (its queues are released at the next rebalance, triggered now when running). */
  unsubscribe(topic: string): void {
    if (!this.#subscriptions.delete(topic)) return
    this.#rebalance.topicSubscribeInfo.delete(topic)
    if (this.#state === 'RUNNING') this.#refreshAfterSubscriptionChange([])
  }

  /** Sets the listener (one per consumer; a later call replaces it). */
  onMessage(listener: MessageListener): void {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function')
    this.#listener = listener
  }

  /** Queues this consumer owns right now (copies). */
  assignedMessageQueues(): MessageQueue[] {
    return this.#rebalance.ownedQueues().map((mq) => ({ ...mq }))
  }

  #consumerData(): ConsumerData {
    return {
      groupName: this.#config.consumerGroup,
      consumeType: 'CONSUME_PASSIVELY',
      messageModel: 'CLUSTERING',
      consumeFromWhere: this.#config.consumeFromWhere,
      subscriptionDataSet: [...this.#subscriptions.values()],
      unitMode: false,
    }
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Registers the group, fetches routes, heartbeats to every broker, runs the first rebalance (so owned queues
   * are pulling when this resolves), then rebalances every `rebalanceInterval` and commits offsets every
   * `persistConsumerOffsetInterval`. Unreachable servers are logged and retried by the timers, not thrown.
   * @throws MQClientError NOT_STARTED (state), NO_LISTENER, NO_SUBSCRIPTION, DUPLICATE_GROUP.
   */
  async start(): Promise<void> {
    if (this.#state !== 'CREATED') throw new MQClientError('NOT_STARTED', `The push consumer service state is ${this.#state}, maybe started once`)
    if (!this.#listener) throw new MQClientError('NO_LISTENER', 'call onMessage(listener) before start()')
    if (this.#subscriptions.size === 0) throw new MQClientError('NO_SUBSCRIPTION', 'call subscribe(topic, expression) before start()')
    this.#state = 'STARTING'
    this.#starting = this.#start()
    try {
      await this.#starting
    } finally {
      this.#starting = null
    }
  }

  async #start(): Promise<void> {
    const filter = filterSubscription('*')
    this.#subscriptions.set(this.#retryTopic, { topic: this.#retryTopic, subString: filter.subString, tagsSet: [], codeSet: [], subVersion: Date.now(), expressionType: 'TAG', classFilterMode: false })
    try {
      this.#instance.registerConsumer(this.#member)
    } catch (error) {
      this.#subscriptions.delete(this.#retryTopic)
      this.#state = 'CREATED'
      throw error
    }
    try {
      this.#instance.start()
    } catch (error) {
      await this.#instance.unregisterConsumer(this.consumerGroup)
      this.#state = 'SHUTDOWN'
      throw error
    }
    await this.#updateRoutes([...this.#subscriptions.keys()])
    await this.#instance.sendHeartbeatToAllBrokers()
    if (this.#state !== 'STARTING') return // shutdown() was called meanwhile
    this.#state = 'RUNNING'
    await this.#rebalance.trigger()
    this.#every(this.#config.rebalanceInterval, () => this.#rebalance.trigger())
    this.#every(this.#config.persistConsumerOffsetInterval, () => this.#offsetStore.persistAll(this.#rebalance.ownedQueues()))
    this.#logger.info('push consumer started', { consumerGroup: this.consumerGroup, clientId: this.clientId })
  }

  /**
   * Stops pulling (in-flight long polls are aborted; a pull answered from now on is discarded), starts no further
   * listener call, waits for the listener calls in flight, commits offsets (UPDATE_CONSUMER_OFFSET), unregisters the
   * group from every broker and releases the client instance. Idempotent.
   */
  shutdown(): Promise<void> {
    if (this.#state === 'CREATED') this.#state = 'SHUTDOWN'
    this.#stopping ??= this.#state === 'RUNNING' || this.#state === 'STARTING' ? this.#shutdown() : Promise.resolve()
    return this.#stopping
  }

  async #shutdown(): Promise<void> {
    const starting = this.#starting
    this.#state = 'STOPPING'
    // Stop at once (before any await): a pull answered from now on adds no messages and moves no offset, no new
    // listener call starts (queued batches are discarded, their messages stay uncommitted), and the rebalance is
    // stopped in the same tick, so a run in progress cannot start new pull loops.
    const rebalanceStopped = this.#rebalance.stop()
    this.#abortPulls()
    const listenersDone = this.#consumeService.shutdown()
    if (starting) await starting.catch(() => undefined)
    for (const timer of this.#timers) clearInterval(timer) // after start() finished: it may have added some
    this.#timers = []
    await rebalanceStopped
    const owned = [...this.#rebalance.owned.values()]
    this.#abortPulls()
    await Promise.all(owned.map((entry) => entry.loop))
    await listenersDone // in-flight listener calls still update the offsets
    await this.#offsetStore.persistAll(owned.map((entry) => entry.mq))
    for (const entry of owned) entry.pq.drop()
    this.#rebalance.owned.clear()
    await this.#instance.unregisterConsumer(this.consumerGroup)
    await this.#instance.shutdown()
    this.#state = 'SHUTDOWN'
    this.#logger.info('push consumer shut down', { consumerGroup: this.consumerGroup, clientId: this.clientId })
  }

  #abortPulls(): void {
    for (const entry of this.#rebalance.owned.values()) {
      if (!entry.pq.abortController.signal.aborted) entry.pq.abortController.abort(new DOMException('consumer shutting down', 'AbortError'))
    }
  }

  #every(ms: number, task: () => Promise<unknown>): void {
    const timer = setInterval(() => {
      if (this.#state === 'RUNNING') this.#instance.track(task())
    }, ms)
    timer.unref()
    this.#timers.push(timer)
  }

  async #updateRoutes(topics: string[]): Promise<void> {
    await Promise.all(
      topics.map((topic) =>
        this.#instance.updateTopicRoute(topic).catch((error: unknown) => {
          this.#logger.warn('route lookup failed', { topic, error: String(error) })
        }),
      ),
    )
  }

  #refreshAfterSubscriptionChange(topics: string[]): void {
    this.#instance.track(
      (async () => {
        await this.#updateRoutes(topics)
        await this.#instance.sendHeartbeatToAllBrokers()
        await this.#rebalance.trigger()
      })(),
    )
  }
}
