/**
 * Admin operations (a subset of RocketMQ `DefaultMQAdminExt` / `MQAdminImpl`): topic creation, routes, cluster
 * info, queue offsets and consumer-group queries.
 *
 * ```ts
 * const admin = new Admin({ namesrvAddr: '127.0.0.1:9876' })
 * await admin.start()
 * await admin.createTopic({ topic: 'TopicTest', clusterName: 'DefaultCluster', readQueueNums: 4, writeQueueNums: 4 })
 * await admin.shutdown()
 * ```
 */
import { MQClientError, MixAll, PermName, decodeMessageRecord, decodeOffsetMsgId } from '@cometmq/protocol'
import type { ClusterInfo, TopicRouteData } from '@cometmq/protocol'
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
   *   SUCCESS (e.g. 1 "can not find message by the offset, N"); MQClientError NOT_STARTED; MessageDecodeError for a
   *   malformed record; network errors; `signal.reason` when aborted.
   */
  async viewMessage(offsetMsgId: string, options: ViewMessageOptions = {}): Promise<ViewedMessage> {
    this.#assertRunning()
    let id: { host: string; port: number; commitLogOffset: number }
    try {
      id = decodeOffsetMsgId(String(offsetMsgId).trim())
    } catch (error) {
      throw new TypeError(`not an offset message id: ${JSON.stringify(offsetMsgId)}`, { cause: error })
    }
    const invokeOptions: { signal?: AbortSignal; timeoutMs?: number } = {}
    if (options.signal !== undefined) invokeOptions.signal = options.signal
    if (options.timeoutMs !== undefined) invokeOptions.timeoutMs = options.timeoutMs
    const body = await this.#instance.api.viewMessage(`${id.host}:${id.port}`, id.commitLogOffset, invokeOptions)
    const { brokerName: _brokerName, ...message } = toConsumedMessage(decodeMessageRecord(body), '', this.#instance.logger)
    return message
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
