/**
 * The send path shared by `Producer` and a push consumer's internal retry producer
 * (RocketMQ `DefaultMQProducerImpl.sendDefaultImpl` / `sendKernelImpl` / `tryToFindTopicPublishInfo`).
 *
 * Route lookup: cached TopicPublishInfo (no I/O) → GET_ROUTEINFO_BY_TOPIC(topic) → on TOPIC_NOT_EXIST the route of
 * `createTopicKey` (TBW102) with queue count min(defaultTopicQueueNums, readQueueNums); the broker then auto-creates.
 */
import {
  MQBrokerError,
  MQClientError,
  MQError,
  RequestCode,
  ResponseCode,
  SendMessageResponseHeader,
  createRequest,
  encodeBatchMessages,
  responseCodeName,
} from '@cometmq/protocol'
import type { RemotingCommand, SendMessageRequestHeaderV2Type, TopicRouteData } from '@cometmq/protocol'
import { isAbortedBy, raceAbort, throwIfAborted } from './abort.js'
import { checkTopic, prepareMessage } from './message-builder.js'
import type { PreparedMessage } from './message-builder.js'
import { copyMessageQueue } from './message-queue.js'
import type { MQClientInstance, ProducerMember } from './mq-client-instance.js'
import { TopicPublishInfo, adaptDefaultTopicRoute, toTopicPublishInfo } from './topic-route.js'
import type { MessageInput, MessageQueue, SendOptions, SendResult, SendStatus } from './types.js'

/** Resolved producer settings (defaults from RocketMQ `DefaultMQProducer`). */
export interface ProducerConfig {
  producerGroup: string
  /** Overall send budget, ms (3000). */
  sendMsgTimeout: number
  /** Extra attempts after a failed sync send (2). */
  retryTimesWhenSendFailed: number
  /** Auto-create template topic (TBW102). */
  createTopicKey: string
  /** Queue count asked for on auto-create (4). */
  defaultTopicQueueNums: number
  /** Compress bodies of at least this many bytes (4096). */
  compressMsgBodyOverHowmuch: number
  /** Max body bytes (4 MiB). */
  maxMessageSize: number
}

const SEND_STATUS: Record<number, SendStatus> = {
  [ResponseCode.SUCCESS]: 'SEND_OK',
  [ResponseCode.FLUSH_DISK_TIMEOUT]: 'FLUSH_DISK_TIMEOUT',
  [ResponseCode.FLUSH_SLAVE_TIMEOUT]: 'FLUSH_SLAVE_TIMEOUT',
  [ResponseCode.SLAVE_NOT_AVAILABLE]: 'SLAVE_NOT_AVAILABLE',
}

export class ProducerCore implements ProducerMember {
  readonly #publishTable = new Map<string, TopicPublishInfo>()
  readonly #lookups = new Map<string, Promise<TopicPublishInfo>>()

  constructor(
    readonly instance: MQClientInstance,
    readonly config: ProducerConfig,
  ) {}

  get group(): string {
    return this.config.producerGroup
  }

  publishTopics(): Iterable<string> {
    return this.#publishTable.keys()
  }

  updateTopicPublishInfo(topic: string, route: TopicRouteData): void {
    if (!this.#publishTable.has(topic)) return
    const info = toTopicPublishInfo(topic, route)
    if (info.ok) this.#publishTable.set(topic, info)
  }

  /**
   * Writable queues of `topic` (looked up if not cached, with the TBW102 fallback).
   * @throws MQClientError NO_ROUTE when neither the topic nor the template topic has a route.
   */
  async fetchPublishMessageQueues(topic: string, signal?: AbortSignal): Promise<MessageQueue[]> {
    return (await this.#publishInfo(topic, signal)).messageQueues.map(copyMessageQueue)
  }

  /** Publish info from the cache, else from a (deduplicated) lookup. */
  #publishInfo(topic: string, signal?: AbortSignal): TopicPublishInfo | Promise<TopicPublishInfo> {
    const cached = this.#publishTable.get(topic)
    if (cached?.ok) return cached
    let lookup = this.#lookups.get(topic)
    if (!lookup) {
      lookup = this.#lookup(topic).finally(() => this.#lookups.delete(topic))
      this.#lookups.set(topic, lookup)
    }
    return raceAbort(lookup, signal)
  }

  async #lookup(topic: string): Promise<TopicPublishInfo> {
    if (!this.#publishTable.has(topic)) this.#publishTable.set(topic, new TopicPublishInfo(topic, [], false))
    try {
      const route = await this.instance.updateTopicRoute(topic)
      if (route) {
        const info = toTopicPublishInfo(topic, route)
        if (info.ok) {
          this.#publishTable.set(topic, info)
          return info
        }
      }
      const template = await this.instance.api.getTopicRouteInfo(this.config.createTopicKey)
      if (template) {
        const adapted = adaptDefaultTopicRoute(template, this.config.defaultTopicQueueNums)
        this.instance.mergeBrokerAddrs(adapted)
        const info = toTopicPublishInfo(topic, adapted)
        if (info.ok) {
          this.instance.logger.info('topic has no route yet, sending via the auto-create template', { topic, defaultTopic: this.config.createTopicKey })
          this.#publishTable.set(topic, info)
          return info
        }
      }
    } catch (error) {
      throw new MQClientError('NO_ROUTE', `No route info of this topic: ${topic} (${String(error)})`, MQError.isInstance(error) && error.retriable, { cause: error })
    }
    throw new MQClientError('NO_ROUTE', `No route info of this topic: ${topic}, and no route for the auto-create topic ${this.config.createTopicKey}`)
  }

  /**
   * Sends one message synchronously (waits for the broker's answer).
   * Default path: round-robin queue, up to 1 + retryTimesWhenSendFailed attempts within `timeoutMs`, a retry
   * prefers another broker; retried on network errors and retriable response codes (17, 14, 1, 2, 16, 204, 205, 1500).
   * With `messageQueue` or `selector`: exactly one attempt on that queue.
   * @returns SendResult; codes 10/11/12 give non-OK statuses (message stored) without throwing.
   * @throws MQClientError MESSAGE_ILLEGAL (validation), NO_ROUTE, BROKER_NOT_FOUND, SEND_TIMEOUT (budget used up);
   *   MQBrokerError (other response codes; `responseCode`, `remark`, `brokerAddr`); Remoting*Error; `signal.reason`.
   */
  async send(message: MessageInput, options?: SendOptions): Promise<SendResult> {
    const signal = options?.signal
    throwIfAborted(signal)
    const begin = Date.now()
    const timeoutMs = options?.timeoutMs ?? this.config.sendMsgTimeout
    const prepared = prepareMessage(message, this.config)
    const infoOrPromise = this.#publishInfo(prepared.topic, signal)
    const info = infoOrPromise instanceof TopicPublishInfo ? infoOrPromise : await infoOrPromise

    if (options?.messageQueue || options?.selector) {
      let mq: MessageQueue
      if (options.messageQueue) {
        mq = options.messageQueue
      } else {
        mq = (options.selector as NonNullable<SendOptions['selector']>)(info.messageQueues.map(copyMessageQueue), message, options.arg)
        if (!mq || typeof mq.brokerName !== 'string') throw new MQClientError('MESSAGE_ILLEGAL', 'select message queue returned no queue')
      }
      if (mq.topic !== prepared.topic) {
        throw new MQClientError('MESSAGE_ILLEGAL', `message's topic ${prepared.topic} not equal mq's topic ${mq.topic}`)
      }
      return this.#sendKernel(mq, prepared, false, this.#remaining(begin, timeoutMs, undefined), signal)
    }

    return this.#sendWithRetry(info, prepared, false, begin, timeoutMs, signal)
  }

  /**
   * Sends messages of one topic as one SEND_BATCH_MESSAGE (320), same retry rules as `send`. Bodies are not
   * compressed; delayed and retry-topic messages are rejected (RocketMQ `DefaultMQProducer.batch`).
   * @returns one SendResult: `msgId` / `offsetMsgId` comma-joined, `queueOffset` of the first message.
   */
  async sendBatch(messages: MessageInput[], options?: Omit<SendOptions, 'selector' | 'arg'>): Promise<SendResult> {
    if (!Array.isArray(messages) || messages.length === 0) throw new MQClientError('MESSAGE_ILLEGAL', 'the batch is empty')
    const topic = messages[0]?.topic as string
    checkTopic(topic)
    const prepared: PreparedMessage[] = []
    let total = 0
    for (const message of messages) {
      if (message.topic !== topic) throw new MQClientError('MESSAGE_ILLEGAL', 'The topic of the messages in one batch should be the same')
      if (message.delayTimeLevel) throw new MQClientError('MESSAGE_ILLEGAL', 'TimeDelayLevel is not supported for batching')
      if (topic.startsWith('%RETRY%')) throw new MQClientError('MESSAGE_ILLEGAL', 'Retry Group is not supported for batching')
      const one = prepareMessage(message, this.config, false)
      total += one.body.length
      prepared.push(one)
    }
    if (total > this.config.maxMessageSize) {
      throw new MQClientError('MESSAGE_ILLEGAL', `the batch body size over max value, MAX: ${this.config.maxMessageSize}, got ${total}`)
    }
    const body = encodeBatchMessages(prepared.map((m) => ({ flag: m.flag, body: m.body, properties: m.propertyMap })))
    const batch: PreparedMessage = {
      topic,
      body,
      flag: 0,
      sysFlag: 0,
      properties: '',
      propertyMap: {},
      uniqKey: prepared.map((m) => m.uniqKey).join(','),
    }
    return this.#sendPrepared(batch, true, options)
  }

  async #sendPrepared(prepared: PreparedMessage, batch: boolean, options?: Omit<SendOptions, 'selector' | 'arg'>): Promise<SendResult> {
    const signal = options?.signal
    throwIfAborted(signal)
    const begin = Date.now()
    const timeoutMs = options?.timeoutMs ?? this.config.sendMsgTimeout
    const info = await this.#publishInfo(prepared.topic, signal)
    if (options?.messageQueue) {
      if (options.messageQueue.topic !== prepared.topic) {
        throw new MQClientError('MESSAGE_ILLEGAL', `message's topic ${prepared.topic} not equal mq's topic ${options.messageQueue.topic}`)
      }
      return this.#sendKernel(options.messageQueue, prepared, batch, this.#remaining(begin, timeoutMs, undefined), signal)
    }
    return this.#sendWithRetry(info, prepared, batch, begin, timeoutMs, signal)
  }

  /** Round-robin + retry loop (RocketMQ `sendDefaultImpl`, sync mode). */
  async #sendWithRetry(
    info: TopicPublishInfo,
    prepared: PreparedMessage,
    batch: boolean,
    begin: number,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<SendResult> {
    let lastBrokerName: string | undefined
    let lastError: unknown
    for (let attempt = 0; attempt <= this.config.retryTimesWhenSendFailed; attempt++) {
      const mq = info.selectOneMessageQueue(lastBrokerName)
      if (!mq) break
      const remaining = this.#remaining(begin, timeoutMs, lastError)
      try {
        return await this.#sendKernel(mq, prepared, batch, remaining, signal)
      } catch (error) {
        if (isAbortedBy(error, signal) || !MQError.isInstance(error) || !error.retriable) throw error
        this.instance.logger.debug('send failed, retrying', { topic: prepared.topic, brokerName: mq.brokerName, attempt, error: String(error) })
        lastError = error
        lastBrokerName = mq.brokerName
      }
    }
    throw lastError ?? new MQClientError('NO_ROUTE', `No route info of this topic: ${prepared.topic}`)
  }

  /** Remaining budget, ms. @throws MQClientError SEND_TIMEOUT when used up. */
  #remaining(begin: number, timeoutMs: number, lastError: unknown): number {
    const remaining = timeoutMs - (Date.now() - begin)
    if (remaining <= 0) {
      throw new MQClientError('SEND_TIMEOUT', `send timed out after ${timeoutMs} ms`, true, lastError === undefined ? undefined : { cause: lastError })
    }
    return remaining
  }

  async #sendKernel(mq: MessageQueue, prepared: PreparedMessage, batch: boolean, timeoutMs: number, signal: AbortSignal | undefined): Promise<SendResult> {
    let addr = this.instance.findBrokerAddressInPublish(mq.brokerName)
    if (addr === undefined) {
      await raceAbort(this.instance.updateTopicRoute(mq.topic).catch(() => null), signal)
      addr = this.instance.findBrokerAddressInPublish(mq.brokerName)
      if (addr === undefined) throw new MQClientError('BROKER_NOT_FOUND', `The broker[${mq.brokerName}] not exist`, true)
    }
    // SEND_MESSAGE_V2 header (§3.2): single-letter keys of SendMessageRequestHeaderV2.
    const header: SendMessageRequestHeaderV2Type = {
      a: this.config.producerGroup,
      b: prepared.topic,
      c: this.config.createTopicKey,
      d: this.config.defaultTopicQueueNums,
      e: mq.queueId,
      f: prepared.sysFlag,
      g: Date.now(),
      h: prepared.flag,
      i: prepared.properties,
      j: prepared.reconsumeTimes ?? 0,
      k: false,
      l: prepared.maxReconsumeTimes,
      m: batch,
    }
    const request = createRequest(batch ? RequestCode.SEND_BATCH_MESSAGE : RequestCode.SEND_MESSAGE_V2, header, prepared.body)
    const response = await this.instance.api.invoke(addr, request, signal ? { timeoutMs, signal } : { timeoutMs })
    return toSendResult(response, addr, mq, prepared.uniqKey)
  }

}

/** Maps a send response (§3.2) to a SendResult. @throws MQBrokerError for codes other than 0/10/11/12. */
export function toSendResult(response: RemotingCommand, addr: string, mq: MessageQueue, uniqKey: string): SendResult {
  const sendStatus = SEND_STATUS[response.code]
  if (sendStatus === undefined) {
    throw new MQBrokerError(response.code, response.remark ?? '', addr, responseCodeName(response.code))
  }
  const header = SendMessageResponseHeader.decode(response.extFields)
  const result: SendResult = {
    sendStatus,
    msgId: uniqKey,
    offsetMsgId: header.msgId,
    messageQueue: { topic: mq.topic, brokerName: mq.brokerName, queueId: header.queueId },
    queueOffset: header.queueOffset,
  }
  if (header.MSG_REGION !== undefined) result.regionId = header.MSG_REGION
  if (header.TRACE_ON !== undefined) result.traceOn = header.TRACE_ON !== 'false'
  return result
}
