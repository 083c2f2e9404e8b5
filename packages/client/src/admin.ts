/**
 * Admin operations (a subset of RocketMQ `DefaultMQAdminExt` / `MQAdminImpl`): topic creation, routes, cluster
 * info, queue offsets, consumer-group queries and message lookups (by offset msgId, KEYS word and UNIQ_KEY).
 *
 * ```ts
 * const admin = new Admin({ namesrvAddr: '127.0.0.1:9876' })
 * await admin.start()
 * await admin.createTopic({ topic: 'TopicTest', clusterName: 'DefaultCluster', readQueueNums: 4, writeQueueNums: 4 })
 * await admin.shutdown()
 * ```
 */
import { MQClientError, MQError, MessageConst, MixAll, PermName, decodeMessageRecord, decodeMessages, decodeOffsetMsgId } from '@cometmq/protocol'
import type { BrokerData, ClusterInfo, TopicRouteData } from '@cometmq/protocol'
import { checkTopic } from './message-builder.js'
import { MQClientInstance } from './mq-client-instance.js'
import { toConsumedMessage } from './pull-result.js'
import { masterAddrOf } from './topic-route.js'
import type { ClientOptions, MessageQueue, ViewedMessage } from './types.js'

/** UPDATE_AND_CREATE_TOPIC options. Exactly one of `brokerAddr` / `clusterName` is required. */
export interface CreateTopicOptions {
  topic: string
  /** Create on this broker (`ip:port`). */
  brokerAddr?: string
  /** Create on every master of this cluster (from GET_BROKER_CLUSTER_INFO). */
  clusterName?: string
  /** Default 8 (mqadmin updateTopic). */
  readQueueNums?: number
  /** Default 8. */
  writeQueueNums?: number
  /** PermName bits, default 6 (READ|WRITE). */
  perm?: number
  /** Default false. */
  order?: boolean
  /** 'SINGLE_TAG' (default) | 'MULTI_TAG'. */
  topicFilterType?: 'SINGLE_TAG' | 'MULTI_TAG'
  /** Default 0. */
  topicSysFlag?: number
}

/** Per-call options of `Admin.viewMessage`. */
export interface ViewMessageOptions {
  /** Aborts the lookup; the promise rejects with `signal.reason`. */
  signal?: AbortSignal
  /** RPC timeout, ms. Default: the client's `requestTimeoutMs` (3000). */
  timeoutMs?: number
}

/** Options of `Admin.queryMessage` (RocketMQ `MQAdminImpl.queryMessage`). */
export interface QueryMessageOptions {
  topic: string
  /** A `KEYS` word of the messages, or with `uniqueKey` their UNIQ_KEY (client message id). */
  key: string
  /**
   * Most messages each broker returns, ≥ 1. Default 64 for a key query (mqadmin queryMsgByKey; brokers cap every
   * query at 64, RocketMQ maxMsgsNumBatch), 32 for a unique-key query (Java queryMessageByUniqKey; the broker replaces
   * it with its defaultQueryMaxNum anyway).
   */
  maxNum?: number
  /** Store-time window start, ms since epoch, inclusive. Default 0. */
  beginTimestamp?: number
  /** Store-time window end, ms since epoch, inclusive. Default Number.MAX_SAFE_INTEGER (Java tools: Long.MAX_VALUE). */
  endTimestamp?: number
  /** Look `key` up as a UNIQ_KEY (extField `_UNIQUE_KEY_QUERY=true`). Default false. */
  uniqueKey?: boolean
  /** Aborts the query; the promise rejects with `signal.reason`. */
  signal?: AbortSignal
  /** RPC timeout per broker, ms. Default 3 × the client's `requestTimeoutMs` (Java: timeoutMillis * 3). */
  timeoutMs?: number
}

/** Options of `Admin.queryMessageByUniqKey`. */
export type QueryMessageByUniqKeyOptions = Pick<QueryMessageOptions, 'beginTimestamp' | 'endTimestamp' | 'signal' | 'timeoutMs'>

/** Java BrokerData.selectBrokerAddr: the master, else any slave (the lowest id here, for repeatability). */
function selectBrokerAddr(brokerData: BrokerData): string | undefined {
  const master = masterAddrOf(brokerData)
  if (master !== undefined) return master
  const ids = Object.keys(brokerData.brokerAddrs).sort((a, b) => Number(a) - Number(b))
  return ids.length === 0 ? undefined : brokerData.brokerAddrs[ids[0] as string]
}

function checkTimestamp(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer (ms since epoch), got ${String(value)}`)
  return value
}

export class Admin {
  readonly #instance: MQClientInstance
  #state: 'CREATED' | 'RUNNING' | 'SHUTDOWN' = 'CREATED'

  /** @throws TypeError / RangeError for invalid options. */
  constructor(options: ClientOptions) {
    this.#instance = new MQClientInstance(options)
  }

  /** @throws MQClientError NOT_STARTED when already started or shut down. */
  async start(): Promise<void> {
    if (this.#state !== 'CREATED') throw new MQClientError('NOT_STARTED', `The admin service state is ${this.#state}`)
    this.#instance.start()
    this.#state = 'RUNNING'
  }

  /** Closes connections. Idempotent. */
  async shutdown(): Promise<void> {
    const wasRunning = this.#state === 'RUNNING'
    this.#state = 'SHUTDOWN'
    if (wasRunning) await this.#instance.shutdown()
  }

  /**
   * UPDATE_AND_CREATE_TOPIC (17) on one broker or on every master of a cluster; brokers re-register with the
   * name servers right away.
   * @returns the broker addresses the topic was created on.
   * @throws TypeError (bad arguments); MQClientError NOT_STARTED | MESSAGE_ILLEGAL (topic name) | NO_ROUTE (unknown cluster);
   *   MQBrokerError; network errors.
   */
  async createTopic(options: CreateTopicOptions): Promise<string[]> {
    this.#assertRunning()
    checkTopic(options.topic)
    if ((options.brokerAddr === undefined) === (options.clusterName === undefined)) {
      throw new TypeError('createTopic needs exactly one of brokerAddr or clusterName')
    }
    const fields = {
      topic: options.topic,
      defaultTopic: MixAll.DEFAULT_TOPIC,
      readQueueNums: options.readQueueNums ?? 8,
      writeQueueNums: options.writeQueueNums ?? 8,
      perm: options.perm ?? PermName.PERM_READ | PermName.PERM_WRITE,
      topicFilterType: options.topicFilterType ?? 'SINGLE_TAG',
      topicSysFlag: options.topicSysFlag ?? 0,
      order: options.order ?? false,
    }
    let addrs: string[]
    if (options.brokerAddr !== undefined) {
      addrs = [options.brokerAddr]
    } else {
      const info = await this.getClusterInfo()
      const brokerNames = info.clusterAddrTable[options.clusterName as string]
      if (!brokerNames || brokerNames.length === 0) throw new MQClientError('NO_ROUTE', `cluster ${options.clusterName} has no brokers`)
      addrs = brokerNames.map((name) => masterAddrOf(info.brokerAddrTable[name])).filter((addr): addr is string => addr !== undefined)
    }
    await Promise.all(addrs.map((addr) => this.#instance.api.createTopic(addr, fields)))
    return addrs
  }

  /** GET_ROUTEINFO_BY_TOPIC. @throws MQBrokerError with responseCode 17 when the topic has no route. */
  async getTopicRoute(topic: string): Promise<TopicRouteData> {
    this.#assertRunning()
    const route = await this.#instance.api.getTopicRouteInfo(topic, undefined, true)
    if (!route) throw new MQClientError('NO_ROUTE', `No topic route info in name server for the topic: ${topic}`)
    this.#instance.mergeBrokerAddrs(route)
    return route
  }

  /** GET_BROKER_CLUSTER_INFO (106). */
  async getClusterInfo(): Promise<ClusterInfo> {
    this.#assertRunning()
    return this.#instance.api.getClusterInfo()
  }

  /** GET_ALL_TOPIC_LIST_FROM_NAMESERVER (206). */
  async getTopicList(): Promise<string[]> {
    this.#assertRunning()
    return this.#instance.api.getTopicList()
  }

  /** GET_MAX_OFFSET (30): next offset to be written in `mq`. */
  async getMaxOffset(mq: MessageQueue): Promise<number> {
    return this.#instance.api.getMaxOffset(await this.#brokerOf(mq), mq.topic, mq.queueId)
  }

  /** GET_MIN_OFFSET (31). */
  async getMinOffset(mq: MessageQueue): Promise<number> {
    return this.#instance.api.getMinOffset(await this.#brokerOf(mq), mq.topic, mq.queueId)
  }

  /** SEARCH_OFFSET_BY_TIMESTAMP (29); `timestamp` in epoch ms. */
  async searchOffset(mq: MessageQueue, timestamp: number): Promise<number> {
    return this.#instance.api.searchOffset(await this.#brokerOf(mq), mq.topic, mq.queueId, timestamp)
  }

  /** GET_EARLIEST_MSG_STORETIME (32), epoch ms. */
  async getEarliestMsgStoreTime(mq: MessageQueue): Promise<number> {
    return this.#instance.api.getEarliestMsgStoreTime(await this.#brokerOf(mq), mq.topic, mq.queueId)
  }

  /** QUERY_CONSUMER_OFFSET (14): committed offset of `consumerGroup` on `mq`, −1 when none. */
  async queryConsumerOffset(consumerGroup: string, mq: MessageQueue): Promise<number> {
    return this.#instance.api.queryConsumerOffset(await this.#brokerOf(mq), { consumerGroup, topic: mq.topic, queueId: mq.queueId })
  }

  /** UPDATE_CONSUMER_OFFSET (15). */
  async updateConsumerOffset(consumerGroup: string, mq: MessageQueue, offset: number): Promise<void> {
    await this.#instance.api.updateConsumerOffset(await this.#brokerOf(mq), { consumerGroup, topic: mq.topic, queueId: mq.queueId, commitOffset: offset })
  }

  /**
   * Looks a message up by its offset message id (§6.1, what the broker returns as the send `offsetMsgId`): decodes
   * the store host, port and commit-log offset from the id and sends VIEW_MESSAGE_BY_ID (33) to that broker address
   * directly (no name-server lookup). The body is inflated when the producer compressed it, as for consumed messages.
   * @throws TypeError when `offsetMsgId` is not 32 / 56 hex chars; MQBrokerError when the broker does not answer
   *   SUCCESS (e.g. 1 "can not find message by the offset, N", also for a message deleted by retention);
   *   MQClientError NOT_STARTED; MessageDecodeError for a malformed record; network errors; `signal.reason` when aborted.
   */
  viewMessage(offsetMsgId: string, options?: ViewMessageOptions): Promise<ViewedMessage>
  /**
   * Looks a message of `topic` up by either kind of message id (RocketMQ DefaultMQAdminExt.viewMessage(topic, msgId)):
   * when `msgId` decodes as an offset message id of a broker in the topic's route, VIEW_MESSAGE_BY_ID first; when that
   * finds nothing (or the id is a client UNIQ_KEY, which has the same length), `queryMessageByUniqKey(topic, msgId)`.
   * Checking the route first avoids connecting to the address a UNIQ_KEY would decode to.
   * @throws MQClientError NO_MESSAGE when neither lookup finds it; otherwise as queryMessage / viewMessage(offsetMsgId).
   */
  viewMessage(topic: string, msgId: string, options?: ViewMessageOptions): Promise<ViewedMessage>
  async viewMessage(first: string, second?: string | ViewMessageOptions, third?: ViewMessageOptions): Promise<ViewedMessage> {
    if (typeof second === 'string') return this.#viewMessageOfTopic(first, second, third ?? {})
    return this.#viewMessageByOffsetId(first, second ?? {})
  }

  async #viewMessageByOffsetId(offsetMsgId: string, options: ViewMessageOptions): Promise<ViewedMessage> {
    this.#assertRunning()
    let id: { host: string; port: number; commitLogOffset: number }
    try {
      id = decodeOffsetMsgId(String(offsetMsgId).trim())
    } catch (error) {
      throw new TypeError(`not an offset message id: ${JSON.stringify(offsetMsgId)}`, { cause: error })
    }
    const body = await this.#instance.api.viewMessage(`${id.host}:${id.port}`, id.commitLogOffset, invokeOptionsOf(options))
    const { brokerName: _brokerName, ...message } = toConsumedMessage(decodeMessageRecord(body), '', this.#instance.logger)
    return message
  }

  async #viewMessageOfTopic(topic: string, msgId: string, options: ViewMessageOptions): Promise<ViewedMessage> {
    this.#assertRunning()
    checkTopic(topic)
    const id = String(msgId).trim()
    let offsetAddr: string | undefined
    try {
      const decoded = decodeOffsetMsgId(id)
      offsetAddr = `${decoded.host}:${decoded.port}`
    } catch {
      // not an offset message id: a UNIQ_KEY of another length, or garbage; the unique-key query decides
    }
    if (offsetAddr !== undefined) {
      const route = await this.#instance.api.getTopicRouteInfo(topic, invokeOptionsOf(options))
      const brokerAddrs = new Set((route?.brokerDatas ?? []).flatMap((brokerData) => Object.values(brokerData.brokerAddrs)))
      if (brokerAddrs.has(offsetAddr)) {
        try {
          return await this.#viewMessageByOffsetId(id, options)
        } catch (error) {
          if (!(MQError.isInstance(error) && error.code === 'BROKER_ERROR')) throw error
          this.#instance.logger.debug('no message at the offset id, trying it as a unique key', { topic, msgId: id, error: error.message })
        }
      }
    }
    const message = await this.queryMessageByUniqKey(topic, id, options)
    if (message === null) throw new MQClientError('NO_MESSAGE', `query message by id finished, but no message: topic ${topic}, msgId ${id}`)
    return message
  }

  /**
   * QUERY_MESSAGE (12) to one broker of each BrokerData of the topic's route (the master, else a slave), then merged
   * and re-checked like RocketMQ MQAdminImpl.queryMessage: a key query keeps messages of `topic` whose KEYS words
   * include `key` (index hash collisions are dropped); a unique-key query keeps messages whose msgId (UNIQ_KEY, else
   * offset id) equals `key`. A broker that fails is logged and skipped.
   * @returns key query: newest first; unique-key query: every copy (e.g. a send retried on another broker), earliest
   *   stored first (RocketMQ 5 #6917; 4.9 kept only the earliest). Empty when nothing matched — an outcome, not an
   *   error (Java throws NO_MESSAGE).
   * @throws TypeError / RangeError for bad options; MQClientError NOT_STARTED | MESSAGE_ILLEGAL (topic name) |
   *   NO_ROUTE (no route for the topic); the first broker's error when every broker failed; `signal.reason` when aborted.
   */
  async queryMessage(options: QueryMessageOptions): Promise<ViewedMessage[]> {
    this.#assertRunning()
    if (typeof options !== 'object' || options === null) throw new TypeError('queryMessage options are required')
    const { topic, key } = options
    checkTopic(topic)
    if (typeof key !== 'string' || key.length === 0) throw new TypeError(`key must be a non-empty string, got ${JSON.stringify(key)}`)
    const uniqueKey = options.uniqueKey ?? false
    const maxNum = options.maxNum ?? (uniqueKey ? 32 : 64)
    if (!Number.isSafeInteger(maxNum) || maxNum < 1) throw new RangeError(`maxNum must be a positive integer, got ${String(maxNum)}`)
    const beginTimestamp = checkTimestamp('beginTimestamp', options.beginTimestamp, 0)
    const endTimestamp = checkTimestamp('endTimestamp', options.endTimestamp, Number.MAX_SAFE_INTEGER)
    const invokeOptions = { timeoutMs: options.timeoutMs ?? this.#instance.config.requestTimeoutMs * 3, ...(options.signal ? { signal: options.signal } : {}) }

    const route = await this.#instance.api.getTopicRouteInfo(topic, invokeOptions)
    if (!route) throw new MQClientError('NO_ROUTE', `The topic[${topic}] not matched route info`)
    this.#instance.mergeBrokerAddrs(route)
    const addrs = route.brokerDatas.map(selectBrokerAddr).filter((addr): addr is string => addr !== undefined)
    if (addrs.length === 0) throw new MQClientError('NO_ROUTE', `The topic[${topic}] has no broker address in its route`)

    const fields = { topic, key, maxNum, beginTimestamp, endTimestamp }
    const outcomes = await Promise.allSettled(addrs.map((addr) => this.#instance.api.queryMessage(addr, fields, uniqueKey, invokeOptions)))
    options.signal?.throwIfAborted()
    const messages: ViewedMessage[] = []
    let failures = 0
    outcomes.forEach((outcome, index) => {
      if (outcome.status === 'rejected') {
        failures++
        this.#instance.logger.warn('queryMessage failed on a broker', { topic, brokerAddr: addrs[index], error: String(outcome.reason) })
        return
      }
      if (outcome.value.body === null) return
      for (const record of decodeMessages(outcome.value.body)) {
        const { brokerName: _brokerName, ...message } = toConsumedMessage(record, '', this.#instance.logger)
        if (uniqueKey ? message.msgId === key : message.topic === topic && (message.properties[MessageConst.KEYS] ?? '').split(MessageConst.KEY_SEPARATOR).includes(key)) {
          messages.push(message)
        } else {
          this.#instance.logger.warn('queryMessage: message key not matched, maybe hash duplicate', { topic, key, msgId: message.msgId })
        }
      }
    })
    if (failures === addrs.length) throw (outcomes[0] as PromiseRejectedResult).reason
    return uniqueKey ? messages.sort((a, b) => a.storeTimestamp - b.storeTimestamp) : messages.sort((a, b) => b.storeTimestamp - a.storeTimestamp)
  }

  /**
   * The message whose UNIQ_KEY (client message id, the `msgId` of a send result) is `uniqKey`: the earliest stored copy
   * from `queryMessage({ topic, key: uniqKey, uniqueKey: true })` (RocketMQ MQAdminImpl.queryMessageByUniqKey). The
   * default window is all retained messages (Java narrows it to the time encoded in the id, only to scan less index).
   * @returns null when no broker has it (never sent, or deleted by retention).
   * @throws as queryMessage.
   */
  async queryMessageByUniqKey(topic: string, uniqKey: string, options: QueryMessageByUniqKeyOptions = {}): Promise<ViewedMessage | null> {
    const messages = await this.queryMessage({ ...options, topic, key: uniqKey, uniqueKey: true })
    return messages[0] ?? null
  }

  /** GET_CONSUMER_LIST_BY_GROUP (38) from one broker serving `topic`. */
  async getConsumerIdList(consumerGroup: string, topic: string): Promise<string[]> {
    this.#assertRunning()
    return this.#instance.findConsumerIdList(topic, consumerGroup)
  }

  async #brokerOf(mq: MessageQueue): Promise<string> {
    this.#assertRunning()
    let addr = this.#instance.findBrokerAddressInPublish(mq.brokerName)
    if (addr === undefined) {
      await this.#instance.updateTopicRoute(mq.topic)
      addr = this.#instance.findBrokerAddressInPublish(mq.brokerName)
    }
    if (addr === undefined) throw new MQClientError('BROKER_NOT_FOUND', `The broker[${mq.brokerName}] not exist`, true)
    return addr
  }

  #assertRunning(): void {
    if (this.#state !== 'RUNNING') throw new MQClientError('NOT_STARTED', `The admin service state not OK (${this.#state}); call start() first`)
  }
}

function invokeOptionsOf(options: ViewMessageOptions): { signal?: AbortSignal; timeoutMs?: number } {
  const invokeOptions: { signal?: AbortSignal; timeoutMs?: number } = {}
  if (options.signal !== undefined) invokeOptions.signal = options.signal
  if (options.timeoutMs !== undefined) invokeOptions.timeoutMs = options.timeoutMs
  return invokeOptions
}
