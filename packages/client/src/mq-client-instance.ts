/**
 * The shared core of a client (RocketMQ `MQClientInstance`): one RemotingClient, the name-server list,
 * the topic route cache (refreshed every `pollNameServerInterval`), the broker address table, heartbeats to
 * every known broker (every `heartbeatBrokerInterval`), UNREGISTER_CLIENT on shutdown, and handling of
 * server-initiated requests (NOTIFY_CONSUMER_IDS_CHANGED ⇒ immediate rebalance).
 *
 * Producers and push consumers register themselves as members by group. The instance is reference-counted:
 * each member's start() calls `start()` and its shutdown() calls `shutdown()`; the last one closes it.
 */
import { MQClientError, MixAll, RequestCode, ResponseCode, createResponse, isOneway, noopLogger } from '@cometmq/protocol'
import type { ConsumerData, HeartbeatData, Logger, RemotingCommand, RequestProcessor, TopicRouteData } from '@cometmq/protocol'
import { MQClientAPI } from './client-api.js'
import { buildClientId, getLocalIPv4, parseNamesrvAddr } from './client-id.js'
import { masterAddrOf, sameTopicRoute } from './topic-route.js'
import type { BrokerAddrs } from './topic-route.js'
import type { ClientOptions } from './types.js'

/** A producer registered with an instance. */
export interface ProducerMember {
  readonly group: string
  /** Topics whose routes the periodic refresh should keep current. */
  publishTopics(): Iterable<string>
  /** Called with every freshly fetched route of any topic. */
  updateTopicPublishInfo(topic: string, route: TopicRouteData): void
}

/** A consumer registered with an instance. */
export interface ConsumerMember {
  readonly group: string
  subscribeTopics(): Iterable<string>
  updateTopicSubscribeInfo(topic: string, route: TopicRouteData): void
  /** This consumer's entry in the HEART_BEAT body. */
  consumerData(): ConsumerData
  /** Schedule a rebalance now (coalesced). */
  rebalanceImmediately(): void
}

/** Resolved client options with defaults applied. */
export interface ResolvedClientConfig {
  namesrvAddrs: string[]
  clientIP: string
  clientId: string
  logger: Logger
  requestTimeoutMs: number
  pollNameServerInterval: number
  heartbeatBrokerInterval: number
}

/** Applies defaults and validates ClientOptions. @throws TypeError on a bad value. */
export function resolveClientConfig(options: ClientOptions): ResolvedClientConfig {
  if (!options || typeof options !== 'object') throw new TypeError('client options are required')
  const clientIP = options.clientIP ?? getLocalIPv4()
  return {
    namesrvAddrs: parseNamesrvAddr(options.namesrvAddr),
    clientIP,
    clientId: buildClientId(clientIP, options.instanceName),
    logger: options.logger ?? noopLogger,
    requestTimeoutMs: positive(options.requestTimeoutMs, 3000, 'requestTimeoutMs'),
    pollNameServerInterval: positive(options.pollNameServerInterval, 30_000, 'pollNameServerInterval'),
    heartbeatBrokerInterval: positive(options.heartbeatBrokerInterval, 30_000, 'heartbeatBrokerInterval'),
  }
}

/** `value` if a positive finite number, `fallback` if undefined. @throws RangeError otherwise. */
export function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number, got ${String(value)}`)
  return value
}

export class MQClientInstance {
  readonly clientId: string
  readonly clientIP: string
  readonly logger: Logger
  readonly api: MQClientAPI
  readonly config: ResolvedClientConfig
  readonly #producers = new Map<string, ProducerMember>()
  readonly #consumers = new Map<string, ConsumerMember>()
  readonly #routes = new Map<string, TopicRouteData>()
  readonly #brokerAddrTable = new Map<string, BrokerAddrs>()
  readonly #routeLookups = new Map<string, Promise<TopicRouteData | null>>()
  readonly #tasks = new Set<Promise<unknown>>()
  #timers: NodeJS.Timeout[] = []
  #refCount = 0
  #state: 'CREATED' | 'RUNNING' | 'SHUTDOWN' = 'CREATED'
  #heartbeatChain: Promise<void> = Promise.resolve()
  #shutdownPromise: Promise<void> | null = null

  constructor(options: ClientOptions | ResolvedClientConfig) {
    this.config = 'clientId' in options ? options : resolveClientConfig(options)
    this.clientId = this.config.clientId
    this.clientIP = this.config.clientIP
    this.logger = this.config.logger.child('client')
    this.api = new MQClientAPI({
      namesrvAddrs: this.config.namesrvAddrs,
      requestTimeoutMs: this.config.requestTimeoutMs,
      logger: this.logger,
      onRequest: this.#onRequest,
    })
  }

  /** True between the first start() and the final shutdown(). */
  get running(): boolean {
    return this.#state === 'RUNNING'
  }

  /** Starts timers on the first call; later calls only add a reference. @throws MQClientError NOT_STARTED after shutdown. */
  start(): void {
    if (this.#state === 'SHUTDOWN') throw new MQClientError('NOT_STARTED', `client instance ${this.clientId} has been shut down`)
    this.#refCount++
    if (this.#state === 'RUNNING') return
    this.#state = 'RUNNING'
    this.#every(this.config.pollNameServerInterval, () => this.updateAllTopicRoutes())
    this.#every(this.config.heartbeatBrokerInterval, () => this.sendHeartbeatToAllBrokers())
    this.logger.info('client instance started', { clientId: this.clientId, namesrvAddr: this.config.namesrvAddrs.join(';') })
  }

  /** Drops one reference; the last one stops timers, waits for background work and closes connections. */
  async shutdown(): Promise<void> {
    if (this.#state !== 'RUNNING') return this.#shutdownPromise ?? undefined
    if (--this.#refCount > 0) return
    this.#state = 'SHUTDOWN'
    for (const timer of this.#timers) clearInterval(timer)
    this.#timers = []
    this.#shutdownPromise = (async () => {
      await Promise.allSettled([...this.#tasks, this.#heartbeatChain])
      await this.api.close()
      this.logger.info('client instance shut down', { clientId: this.clientId })
    })()
    return this.#shutdownPromise
  }

  /** Runs `task` every `ms` (unref'd timer); errors are logged; each run is awaited on shutdown. */
  #every(ms: number, task: () => Promise<unknown>): void {
    const timer = setInterval(() => this.track(task()), ms)
    timer.unref()
    this.#timers.push(timer)
  }

  /** Keeps `promise` until it settles so shutdown() can wait for it; rejections are logged. */
  track(promise: Promise<unknown>): void {
    const tracked = promise.catch((error: unknown) => this.logger.warn('background task failed', { error: String(error) }))
    this.#tasks.add(tracked)
    void tracked.finally(() => this.#tasks.delete(tracked))
  }

  // ---------------------------------------------------------------- members

  /** @throws MQClientError DUPLICATE_GROUP when the group is already registered on this instance. */
  registerProducer(member: ProducerMember): void {
    if (this.#producers.has(member.group)) {
      throw new MQClientError('DUPLICATE_GROUP', `The producer group[${member.group}] has been created before, specify another name please.`)
    }
    this.#producers.set(member.group, member)
  }

  /** @throws MQClientError DUPLICATE_GROUP when the group is already registered on this instance. */
  registerConsumer(member: ConsumerMember): void {
    if (this.#consumers.has(member.group)) {
      throw new MQClientError('DUPLICATE_GROUP', `The consumer group[${member.group}] has been created before, specify another name please.`)
    }
    this.#consumers.set(member.group, member)
  }

  /** Removes the producer and sends UNREGISTER_CLIENT for its group to every known broker (errors logged). */
  async unregisterProducer(group: string): Promise<void> {
    if (this.#producers.get(group) === undefined) return
    this.#producers.delete(group)
    await this.#unregisterClient({ producerGroup: group })
  }

  /** Removes the consumer and sends UNREGISTER_CLIENT for its group to every known broker (errors logged). */
  async unregisterConsumer(group: string): Promise<void> {
    if (this.#consumers.get(group) === undefined) return
    this.#consumers.delete(group)
    await this.#unregisterClient({ consumerGroup: group })
  }

  async #unregisterClient(group: { producerGroup?: string; consumerGroup?: string }): Promise<void> {
    const calls: Promise<void>[] = []
    for (const [brokerName, addrs] of this.#brokerAddrTable) {
      for (const addr of Object.values(addrs)) {
        calls.push(
          this.api.unregisterClient(addr, this.clientId, group).catch((error: unknown) => {
            this.logger.warn('unregister client failed', { brokerName, remoteAddr: addr, ...group, error: String(error) })
          }),
        )
      }
    }
    await Promise.all(calls)
  }

  // ---------------------------------------------------------------- routes

  /** Cached route of `topic` (no network). */
  getCachedRoute(topic: string): TopicRouteData | undefined {
    return this.#routes.get(topic)
  }

  /**
   * Fetches the route of `topic` from a name server (concurrent calls for one topic share one request),
   * caches it, refreshes the broker address table and hands it to every member.
   * @returns the route, or null when the name server has none (TOPIC_NOT_EXIST); the old cache entry stays.
   * @throws network errors / MQBrokerError from the name server.
   */
  updateTopicRoute(topic: string): Promise<TopicRouteData | null> {
    const pending = this.#routeLookups.get(topic)
    if (pending) return pending
    const lookup = this.#fetchRoute(topic).finally(() => this.#routeLookups.delete(topic))
    this.#routeLookups.set(topic, lookup)
    return lookup
  }

  async #fetchRoute(topic: string): Promise<TopicRouteData | null> {
    const route = await this.api.getTopicRouteInfo(topic)
    if (!route) return null
    const changed = !sameTopicRoute(this.#routes.get(topic), route)
    this.#routes.set(topic, route)
    const newBroker = this.mergeBrokerAddrs(route)
    for (const producer of this.#producers.values()) producer.updateTopicPublishInfo(topic, route)
    for (const consumer of this.#consumers.values()) consumer.updateTopicSubscribeInfo(topic, route)
    if (changed) this.logger.debug('topic route changed', { topic })
    // A broker we never heartbeated to does not know our consumers yet; tell it now rather than in 30 s.
    if (newBroker && this.#consumers.size > 0 && this.running) this.track(this.sendHeartbeatToAllBrokers())
    return route
  }

  /** Adds the route's broker addresses to the table. @returns true when a broker address was not known before. */
  mergeBrokerAddrs(route: TopicRouteData): boolean {
    let added = false
    for (const brokerData of route.brokerDatas) {
      const old = this.#brokerAddrTable.get(brokerData.brokerName)
      for (const [id, addr] of Object.entries(brokerData.brokerAddrs ?? {})) {
        if (old?.[id] !== addr) added = true
      }
      this.#brokerAddrTable.set(brokerData.brokerName, { ...brokerData.brokerAddrs })
    }
    return added
  }

  /** Refreshes the routes of every member topic (periodic task); failures are logged per topic. */
  async updateAllTopicRoutes(): Promise<void> {
    const topics = new Set<string>()
    for (const consumer of this.#consumers.values()) for (const topic of consumer.subscribeTopics()) topics.add(topic)
    for (const producer of this.#producers.values()) for (const topic of producer.publishTopics()) topics.add(topic)
    await Promise.all(
      [...topics].map((topic) =>
        this.updateTopicRoute(topic).catch((error: unknown) => {
          this.logger.warn('route refresh failed', { topic, error: String(error) })
        }),
      ),
    )
    this.#cleanOfflineBrokers()
  }

  /** Drops brokers that no cached route mentions any more (RocketMQ `cleanOfflineBroker`). */
  #cleanOfflineBrokers(): void {
    const live = new Set<string>()
    for (const route of this.#routes.values()) for (const brokerData of route.brokerDatas) live.add(brokerData.brokerName)
    for (const brokerName of [...this.#brokerAddrTable.keys()]) {
      if (!live.has(brokerName)) this.#brokerAddrTable.delete(brokerName)
    }
  }

  /** Master address of `brokerName`, if known. */
  findBrokerAddressInPublish(brokerName: string): string | undefined {
    const addrs = this.#brokerAddrTable.get(brokerName)
    return addrs?.[String(MixAll.MASTER_ID)]
  }

  /**
   * Address of `brokerId` under `brokerName`; unless `onlyThisBroker`, falls back to any address of that broker
   * (RocketMQ `findBrokerAddressInSubscribe`).
   */
  findBrokerAddressInSubscribe(brokerName: string, brokerId: number, onlyThisBroker: boolean): { addr: string; brokerId: number } | undefined {
    const addrs = this.#brokerAddrTable.get(brokerName)
    if (!addrs) return undefined
    const exact = addrs[String(brokerId)]
    if (exact !== undefined) return { addr: exact, brokerId }
    if (onlyThisBroker) return undefined
    const master = addrs[String(MixAll.MASTER_ID)]
    if (master !== undefined) return { addr: master, brokerId: MixAll.MASTER_ID }
    for (const [id, addr] of Object.entries(addrs)) return { addr, brokerId: Number(id) }
    return undefined
  }

  /** One broker serving `topic` (random; its master if it has one), from the cached route. */
  findBrokerAddrByTopic(topic: string): string | undefined {
    const brokerDatas = this.#routes.get(topic)?.brokerDatas ?? []
    if (brokerDatas.length === 0) return undefined
    const brokerData = brokerDatas[Math.floor(Math.random() * brokerDatas.length)]
    return masterAddrOf(brokerData) ?? Object.values(brokerData?.brokerAddrs ?? {})[0]
  }

  /**
   * GET_CONSUMER_LIST_BY_GROUP from one broker of `topic` (§7.12).
   * @throws MQClientError NO_ROUTE when no broker of the topic is known; network errors / MQBrokerError.
   */
  async findConsumerIdList(topic: string, group: string): Promise<string[]> {
    let addr = this.findBrokerAddrByTopic(topic)
    if (addr === undefined) {
      await this.updateTopicRoute(topic)
      addr = this.findBrokerAddrByTopic(topic)
    }
    if (addr === undefined) throw new MQClientError('NO_ROUTE', `no broker known for topic ${topic}`)
    return this.api.getConsumerIdListByGroup(addr, group)
  }

  // ---------------------------------------------------------------- heartbeat

  /** HeartbeatData for every registered group (§3.3). */
  buildHeartbeatData(): HeartbeatData {
    return {
      clientID: this.clientId,
      producerDataSet: [...this.#producers.keys()].map((groupName) => ({ groupName })),
      consumerDataSet: [...this.#consumers.values()].map((consumer) => consumer.consumerData()),
    }
  }

  /**
   * HEART_BEAT to every known broker (slaves only when there are consumers). Runs are serialised; each caller
   * waits for a run that started after its call. Per-broker failures are logged, never thrown.
   */
  sendHeartbeatToAllBrokers(): Promise<void> {
    const run = this.#heartbeatChain.then(() => this.#heartbeatOnce())
    this.#heartbeatChain = run
    return run
  }

  async #heartbeatOnce(): Promise<void> {
    if (this.#producers.size === 0 && this.#consumers.size === 0) return
    const data = this.buildHeartbeatData()
    const hasConsumers = data.consumerDataSet.length > 0
    const calls: Promise<void>[] = []
    for (const [brokerName, addrs] of this.#brokerAddrTable) {
      for (const [id, addr] of Object.entries(addrs)) {
        if (!hasConsumers && id !== String(MixAll.MASTER_ID)) continue
        calls.push(
          this.api.heartbeat(addr, data).catch((error: unknown) => {
            this.logger.warn('heartbeat failed', { brokerName, remoteAddr: addr, error: String(error) })
          }),
        )
      }
    }
    await Promise.all(calls)
  }

  // ---------------------------------------------------------------- server-initiated requests

  /** Broker → client requests (§3.8). Only NOTIFY_CONSUMER_IDS_CHANGED is acted on. */
  readonly #onRequest: RequestProcessor = (request: RemotingCommand) => {
    if (request.code === RequestCode.NOTIFY_CONSUMER_IDS_CHANGED) {
      const group = request.extFields.consumerGroup
      this.logger.info('consumer ids changed, rebalancing', { consumerGroup: group })
      const consumer = group === undefined ? undefined : this.#consumers.get(group)
      if (consumer) consumer.rebalanceImmediately()
      else for (const member of this.#consumers.values()) member.rebalanceImmediately()
      return isOneway(request) ? null : createResponse(request, ResponseCode.SUCCESS)
    }
    if (isOneway(request)) return null
    return createResponse(request, ResponseCode.REQUEST_CODE_NOT_SUPPORTED, ` request type ${request.code} not supported`)
  }
}
