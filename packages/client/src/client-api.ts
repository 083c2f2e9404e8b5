/**
 * One method per RocketMQ request the client sends, with response-code mapping (RocketMQ `MQClientAPIImpl`).
 * Owns the RemotingClient and the name-server address rotation.
 *
 * Every method throws:
 *  - RemotingConnectError / RemotingTimeoutError / RemotingSendRequestError on network trouble (retriable),
 *  - `signal.reason` when its AbortSignal aborts,
 *  - MQBrokerError (with `responseCode`, `remark`, `brokerAddr`) when the server answers a code the method does not map.
 */
import {
  GetEarliestMsgStoretimeResponseHeader,
  GetMaxOffsetResponseHeader,
  GetMinOffsetResponseHeader,
  MQBrokerError,
  MQError,
  MixAll,
  PullMessageResponseHeader,
  QueryConsumerOffsetResponseHeader,
  QueryMessageResponseHeader,
  RemotingClient,
  RequestCode,
  ResponseCode,
  createRequest,
  parseJsonLenient,
  responseCodeName,
  SearchOffsetResponseHeader,
  stringifyJson,
} from '@cometmq/protocol'
import type {
  ClusterInfo,
  ConsumerSendMsgBackRequestHeader,
  CreateTopicRequestHeader,
  ExtFieldValue,
  HeaderOf,
  PullMessageRequestHeader,
  HeartbeatData,
  Logger,
  RemotingCommand,
  RequestProcessor,
  TopicRouteData,
} from '@cometmq/protocol'
import type { PullStatus } from './types.js'

/** Per-call options. `timeoutMs` defaults to the client's `requestTimeoutMs`. */
export interface InvokeOptions {
  timeoutMs?: number
  signal?: AbortSignal
}

/** Raw PULL_MESSAGE outcome before message decoding. */
export interface RawPullResult {
  pullStatus: PullStatus
  nextBeginOffset: number
  minOffset: number
  maxOffset: number
  suggestWhichBrokerId: number
  /** Concatenated stored records (FOUND only). */
  body: Buffer | null
}

/** QUERY_MESSAGE request header fields (§3.7); timestamps in ms since epoch. */
export interface QueryMessageFields {
  topic: string
  key: string
  maxNum: number
  beginTimestamp: number
  endTimestamp: number
}

/** Raw QUERY_MESSAGE outcome of one broker. */
export interface RawQueryResult {
  /** Store time (ms) of the broker's newest indexed message; 0 when not reported (QUERY_NOT_FOUND). */
  indexLastUpdateTimestamp: number
  /** Concatenated stored records; null on QUERY_NOT_FOUND (22). */
  body: Buffer | null
}

/** PULL_MESSAGE request header fields (§3.4). */
export type PullRequestFields = HeaderOf<typeof PullMessageRequestHeader>

/** UPDATE_AND_CREATE_TOPIC request header fields (§3.9). */
export type CreateTopicFields = HeaderOf<typeof CreateTopicRequestHeader>

/** CONSUMER_SEND_MSG_BACK request header fields (§3.4). */
export type SendBackFields = HeaderOf<typeof ConsumerSendMsgBackRequestHeader>

export interface ClientAPIOptions {
  namesrvAddrs: string[]
  requestTimeoutMs: number
  logger: Logger
  onRequest?: RequestProcessor
}

const NETWORK_ERROR_CODES = new Set(['REMOTING_CONNECT', 'REMOTING_TIMEOUT', 'REMOTING_SEND'])

/** True for connect/timeout/send failures (worth trying another address). */
export function isNetworkError(error: unknown): boolean {
  return MQError.isInstance(error) && NETWORK_ERROR_CODES.has(error.code)
}

/** Throws MQBrokerError unless `response.code` is SUCCESS. */
export function checkSuccess(response: RemotingCommand, addr: string): void {
  if (response.code !== ResponseCode.SUCCESS) throw brokerError(response, addr)
}

/** MQBrokerError for a response. */
export function brokerError(response: RemotingCommand, addr: string): MQBrokerError {
  return new MQBrokerError(response.code, response.remark ?? '', addr, responseCodeName(response.code))
}

function jsonBody<T>(response: RemotingCommand): T {
  return parseJsonLenient(response.body ? response.body.toString('utf8') : 'null') as T
}

export class MQClientAPI {
  readonly remoting: RemotingClient
  readonly namesrvAddrs: readonly string[]
  readonly #timeoutMs: number
  readonly #logger: Logger
  #namesrvIndex: number

  constructor(options: ClientAPIOptions) {
    this.namesrvAddrs = options.namesrvAddrs
    this.#timeoutMs = options.requestTimeoutMs
    this.#logger = options.logger
    this.#namesrvIndex = Math.floor(Math.random() * options.namesrvAddrs.length)
    this.remoting = new RemotingClient({
      logger: options.logger.child('remoting'),
      ...(options.onRequest ? { onRequest: options.onRequest } : {}),
    })
  }

  /** Sends `request` to `addr` and returns the response (any code). */
  invoke(addr: string, request: RemotingCommand, options?: InvokeOptions): Promise<RemotingCommand> {
    const timeoutMs = options?.timeoutMs ?? this.#timeoutMs
    return this.remoting.invoke(addr, request, options?.signal ? { timeoutMs, signal: options.signal } : { timeoutMs })
  }

  /**
   * Sends a request to a name server. Starts with the last one that worked; on a network error tries the
   * next one (each address at most once per call).
   */
  async invokeNamesrv(
    code: number,
    extFields: Record<string, ExtFieldValue> | undefined,
    options?: InvokeOptions,
  ): Promise<{ response: RemotingCommand; addr: string }> {
    const count = this.namesrvAddrs.length
    let lastError: unknown
    for (let attempt = 0; attempt < count; attempt++) {
      const index = (this.#namesrvIndex + attempt) % count
      const addr = this.namesrvAddrs[index] as string
      try {
        const response = await this.invoke(addr, createRequest(code, extFields), options)
        this.#namesrvIndex = index
        return { response, addr }
      } catch (error) {
        if (!isNetworkError(error)) throw error
        this.#logger.warn('name server request failed, trying the next one', { remoteAddr: addr, code, error: String(error) })
        lastError = error
      }
    }
    this.#namesrvIndex = (this.#namesrvIndex + 1) % count
    throw lastError
  }

  // ---------------------------------------------------------------- name server

  /**
   * GET_ROUTEINFO_BY_TOPIC (105).
   * @returns null when the name server answers TOPIC_NOT_EXIST (17), unless `strict` (then MQBrokerError 17).
   */
  async getTopicRouteInfo(topic: string, options?: InvokeOptions, strict = false): Promise<TopicRouteData | null> {
    const { response, addr } = await this.invokeNamesrv(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic }, options)
    if (response.code === ResponseCode.TOPIC_NOT_EXIST && !strict) return null
    checkSuccess(response, addr)
    const route = jsonBody<TopicRouteData | null>(response)
    if (!route) return null
    return { ...route, queueDatas: route.queueDatas ?? [], brokerDatas: route.brokerDatas ?? [] }
  }

  /** GET_BROKER_CLUSTER_INFO (106). */
  async getClusterInfo(options?: InvokeOptions): Promise<ClusterInfo> {
    const { response, addr } = await this.invokeNamesrv(RequestCode.GET_BROKER_CLUSTER_INFO, undefined, options)
    checkSuccess(response, addr)
    const info = jsonBody<ClusterInfo | null>(response)
    return { brokerAddrTable: info?.brokerAddrTable ?? {}, clusterAddrTable: info?.clusterAddrTable ?? {} }
  }

  /** GET_ALL_TOPIC_LIST_FROM_NAMESERVER (206). */
  async getTopicList(options?: InvokeOptions): Promise<string[]> {
    const { response, addr } = await this.invokeNamesrv(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, undefined, options)
    checkSuccess(response, addr)
    return jsonBody<{ topicList?: string[] } | null>(response)?.topicList ?? []
  }

  // ---------------------------------------------------------------- broker: client registration

  /** HEART_BEAT (34) with a HeartbeatData JSON body. */
  async heartbeat(addr: string, data: HeartbeatData, options?: InvokeOptions): Promise<void> {
    const request = createRequest(RequestCode.HEART_BEAT, undefined, Buffer.from(stringifyJson(data), 'utf8'))
    checkSuccess(await this.invoke(addr, request, options), addr)
  }

  /** UNREGISTER_CLIENT (35). */
  async unregisterClient(addr: string, clientID: string, group: { producerGroup?: string; consumerGroup?: string }, options?: InvokeOptions): Promise<void> {
    const request = createRequest(RequestCode.UNREGISTER_CLIENT, { clientID, ...group })
    checkSuccess(await this.invoke(addr, request, options), addr)
  }

  /** GET_CONSUMER_LIST_BY_GROUP (38) → client ids of the group's live consumers on that broker. */
  async getConsumerIdListByGroup(addr: string, consumerGroup: string, options?: InvokeOptions): Promise<string[]> {
    const response = await this.invoke(addr, createRequest(RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup }), options)
    checkSuccess(response, addr)
    return jsonBody<{ consumerIdList?: string[] } | null>(response)?.consumerIdList ?? []
  }

  // ---------------------------------------------------------------- broker: pull + offsets

  /**
   * PULL_MESSAGE (11). Codes 0/19/20/21 map to FOUND/NO_NEW_MSG/NO_MATCHED_MSG/OFFSET_ILLEGAL; others throw.
   */
  async pullMessage(addr: string, fields: PullRequestFields, options?: InvokeOptions): Promise<RawPullResult> {
    const response = await this.invoke(addr, createRequest(RequestCode.PULL_MESSAGE, { ...fields }), options)
    let pullStatus: PullStatus
    switch (response.code) {
      case ResponseCode.SUCCESS: pullStatus = 'FOUND'; break
      case ResponseCode.PULL_NOT_FOUND: pullStatus = 'NO_NEW_MSG'; break
      case ResponseCode.PULL_RETRY_IMMEDIATELY: pullStatus = 'NO_MATCHED_MSG'; break
      case ResponseCode.PULL_OFFSET_MOVED: pullStatus = 'OFFSET_ILLEGAL'; break
      default: throw brokerError(response, addr)
    }
    const header = PullMessageResponseHeader.decode(response.extFields)
    return {
      pullStatus,
      nextBeginOffset: header.nextBeginOffset,
      minOffset: header.minOffset,
      maxOffset: header.maxOffset,
      suggestWhichBrokerId: header.suggestWhichBrokerId,
      body: pullStatus === 'FOUND' ? response.body : null,
    }
  }

  /** QUERY_CONSUMER_OFFSET (14). @returns the committed offset, or −1 on QUERY_NOT_FOUND (22). */
  async queryConsumerOffset(addr: string, fields: { consumerGroup: string; topic: string; queueId: number }, options?: InvokeOptions): Promise<number> {
    const response = await this.invoke(addr, createRequest(RequestCode.QUERY_CONSUMER_OFFSET, { ...fields }), options)
    if (response.code === ResponseCode.QUERY_NOT_FOUND) return -1
    checkSuccess(response, addr)
    return QueryConsumerOffsetResponseHeader.decode(response.extFields).offset
  }

  /** UPDATE_CONSUMER_OFFSET (15), two-way (ali-ons style) so callers know it arrived. */
  async updateConsumerOffset(
    addr: string,
    fields: { consumerGroup: string; topic: string; queueId: number; commitOffset: number },
    options?: InvokeOptions,
  ): Promise<void> {
    checkSuccess(await this.invoke(addr, createRequest(RequestCode.UPDATE_CONSUMER_OFFSET, { ...fields }), options), addr)
  }

  /** GET_MAX_OFFSET (30): next offset to be written in the queue. */
  async getMaxOffset(addr: string, topic: string, queueId: number, options?: InvokeOptions): Promise<number> {
    return (await this.#call(RequestCode.GET_MAX_OFFSET, addr, { topic, queueId }, GetMaxOffsetResponseHeader, options)).offset
  }

  /** GET_MIN_OFFSET (31). */
  async getMinOffset(addr: string, topic: string, queueId: number, options?: InvokeOptions): Promise<number> {
    return (await this.#call(RequestCode.GET_MIN_OFFSET, addr, { topic, queueId }, GetMinOffsetResponseHeader, options)).offset
  }

  /** SEARCH_OFFSET_BY_TIMESTAMP (29): approximate queue offset for a store time (ms). */
  async searchOffset(addr: string, topic: string, queueId: number, timestamp: number, options?: InvokeOptions): Promise<number> {
    return (await this.#call(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, addr, { topic, queueId, timestamp }, SearchOffsetResponseHeader, options)).offset
  }

  /** GET_EARLIEST_MSG_STORETIME (32): store time (ms) of the message at the min offset. */
  async getEarliestMsgStoreTime(addr: string, topic: string, queueId: number, options?: InvokeOptions): Promise<number> {
    return (await this.#call(RequestCode.GET_EARLIEST_MSG_STORETIME, addr, { topic, queueId }, GetEarliestMsgStoretimeResponseHeader, options)).timestamp
  }

  /** Request → success check → typed response header. */
  async #call<T>(
    code: number,
    addr: string,
    fields: Record<string, ExtFieldValue>,
    schema: { decode(extFields: Record<string, string>): T },
    options?: InvokeOptions,
  ): Promise<T> {
    const response = await this.invoke(addr, createRequest(code, fields), options)
    checkSuccess(response, addr)
    return schema.decode(response.extFields)
  }

  /** CONSUMER_SEND_MSG_BACK (36). */
  async consumerSendMessageBack(addr: string, fields: SendBackFields, options?: InvokeOptions): Promise<void> {
    const response = await this.invoke(addr, createRequest(RequestCode.CONSUMER_SEND_MSG_BACK, { ...fields }), options)
    checkSuccess(response, addr)
  }

  // ---------------------------------------------------------------- admin

  /**
   * VIEW_MESSAGE_BY_ID (33, §3.7): the raw stored record at `commitLogOffset` on the broker at `addr`.
   * The broker answers 1 SYSTEM_ERROR "can not find message by the offset, N" when there is none (→ MQBrokerError).
   */
  async viewMessage(addr: string, commitLogOffset: number, options?: InvokeOptions): Promise<Buffer> {
    const response = await this.invoke(addr, createRequest(RequestCode.VIEW_MESSAGE_BY_ID, { offset: commitLogOffset }), options)
    checkSuccess(response, addr)
    return response.body ?? Buffer.alloc(0)
  }

  /**
   * QUERY_MESSAGE (12, §3.7) to one broker, with extField `_UNIQUE_KEY_QUERY` = `uniqueKey` (as Java's
   * MQClientAPIImpl.queryMessage always sends it). 22 QUERY_NOT_FOUND is an ordinary outcome (body null).
   */
  async queryMessage(addr: string, fields: QueryMessageFields, uniqueKey: boolean, options?: InvokeOptions): Promise<RawQueryResult> {
    const request = createRequest(RequestCode.QUERY_MESSAGE, { ...fields, [MixAll.UNIQUE_MSG_QUERY_FLAG]: uniqueKey })
    const response = await this.invoke(addr, request, options)
    if (response.code === ResponseCode.QUERY_NOT_FOUND) return { indexLastUpdateTimestamp: 0, body: null }
    checkSuccess(response, addr)
    const header = QueryMessageResponseHeader.decode(response.extFields)
    return { indexLastUpdateTimestamp: header.indexLastUpdateTimestamp, body: response.body ?? Buffer.alloc(0) }
  }

  /** UPDATE_AND_CREATE_TOPIC (17). */
  async createTopic(addr: string, fields: CreateTopicFields, options?: InvokeOptions): Promise<void> {
    checkSuccess(await this.invoke(addr, createRequest(RequestCode.UPDATE_AND_CREATE_TOPIC, { ...fields }), options), addr)
  }

  /** Closes every connection. */
  close(): Promise<void> {
    return this.remoting.close()
  }
}
