/**
 * Internal state shared by the parts of a push consumer (rebalance, pull loops, consume service).
 */
import type { Logger, SubscriptionData } from '@cometmq/protocol'
import type { AllocateMessageQueueStrategy } from './allocate.js'
import type { MQClientInstance } from './mq-client-instance.js'
import type { RemoteBrokerOffsetStore } from './offset-store.js'
import type { ProcessQueue } from './process-queue.js'
import type { ConsumeFromWhere, ConsumedMessage, MessageListener, MessageQueue } from './types.js'

/** Resolved push consumer settings. Defaults from RocketMQ `DefaultMQPushConsumer` / `DefaultMQPushConsumerImpl`. */
export interface PushConsumerConfig {
  consumerGroup: string
  consumeFromWhere: ConsumeFromWhere
  /** `yyyyMMddHHmmss` local time, used by CONSUME_FROM_TIMESTAMP (default: 30 minutes before start). */
  consumeTimestamp: string
  /** Messages per PULL_MESSAGE (32). */
  pullBatchSize: number
  /** Messages per listener call (1). */
  consumeMessageBatchMaxSize: number
  /** Broker moves a message to the DLQ after this many redeliveries (16). */
  maxReconsumeTimes: number
  /** Listener calls in flight at most (20, Java `consumeThreadMax`). */
  consumeConcurrency: number
  /** Offset commit period, ms (5000). */
  persistConsumerOffsetInterval: number
  /** Rebalance period, ms (20000). */
  rebalanceInterval: number
  /** Pull pauses while a queue holds this many unconsumed messages (1000). */
  pullThresholdForQueue: number
  /** …or this many body MiB (100). */
  pullThresholdSizeForQueue: number
  /** Broker hold time of a long poll, ms (15000, Java BROKER_SUSPEND_MAX_TIME_MILLIS). */
  suspendTimeoutMillis: number
  /** RPC timeout of a long poll, ms (30000, Java CONSUMER_TIMEOUT_MILLIS_WHEN_SUSPEND). */
  pullTimeoutMs: number
  /** Back-off after a failed pull, ms (3000, Java pullTimeDelayMillsWhenException). */
  pullTimeDelayMillsWhenException: number
  /** Re-consume delay when a failed message could not be sent back, ms (5000). */
  consumeRetryLaterMillis: number
  allocateMessageQueueStrategy: AllocateMessageQueueStrategy
}

/** One owned queue. */
export interface OwnedQueue {
  mq: MessageQueue
  pq: ProcessQueue
  /** The running pull loop; resolves when it stops. */
  loop: Promise<void>
}

/** What the pull loop needs from its consumer. */
export interface PushContext {
  readonly instance: MQClientInstance
  readonly config: PushConsumerConfig
  readonly logger: Logger
  readonly offsetStore: RemoteBrokerOffsetStore
  /** topic → subscription (includes `%RETRY%<group>` with `*`). */
  readonly subscriptions: Map<string, SubscriptionData>
  /** `%RETRY%<group>`. */
  readonly retryTopic: string
  /** Hands pulled messages to the consume service. */
  submitConsume(messages: ConsumedMessage[], pq: ProcessQueue, mq: MessageQueue): void
  /** The listener, once set. */
  readonly listener: MessageListener | undefined
}
