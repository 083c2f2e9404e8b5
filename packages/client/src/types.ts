/**
 * Public value types of @cometmq/client. Names and string values follow the RocketMQ Java client
 * (`org.apache.rocketmq.client.*`) so logs and docs read the same on both systems.
 */
import type { Logger, MessageExt } from '@cometmq/protocol'

/**
 * Options every client (Producer, PushConsumer, PullConsumer, Admin) accepts.
 */
export interface ClientOptions {
  /** Name servers: `'host:port;host:port'` or an array of `'host:port'`. Any one works; the client rotates on failure. */
  namesrvAddr: string | string[]
  /**
   * Instance name used in the client id `<clientIP>@<instanceName>`. Default (or `'DEFAULT'`): `<pid>#<hrtime ns>`,
   * as Java 4.9+ does, so every client object in a process gets its own id.
   */
  instanceName?: string
  /** IP advertised in the client id. Default: the first non-internal IPv4 address, else 127.0.0.1. */
  clientIP?: string
  /** Sink for log output. Default: a no-op logger. */
  logger?: Logger
  /** Timeout of ordinary RPCs (route lookups, heartbeats, offset calls), ms. Default 3000 (Java `mqClientApiTimeout`). */
  requestTimeoutMs?: number
  /** Route refresh period, ms. Default 30000 (Java `ClientConfig.pollNameServerInterval`). */
  pollNameServerInterval?: number
  /** Heartbeat period to every known broker, ms. Default 30000 (Java `ClientConfig.heartbeatBrokerInterval`). */
  heartbeatBrokerInterval?: number
}

/** A message to send. `body` strings are encoded as UTF-8. */
export interface MessageInput {
  topic: string
  body: Buffer | Uint8Array | string
  /** Single tag (property `TAGS`), used for broker-side filtering. */
  tags?: string
  /** Business keys (property `KEYS`, joined with a single space), indexed by the broker. */
  keys?: string | string[]
  /** User properties. Keys must not contain U+0001/U+0002. System keys (TAGS, KEYS, …) are overridden by the fields above. */
  properties?: Record<string, string>
  /** User flag stored with the message as-is (int32). Default 0. */
  flag?: number
  /** Delay level 1..18 (property `DELAY`; default levels 1s 5s 10s 30s 1m … 2h). 0/absent = deliver now. */
  delayTimeLevel?: number
}

/** The unit of load balancing: one queue of one topic on one broker (RocketMQ `MessageQueue`). */
export interface MessageQueue {
  topic: string
  brokerName: string
  queueId: number
}

/** RocketMQ `SendStatus`. Non-`SEND_OK` statuses mean the message is stored but flush/replication was not confirmed. */
export type SendStatus = 'SEND_OK' | 'FLUSH_DISK_TIMEOUT' | 'FLUSH_SLAVE_TIMEOUT' | 'SLAVE_NOT_AVAILABLE'

/** Result of a successful (stored) send. */
export interface SendResult {
  sendStatus: SendStatus
  /** Client message id (property `UNIQ_KEY`, §6.2); comma-joined for a batch. */
  msgId: string
  /** Broker offset message id (store host + commit-log offset, §6.1); comma-joined for a batch. */
  offsetMsgId: string
  /** The queue the message was written to. */
  messageQueue: MessageQueue
  /** Logical offset of the (first) message in its queue. */
  queueOffset: number
  /** Broker region (`MSG_REGION` response field), usually `DefaultRegion`. */
  regionId?: string
  /** Broker trace switch (`TRACE_ON` response field). */
  traceOn?: boolean
}

/** Picks the queue for a send from the topic's writable queues (RocketMQ `MessageQueueSelector`). */
export type MessageQueueSelector = (queues: MessageQueue[], message: MessageInput, arg: unknown) => MessageQueue

/** Per-send options. */
export interface SendOptions {
  /** Overall budget for the send including retries, ms. Default: the producer's `sendMsgTimeout` (3000). */
  timeoutMs?: number
  /** Aborts the send; the promise rejects with `signal.reason`. */
  signal?: AbortSignal
  /** Send to exactly this queue (single attempt, no retry). */
  messageQueue?: MessageQueue
  /** Choose the queue with this function (single attempt, no retry). */
  selector?: MessageQueueSelector
  /** Passed to `selector`. */
  arg?: unknown
}

/** Where a consumer group with no committed offset starts (RocketMQ `ConsumeFromWhere`). */
export type ConsumeFromWhere = 'CONSUME_FROM_LAST_OFFSET' | 'CONSUME_FROM_FIRST_OFFSET' | 'CONSUME_FROM_TIMESTAMP'

/** Listener verdict (RocketMQ `ConsumeConcurrentlyStatus`). */
export type ConsumeConcurrentlyStatus = 'CONSUME_SUCCESS' | 'RECONSUME_LATER'

/**
 * A consumed message: the decoded stored record plus convenience fields.
 * `body` is already inflated when the producer compressed it (the COMPRESSED sysFlag bit is then cleared).
 * For retry deliveries `topic` is the original topic (from property `RETRY_TOPIC`), as in Java.
 */
export interface ConsumedMessage extends MessageExt {
  /** `UNIQ_KEY` when present, else the offset message id. */
  msgId: string
  /** Offset message id (store host + commit-log offset). */
  offsetMsgId: string
  tags?: string
  keys?: string[]
  /** Broker the message was pulled from. */
  brokerName: string
}

/**
 * A message looked up by its offset message id (`Admin.viewMessage`): the stored record with the same convenience
 * fields and inflated body as a consumed message, but no broker name, and `topic` as stored (no retry-topic restore).
 */
export type ViewedMessage = Omit<ConsumedMessage, 'brokerName'>

/** Context handed to a push listener. */
export interface ConsumeContext {
  readonly messageQueue: MessageQueue
  /**
   * Delay level for redelivery after RECONSUME_LATER (RocketMQ `ConsumeConcurrentlyContext.delayLevelWhenNextConsume`):
   * 0 (default) lets the broker choose `3 + reconsumeTimes`; −1 sends straight to the DLQ; n > 0 uses level n.
   */
  delayLevelWhenNextConsume: number
}

/** Push listener. Returning nothing counts as CONSUME_SUCCESS; throwing counts as RECONSUME_LATER. */
export type MessageListener = (
  messages: ConsumedMessage[],
  context: ConsumeContext,
) => Promise<ConsumeConcurrentlyStatus | void> | ConsumeConcurrentlyStatus | void

/** RocketMQ `PullStatus`. */
export type PullStatus = 'FOUND' | 'NO_NEW_MSG' | 'NO_MATCHED_MSG' | 'OFFSET_ILLEGAL'

/** Result of one PULL_MESSAGE. Offsets are logical queue offsets. */
export interface PullResult {
  pullStatus: PullStatus
  nextBeginOffset: number
  minOffset: number
  maxOffset: number
  /** Messages that passed the client-side tag re-filter (empty unless FOUND). */
  messages: ConsumedMessage[]
  /** Broker id the broker suggests for the next pull (0 = master). */
  suggestWhichBrokerId: number
}
