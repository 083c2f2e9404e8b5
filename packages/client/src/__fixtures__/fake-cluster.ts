/**
 * Scripted fake name server and broker for client unit tests, built on protocol's RemotingServer.
 * They implement just enough of the broker (in-memory queues, offsets, consumer registry, long polling,
 * send-back) to drive the client; `override(code, processor)` replaces any handler to inject failures.
 * Test-only: excluded from the build (tsconfig.build.json excludes __fixtures__).
 */
import {
  PullSysFlag,
  RemotingServer,
  RequestCode,
  ResponseCode,
  createRequest,
  createResponse,
  decodeBatchMessages,
  decodeProperties,
  encodeMessageRecord,
  encodeProperties,
  parseJsonLenient,
  stringifyJson,
  tagsStringToTagsCode,
  createOffsetMsgId,
} from '@cometmq/protocol'
import type { HeartbeatData, RemotingChannel, RemotingCommand, RequestProcessor, TopicRouteData } from '@cometmq/protocol'

export class FakeNamesrv {
  readonly server = new RemotingServer({ host: '127.0.0.1', port: 0 })
  readonly routes = new Map<string, TopicRouteData>()
  /** Topics asked for, in order. */
  readonly routeRequests: string[] = []

  constructor() {
    this.server.registerProcessor(RequestCode.GET_ROUTEINFO_BY_TOPIC, (request) => {
      const topic = request.extFields.topic ?? ''
      this.routeRequests.push(topic)
      const route = this.routes.get(topic)
      if (!route) return createResponse(request, ResponseCode.TOPIC_NOT_EXIST, `No topic route info in name server for the topic: ${topic}`)
      return createResponse(request, ResponseCode.SUCCESS, null, {}, Buffer.from(stringifyJson(route)))
    })
  }

  get addr(): string {
    return `127.0.0.1:${this.server.port}`
  }

  /** Route of `topic`: `queueNums` read/write queues on each broker, perm 6 (TBW102: 7). */
  setRoute(topic: string, brokers: FakeBroker[], queueNums = 4, perm = topic === 'TBW102' ? 7 : 6): void {
    this.routes.set(topic, {
      queueDatas: brokers.map((b) => ({ brokerName: b.brokerName, readQueueNums: queueNums, writeQueueNums: queueNums, perm, topicSysFlag: 0 })),
      brokerDatas: brokers.map((b) => ({ cluster: 'DefaultCluster', brokerName: b.brokerName, brokerAddrs: { '0': b.addr } })),
      filterServerTable: {},
    })
  }

  async start(): Promise<this> {
    await this.server.listen()
    return this
  }

  close(): Promise<void> {
    return this.server.close()
  }
}

interface Parked {
  request: RemotingCommand
  channel: RemotingChannel
  key: string
  timer: NodeJS.Timeout
}

export interface StoredRecord {
  topic: string
  queueId: number
  queueOffset: number
  commitLogOffset: number
  tagsCode: number
  record: Buffer
  body: Buffer
  properties: Record<string, string>
  flag: number
  sysFlag: number
  reconsumeTimes: number
}

export class FakeBroker {
  readonly server = new RemotingServer({ host: '127.0.0.1', port: 0 })
  /** `topic:queueId` → records. */
  readonly queues = new Map<string, StoredRecord[]>()
  readonly byPhyOffset = new Map<number, StoredRecord>()
  /** `group@topic:queueId` → committed offset. */
  readonly offsets = new Map<string, number>()
  /** group → clientId → channel. */
  readonly consumers = new Map<string, Map<string, RemotingChannel>>()
  /** Every request received, in order. */
  readonly requests: RemotingCommand[] = []
  readonly heartbeats: HeartbeatData[] = []
  /** Long-poll hold cap, ms (the client asks for 15000). */
  holdMs = 500
  #phyOffset = 0
  #parked = new Set<Parked>()
  #overrides = new Map<number, RequestProcessor>()
  #requestListeners: Array<(request: RemotingCommand) => void> = []

  constructor(readonly brokerName: string) {
    this.server.registerDefaultProcessor((request, channel) => {
      this.requests.push(request)
      for (const listener of this.#requestListeners) listener(request)
      const override = this.#overrides.get(request.code)
      if (override) return override(request, channel)
      return this.#handle(request, channel)
    })
  }

  get addr(): string {
    return `127.0.0.1:${this.server.port}`
  }

  /** Replaces the handler of `code` (pass undefined to restore). */
  override(code: number, processor: RequestProcessor | undefined): void {
    if (processor) this.#overrides.set(code, processor)
    else this.#overrides.delete(code)
  }

  /** Resolves with the first request of `code` (already received or future) matching `predicate`. */
  waitForRequest(code: number, predicate: (request: RemotingCommand) => boolean = () => true): Promise<RemotingCommand> {
    const existing = this.requests.find((r) => r.code === code && predicate(r))
    if (existing) return Promise.resolve(existing)
    return new Promise((resolve) => {
      const listener = (request: RemotingCommand): void => {
        if (request.code !== code || !predicate(request)) return
        this.#requestListeners = this.#requestListeners.filter((l) => l !== listener)
        resolve(request)
      }
      this.#requestListeners.push(listener)
    })
  }

  requestsOf(code: number): RemotingCommand[] {
    return this.requests.filter((r) => r.code === code)
  }

  async start(): Promise<this> {
    await this.server.listen()
    return this
  }

  async close(): Promise<void> {
    for (const parked of this.#parked) clearTimeout(parked.timer)
    this.#parked.clear()
    await this.server.close()
  }

  /** Appends a message as if a producer had sent it. */
  put(input: { topic: string; queueId: number; body: Buffer | string; properties?: Record<string, string>; flag?: number; sysFlag?: number; reconsumeTimes?: number; storeTimestamp?: number }): StoredRecord {
    const key = `${input.topic}:${input.queueId}`
    const list = this.queues.get(key) ?? []
    this.queues.set(key, list)
    const body = typeof input.body === 'string' ? Buffer.from(input.body) : input.body
    const properties = { ...(input.properties ?? {}) }
    const propertiesString = encodeProperties(properties)
    const commitLogOffset = this.#phyOffset
    const record = encodeMessageRecord({
      topic: input.topic, queueId: input.queueId, flag: input.flag ?? 0, body, propertiesString, sysFlag: input.sysFlag ?? 0,
      bornTimestamp: Date.now(), bornHost: { host: '127.0.0.1', port: 1 }, storeHost: { host: '127.0.0.1', port: this.server.port },
      reconsumeTimes: input.reconsumeTimes ?? 0, preparedTransactionOffset: 0, queueOffset: list.length, commitLogOffset, storeTimestamp: input.storeTimestamp ?? Date.now(),
    })
    this.#phyOffset += record.length
    const stored: StoredRecord = {
      topic: input.topic, queueId: input.queueId, queueOffset: list.length, commitLogOffset, tagsCode: tagsStringToTagsCode(properties.TAGS),
      record, body, properties, flag: input.flag ?? 0, sysFlag: input.sysFlag ?? 0, reconsumeTimes: input.reconsumeTimes ?? 0,
    }
    list.push(stored)
    this.byPhyOffset.set(commitLogOffset, stored)
    this.#wake(key)
    return stored
  }

  /** Sends NOTIFY_CONSUMER_IDS_CHANGED (oneway) to every channel of `group`. */
  notifyConsumerIdsChanged(group: string): void {
    for (const channel of this.consumers.get(group)?.values() ?? []) {
      channel.invokeOneway(createRequest(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, { consumerGroup: group }))
    }
  }

  #handle(request: RemotingCommand, channel: RemotingChannel): RemotingCommand | null {
    const f = request.extFields
    switch (request.code) {
      case RequestCode.SEND_MESSAGE_V2:
      case RequestCode.SEND_BATCH_MESSAGE: {
        const topic = f.b as string
        const queueId = Number(f.e)
        const props = decodeProperties(f.i ?? '')
        delete props.WAIT
        if (request.code === RequestCode.SEND_BATCH_MESSAGE) {
          const stored = decodeBatchMessages(request.body ?? Buffer.alloc(0)).map((m) =>
            this.put({ topic, queueId, body: m.body, properties: m.properties, flag: m.flag }))
          return this.#sendOk(request, stored)
        }
        const stored = this.put({ topic, queueId, body: request.body ?? Buffer.alloc(0), properties: props, flag: Number(f.h), sysFlag: Number(f.f), reconsumeTimes: Number(f.j ?? 0) })
        return this.#sendOk(request, [stored])
      }
      case RequestCode.PULL_MESSAGE: {
        const response = this.#pull(request, channel, true)
        if (response) this.#applyLateCommit(request)
        return response
      }
      case RequestCode.HEART_BEAT: {
        const data = parseJsonLenient(request.body?.toString('utf8') ?? '{}') as HeartbeatData
        this.heartbeats.push(data)
        let changed = false
        for (const consumer of data.consumerDataSet ?? []) {
          const members = this.consumers.get(consumer.groupName) ?? new Map<string, RemotingChannel>()
          this.consumers.set(consumer.groupName, members)
          if (!members.has(data.clientID)) changed = true
          members.set(data.clientID, channel)
          channel.onClose(() => {
            if (members.get(data.clientID) === channel) {
              members.delete(data.clientID)
              this.notifyConsumerIdsChanged(consumer.groupName)
            }
          })
          if (changed) this.notifyConsumerIdsChanged(consumer.groupName)
        }
        return createResponse(request, ResponseCode.SUCCESS)
      }
      case RequestCode.UNREGISTER_CLIENT: {
        const group = f.consumerGroup
        if (group && this.consumers.get(group)?.delete(f.clientID ?? '')) this.notifyConsumerIdsChanged(group)
        return createResponse(request, ResponseCode.SUCCESS)
      }
      case RequestCode.GET_CONSUMER_LIST_BY_GROUP: {
        const ids = [...(this.consumers.get(f.consumerGroup ?? '')?.keys() ?? [])]
        if (ids.length === 0) return createResponse(request, ResponseCode.SYSTEM_ERROR, `no consumer for this group, ${f.consumerGroup}`)
        return createResponse(request, ResponseCode.SUCCESS, null, {}, Buffer.from(stringifyJson({ consumerIdList: ids })))
      }
      case RequestCode.QUERY_CONSUMER_OFFSET: {
        const offset = this.offsets.get(`${f.consumerGroup}@${f.topic}:${f.queueId}`)
        if (offset === undefined) return createResponse(request, ResponseCode.QUERY_NOT_FOUND, 'Not found, V3_0_6_SNAPSHOT maybe this group consumer boot first')
        return createResponse(request, ResponseCode.SUCCESS, null, { offset })
      }
      case RequestCode.UPDATE_CONSUMER_OFFSET: {
        this.offsets.set(`${f.consumerGroup}@${f.topic}:${f.queueId}`, Number(f.commitOffset))
        this.#applyLateCommit(request) // lateCommitOfPull: an earlier pull's evaluation "finishes" after this commit
        return createResponse(request, ResponseCode.SUCCESS)
      }
      case RequestCode.GET_MAX_OFFSET:
        return createResponse(request, ResponseCode.SUCCESS, null, { offset: this.queues.get(`${f.topic}:${f.queueId}`)?.length ?? 0 })
      case RequestCode.GET_MIN_OFFSET:
        return createResponse(request, ResponseCode.SUCCESS, null, { offset: 0 })
      case RequestCode.SEARCH_OFFSET_BY_TIMESTAMP:
        return createResponse(request, ResponseCode.SUCCESS, null, { offset: 0 })
      case RequestCode.CONSUMER_SEND_MSG_BACK: {
        const original = this.byPhyOffset.get(Number(f.offset))
        if (!original) return createResponse(request, ResponseCode.SYSTEM_ERROR, 'look message by offset failed')
        const properties = { ...original.properties }
        if (!properties.RETRY_TOPIC) properties.RETRY_TOPIC = original.topic
        if (!properties.ORIGIN_MESSAGE_ID) properties.ORIGIN_MESSAGE_ID = f.originMsgId ?? ''
        // No delay levels here: the retry message is visible at once.
        this.put({ topic: `%RETRY%${f.group}`, queueId: 0, body: original.body, properties, flag: original.flag, sysFlag: original.sysFlag, reconsumeTimes: original.reconsumeTimes + 1 })
        return createResponse(request, ResponseCode.SUCCESS)
      }
      case RequestCode.UPDATE_AND_CREATE_TOPIC:
        return createResponse(request, ResponseCode.SUCCESS)
      case RequestCode.QUERY_MESSAGE: {
        // A deliberately loose "index": a substring of KEYS or UNIQ_KEY matches, like a hash collision would, so
        // tests see the client's exact re-check. Newest first, at most maxNum (32 for a unique-key query).
        const maxNum = f._UNIQUE_KEY_QUERY === 'true' ? 32 : Number(f.maxNum)
        const hits = [...this.byPhyOffset.values()]
          .filter((s) => s.topic === f.topic && `${s.properties.KEYS ?? ''} ${s.properties.UNIQ_KEY ?? ''}`.includes(f.key ?? ''))
          .reverse()
          .slice(0, maxNum)
        if (hits.length === 0) return createResponse(request, ResponseCode.QUERY_NOT_FOUND, 'can not find message, maybe time range not correct')
        return createResponse(request, ResponseCode.SUCCESS, null, { indexLastUpdateTimestamp: Date.now(), indexLastUpdatePhyoffset: this.#phyOffset }, Buffer.concat(hits.map((s) => s.record)))
      }
      case RequestCode.VIEW_MESSAGE_BY_ID: {
        const stored = this.byPhyOffset.get(Number(f.offset))
        if (!stored) return createResponse(request, ResponseCode.SYSTEM_ERROR, `can not find message by the offset, ${f.offset}`)
        return createResponse(request, ResponseCode.SUCCESS, null, {}, stored.record)
      }
      default:
        return createResponse(request, ResponseCode.REQUEST_CODE_NOT_SUPPORTED, ` request type ${request.code} not supported`)
    }
  }

  #sendOk(request: RemotingCommand, stored: StoredRecord[]): RemotingCommand {
    const first = stored[0] as StoredRecord
    return createResponse(request, ResponseCode.SUCCESS, null, {
      msgId: stored.map((s) => createOffsetMsgId('127.0.0.1', this.server.port, s.commitLogOffset)).join(','),
      queueId: first.queueId,
      queueOffset: first.queueOffset,
      MSG_REGION: 'DefaultRegion',
      TRACE_ON: 'true',
    })
  }

  #pull(request: RemotingCommand, channel: RemotingChannel, mayPark: boolean): RemotingCommand | null {
    const f = request.extFields
    const key = `${f.topic}:${f.queueId}`
    const list = this.queues.get(key) ?? []
    const offset = Number(f.queueOffset)
    const sysFlag = Number(f.sysFlag)
    if (mayPark && PullSysFlag.hasCommitOffsetFlag(sysFlag)) {
      const offsetKey = `${f.consumerGroup}@${key}`
      if (this.lateCommitOfPull) this.#lateCommits.set(offsetKey, Number(f.commitOffset))
      else this.offsets.set(offsetKey, Number(f.commitOffset))
    }
    const header = (next: number) => ({ suggestWhichBrokerId: 0, nextBeginOffset: next, minOffset: 0, maxOffset: list.length })
    if (offset > list.length) return createResponse(request, ResponseCode.PULL_OFFSET_MOVED, 'OFFSET_OVERFLOW_BADLY', header(list.length))
    if (offset === list.length) {
      if (mayPark && PullSysFlag.hasSuspendFlag(sysFlag)) {
        const hold = Math.min(Number(f.suspendTimeoutMillis), this.holdMs)
        const parked: Parked = { request, channel, key, timer: setTimeout(() => this.#answerParked(parked), hold) }
        this.#parked.add(parked)
        return null
      }
      return createResponse(request, ResponseCode.PULL_NOT_FOUND, 'OFFSET_OVERFLOW_ONE', header(offset))
    }
    const max = Number(f.maxMsgNums)
    const codes = new Set(f.subscription && f.subscription !== '*' ? f.subscription.split('||').map((t) => tagsStringToTagsCode(t.trim())) : [])
    const found: Buffer[] = []
    let next = offset
    while (next < list.length && found.length < max) {
      const stored = list[next] as StoredRecord
      next++
      if (codes.size === 0 || codes.has(stored.tagsCode) || this.ignoreTagFilter) found.push(stored.record)
    }
    if (found.length === 0) return createResponse(request, ResponseCode.PULL_RETRY_IMMEDIATELY, 'NO_MATCHED_MESSAGE', header(next))
    return createResponse(request, ResponseCode.SUCCESS, 'FOUND', header(next), Buffer.concat(found))
  }

  /** When true the broker returns every message regardless of tags (to exercise the client re-filter). */
  ignoreTagFilter = false

  /**
   * When true the COMMIT_OFFSET of a pull is applied late: right after the next UPDATE_CONSUMER_OFFSET of the same
   * queue (or when the pull is answered), as a broker does that evaluates a pull asynchronously (CometMQ's store read)
   * and so may finish it after a commit that the client sent later on the same connection.
   */
  lateCommitOfPull = false
  readonly #lateCommits = new Map<string, number>()

  #applyLateCommit(request: RemotingCommand): void {
    const f = request.extFields
    const offsetKey = `${f.consumerGroup}@${f.topic}:${f.queueId}`
    const late = this.#lateCommits.get(offsetKey)
    if (late === undefined) return
    this.#lateCommits.delete(offsetKey)
    this.offsets.set(offsetKey, late)
  }

  #answerParked(parked: Parked): void {
    if (!this.#parked.delete(parked)) return
    clearTimeout(parked.timer)
    this.#applyLateCommit(parked.request)
    const response = this.#pull(parked.request, parked.channel, false)
    if (response) parked.channel.send(response)
  }

  #wake(key: string): void {
    for (const parked of [...this.#parked]) if (parked.key === key) this.#answerParked(parked)
  }
}

/** Starts a name server and `count` brokers (`broker-a`, `broker-b`, …). */
export async function startFakeCluster(count = 1): Promise<{ namesrv: FakeNamesrv; brokers: FakeBroker[]; close: () => Promise<void> }> {
  const namesrv = await new FakeNamesrv().start()
  const brokers: FakeBroker[] = []
  for (let i = 0; i < count; i++) brokers.push(await new FakeBroker(`broker-${String.fromCharCode(97 + i)}`).start())
  return {
    namesrv,
    brokers,
    close: async () => {
      await Promise.all([namesrv.close(), ...brokers.map((b) => b.close())])
    },
  }
}

/** Rejects with a clear message when `promise` does not settle within `ms` (a bound, not a sleep). */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** A promise with its resolve function exposed. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

/**
 * Resolves once `predicate()` holds, re-checking every few ms; rejects after `timeoutMs` (a bound on an
 * awaited condition, never a fixed sleep).
 */
export async function eventually(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
