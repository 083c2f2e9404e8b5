/**
 * Producer (RocketMQ `DefaultMQProducer`, synchronous send).
 *
 * ```ts
 * const producer = new Producer({ namesrvAddr: '127.0.0.1:9876', producerGroup: 'PG' })
 * await producer.start()
 * const result = await producer.send({ topic: 'TopicTest', tags: 'TagA', keys: 'order-1', body: 'hello' })
 * await producer.shutdown()
 * ```
 */
import { MQClientError } from '@cometmq/protocol'
import { MQClientInstance, positive, resolveClientConfig } from './mq-client-instance.js'
import { ProducerCore } from './producer-core.js'
import type { ProducerConfig } from './producer-core.js'
import type { ClientOptions, MessageInput, MessageQueue, SendOptions, SendResult } from './types.js'

/** Producer options; defaults are RocketMQ `DefaultMQProducer`'s. */
export interface ProducerOptions extends ClientOptions {
  /** Producer group (required; `[A-Za-z0-9%_|-]`, ≤ 255 chars). */
  producerGroup: string
  /** Overall send budget including retries, ms. Default 3000. */
  sendMsgTimeout?: number
  /** Extra attempts after a failed send. Default 2. */
  retryTimesWhenSendFailed?: number
  /** Auto-create template topic. Default `TBW102`. */
  createTopicKey?: string
  /** Queue count requested when the broker auto-creates a topic. Default 4. */
  defaultTopicQueueNums?: number
  /** Bodies of at least this many bytes are zlib-compressed (sysFlag bit 0). Default 4096. */
  compressMsgBodyOverHowmuch?: number
  /** Max body size in bytes (checked before compression). Default 4194304 (4 MiB). */
  maxMessageSize?: number
  /** Share an existing client instance (its clientId, connections and timers) instead of creating one. */
  clientInstance?: MQClientInstance
}

const GROUP_RULE = /^[%|a-zA-Z0-9_-]+$/

/** @throws TypeError when `group` is not a legal RocketMQ group name. */
export function checkGroup(group: unknown, what: string): asserts group is string {
  if (typeof group !== 'string' || group.trim() === '') throw new TypeError(`${what} is required`)
  if (!GROUP_RULE.test(group)) throw new TypeError(`${what} "${group}" contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$`)
  if (group.length > 255) throw new TypeError(`${what} is longer than 255 chars`)
}

export class Producer {
  readonly #instance: MQClientInstance
  readonly #core: ProducerCore
  #state: 'CREATED' | 'STARTING' | 'RUNNING' | 'SHUTDOWN' = 'CREATED'

  /** @throws TypeError / RangeError for invalid options. */
  constructor(options: ProducerOptions) {
    const config = resolveClientConfig(options)
    checkGroup(options.producerGroup, 'producerGroup')
    const retries = options.retryTimesWhenSendFailed ?? 2
    if (!Number.isInteger(retries) || retries < 0) throw new RangeError('retryTimesWhenSendFailed must be a non-negative integer')
    const producerConfig: ProducerConfig = {
      producerGroup: options.producerGroup,
      sendMsgTimeout: positive(options.sendMsgTimeout, 3000, 'sendMsgTimeout'),
      retryTimesWhenSendFailed: retries,
      createTopicKey: options.createTopicKey ?? 'TBW102',
      defaultTopicQueueNums: positive(options.defaultTopicQueueNums, 4, 'defaultTopicQueueNums'),
      compressMsgBodyOverHowmuch: positive(options.compressMsgBodyOverHowmuch, 4096, 'compressMsgBodyOverHowmuch'),
      maxMessageSize: positive(options.maxMessageSize, 4 * 1024 * 1024, 'maxMessageSize'),
    }
    this.#instance = options.clientInstance ?? new MQClientInstance(config)
    this.#core = new ProducerCore(this.#instance, producerConfig)
  }

  /** This client's id (`ip@instanceName`). */
  get clientId(): string {
    return this.#instance.clientId
  }

  /** The group this producer sends as. */
  get producerGroup(): string {
    return this.#core.group
  }

  /**
   * Registers the group and starts the shared client instance (route refresh, heartbeats). No network I/O
   * happens here; the first send looks the topic up.
   * @throws MQClientError NOT_STARTED if already started or shut down; DUPLICATE_GROUP if the instance has this group.
   */
  async start(): Promise<void> {
    if (this.#state !== 'CREATED') throw new MQClientError('NOT_STARTED', `The producer service state is ${this.#state}, maybe started once`)
    this.#state = 'STARTING'
    try {
      this.#instance.registerProducer(this.#core)
      this.#instance.start()
    } catch (error) {
      this.#state = 'CREATED'
      throw error
    }
    this.#state = 'RUNNING'
  }

  /** Unregisters the group from every broker and releases the client instance. Idempotent. */
  async shutdown(): Promise<void> {
    if (this.#state !== 'RUNNING') {
      this.#state = 'SHUTDOWN'
      return
    }
    this.#state = 'SHUTDOWN'
    await this.#instance.unregisterProducer(this.#core.group)
    await this.#instance.shutdown()
  }

  /**
   * Sends one message and waits for the broker (RocketMQ sync send). See `ProducerCore.send` for retry rules.
   * @returns SendResult (`sendStatus` may be FLUSH_DISK_TIMEOUT / FLUSH_SLAVE_TIMEOUT / SLAVE_NOT_AVAILABLE: stored, not confirmed).
   * @throws MQClientError NOT_STARTED | MESSAGE_ILLEGAL | NO_ROUTE | BROKER_NOT_FOUND | SEND_TIMEOUT;
   *   MQBrokerError (`responseCode`, `remark`, `brokerAddr`); RemotingConnectError / RemotingTimeoutError /
   *   RemotingSendRequestError after the last attempt; `options.signal.reason` when aborted.
   */
  send(message: MessageInput, options?: SendOptions): Promise<SendResult> {
    if (this.#state !== 'RUNNING') return Promise.reject(this.#notRunning())
    return this.#core.send(message, options)
  }

  /**
   * Sends several messages of one topic in one SEND_BATCH_MESSAGE request (no compression, no delay levels).
   * @returns one SendResult whose `msgId`/`offsetMsgId` are comma-joined; same errors as `send`.
   */
  sendBatch(messages: MessageInput[], options?: Omit<SendOptions, 'selector' | 'arg'>): Promise<SendResult> {
    if (this.#state !== 'RUNNING') return Promise.reject(this.#notRunning())
    return this.#core.sendBatch(messages, options)
  }

  /**
   * Writable queues of `topic` (from the cached route, else a lookup with the TBW102 fallback).
   * @throws MQClientError NOT_STARTED | NO_ROUTE.
   */
  fetchPublishMessageQueues(topic: string, options?: { signal?: AbortSignal }): Promise<MessageQueue[]> {
    if (this.#state !== 'RUNNING') return Promise.reject(this.#notRunning())
    return this.#core.fetchPublishMessageQueues(topic, options?.signal)
  }

  #notRunning(): MQClientError {
    return new MQClientError('NOT_STARTED', `The producer service state not OK (${this.#state}); call start() first`)
  }
}
