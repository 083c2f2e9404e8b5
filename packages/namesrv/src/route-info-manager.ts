import type { BrokerData, ClusterInfo, DataVersion, Logger, QueueData, TopicRouteData } from '@cometmq/protocol'
import { noopLogger } from '@cometmq/protocol'
import { NamesrvEvents } from './namesrv-events.js'
import type { BrokerRemovedReason } from './namesrv-events.js'
import type { BrokerChannel, RegisterBrokerInput, RegisterBrokerResult, RegisteredTopicConfig } from './route-types.js'

/**
 * Broker id of a master. Source: RocketMQ `MixAll.MASTER_ID` (0); slaves use ids > 0.
 */
export const MASTER_ID = 0

/**
 * WRITE bit of a topic/queue `perm`. Source: RocketMQ `PermName.PERM_WRITE` (2); READ = 4, INHERIT = 1.
 */
export const PERM_WRITE = 2

interface BrokerLiveInfo {
  lastUpdateTimestamp: number
  heartbeatTimeoutMillis: number
  dataVersion: DataVersion | null
  channel: BrokerChannel | null
  haServerAddr: string
  clusterName: string
  brokerName: string
}

interface BrokerDataEntry {
  cluster: string
  brokerName: string
  brokerAddrs: Map<number, string>
}

export interface RouteInfoManagerOptions {
  /** Default ms after the last registration at which a broker is removed. Source: RocketMQ `BROKER_CHANNEL_EXPIRED_TIME` (120000). */
  brokerChannelExpiredTime?: number
  /** Clock in ms; injectable for tests. */
  now?: () => number
  logger?: Logger
  events?: NamesrvEvents
}

/**
 * The name server's route registry (RocketMQ `RouteInfoManager`, 4.9 semantics, remoting-protocol.md §7.2).
 *
 * Tables: topic → brokerName → QueueData; brokerName → BrokerData; cluster → brokerNames; brokerAddr → live info;
 * brokerAddr → filter servers. Pure in-memory and synchronous; JS's single thread replaces Java's read/write lock.
 */
export class RouteInfoManager {
  readonly events: NamesrvEvents
  readonly #topicQueueTable = new Map<string, Map<string, QueueData>>()
  readonly #brokerAddrTable = new Map<string, BrokerDataEntry>()
  readonly #clusterAddrTable = new Map<string, Set<string>>()
  readonly #brokerLiveTable = new Map<string, BrokerLiveInfo>()
  readonly #filterServerTable = new Map<string, string[]>()
  readonly #expiredTime: number
  readonly #now: () => number
  readonly #logger: Logger

  constructor(options: RouteInfoManagerOptions = {}) {
    this.#expiredTime = options.brokerChannelExpiredTime ?? 120_000
    this.#now = options.now ?? Date.now
    this.#logger = options.logger ?? noopLogger
    this.events = options.events ?? new NamesrvEvents()
  }

  /**
   * Registers (or refreshes) a broker. QueueData is rebuilt only from master registrations whose DataVersion
   * differs from the stored one, or on the broker's first registration. An address re-registering under a new
   * id first loses its old id entry (slave promoted to master).
   * @returns for a slave whose master is alive: the master's `masterAddr` and `haServerAddr`; otherwise `{}`.
   */
  registerBroker(input: RegisterBrokerInput): RegisterBrokerResult {
    const { clusterName, brokerAddr, brokerName, brokerId } = input
    let brokerNames = this.#clusterAddrTable.get(clusterName)
    if (brokerNames === undefined) this.#clusterAddrTable.set(clusterName, (brokerNames = new Set()))
    brokerNames.add(brokerName)

    let registerFirst = false
    let brokerData = this.#brokerAddrTable.get(brokerName)
    if (brokerData === undefined) {
      registerFirst = true
      brokerData = { cluster: clusterName, brokerName, brokerAddrs: new Map() }
      this.#brokerAddrTable.set(brokerName, brokerData)
    }
    for (const [id, addr] of brokerData.brokerAddrs) {
      if (addr === brokerAddr && id !== brokerId) brokerData.brokerAddrs.delete(id)
    }
    const oldAddr = brokerData.brokerAddrs.get(brokerId)
    brokerData.brokerAddrs.set(brokerId, brokerAddr)
    registerFirst ||= oldAddr === undefined

    if (input.dataVersion !== null && brokerId === MASTER_ID) {
      if (registerFirst || this.isBrokerTopicConfigChanged(brokerAddr, input.dataVersion)) {
        for (const topicConfig of input.topicConfigs) this.#createAndUpdateQueueData(brokerName, topicConfig)
      }
    }

    const previous = this.#brokerLiveTable.get(brokerAddr)
    this.#brokerLiveTable.set(brokerAddr, {
      lastUpdateTimestamp: this.#now(),
      heartbeatTimeoutMillis: input.heartbeatTimeoutMillis ?? this.#expiredTime,
      dataVersion: input.dataVersion,
      channel: input.channel,
      haServerAddr: input.haServerAddr,
      clusterName,
      brokerName,
    })
    if (previous === undefined) {
      this.#logger.info('new broker registered', { brokerName, brokerAddr, brokerId, clusterName, haServerAddr: input.haServerAddr })
    }
    if (input.filterServerList.length === 0) this.#filterServerTable.delete(brokerAddr)
    else this.#filterServerTable.set(brokerAddr, [...input.filterServerList])

    const result: RegisterBrokerResult = {}
    if (brokerId !== MASTER_ID) {
      const masterAddr = brokerData.brokerAddrs.get(MASTER_ID)
      const masterLive = masterAddr === undefined ? undefined : this.#brokerLiveTable.get(masterAddr)
      if (masterAddr !== undefined && masterLive !== undefined) {
        result.masterAddr = masterAddr
        result.haServerAddr = masterLive.haServerAddr
      }
    }
    this.events.emit('BROKER_REGISTERED', { clusterName, brokerName, brokerAddr, brokerId, firstRegistration: previous === undefined })
    return result
  }

  /** True when `dataVersion` differs from the one stored for `brokerAddr` (or none is stored). Source: `isBrokerTopicConfigChanged`. */
  isBrokerTopicConfigChanged(brokerAddr: string, dataVersion: DataVersion): boolean {
    const stored = this.#brokerLiveTable.get(brokerAddr)?.dataVersion
    return stored == null || !dataVersionEquals(stored, dataVersion)
  }

  /** The DataVersion last registered by `brokerAddr`, or null. */
  queryBrokerTopicConfig(brokerAddr: string): DataVersion | null {
    return this.#brokerLiveTable.get(brokerAddr)?.dataVersion ?? null
  }

  /** Refreshes a broker's liveness without a full registration (QUERY_DATA_VERSION unchanged, 5.x BROKER_HEARTBEAT). */
  updateBrokerInfoUpdateTimestamp(brokerAddr: string): void {
    const live = this.#brokerLiveTable.get(brokerAddr)
    if (live !== undefined) live.lastUpdateTimestamp = this.#now()
  }

  /**
   * Removes one broker address (UNREGISTER_BROKER). When it was the last address of `brokerName`, the broker name
   * leaves its cluster and its QueueData leaves every topic (topics left without queues disappear).
   */
  unregisterBroker(clusterName: string, brokerAddr: string, brokerName: string, brokerId: number): void {
    this.#brokerLiveTable.delete(brokerAddr)
    this.#filterServerTable.delete(brokerAddr)
    const brokerData = this.#brokerAddrTable.get(brokerName)
    let removeBrokerName = false
    if (brokerData !== undefined) {
      brokerData.brokerAddrs.delete(brokerId)
      if (brokerData.brokerAddrs.size === 0) {
        this.#brokerAddrTable.delete(brokerName)
        removeBrokerName = true
      }
    }
    if (removeBrokerName) {
      this.#removeFromCluster(clusterName, brokerName)
      this.#removeTopicByBrokerName(brokerName)
    }
    this.#logger.info('broker unregistered', { brokerName, brokerAddr, brokerId, clusterName })
    this.events.emit('BROKER_REMOVED', { clusterName, brokerName, brokerAddr, reason: 'UNREGISTER' })
  }

  /**
   * A connection closed: removes the broker that registered over it, if any. Source: `onChannelDestroy`.
   * @returns the removed broker address, or null when the channel belonged to no broker (a client).
   */
  onChannelClosed(channel: BrokerChannel): string | null {
    for (const [brokerAddr, live] of this.#brokerLiveTable) {
      if (live.channel !== null && live.channel.id === channel.id) {
        this.#removeBrokerAddr(brokerAddr, 'CHANNEL_CLOSED')
        return brokerAddr
      }
    }
    return null
  }

  /**
   * Removes every broker whose last registration is older than its expiry (default `brokerChannelExpiredTime`)
   * and closes its channel. Source: `scanNotActiveBroker`.
   * @returns the removed broker addresses.
   */
  scanNotActiveBroker(): string[] {
    const now = this.#now()
    const removed: string[] = []
    for (const [brokerAddr, live] of [...this.#brokerLiveTable]) {
      if (live.lastUpdateTimestamp + live.heartbeatTimeoutMillis < now) {
        this.#logger.warn('the broker channel expired', { brokerAddr, brokerName: live.brokerName, expiredMs: live.heartbeatTimeoutMillis })
        this.#removeBrokerAddr(brokerAddr, 'EXPIRED')
        live.channel?.close()
        removed.push(brokerAddr)
      }
    }
    return removed
  }

  /**
   * The route of `topic`: its QueueDatas, the BrokerDatas of those broker names (all ids, slaves included) and the
   * filter servers of those addresses. Source: `pickupTopicRouteData`.
   * @returns null when the topic has no queue data or none of its brokers is known (→ TOPIC_NOT_EXIST).
   */
  pickupTopicRouteData(topic: string): TopicRouteData | null {
    const queueMap = this.#topicQueueTable.get(topic)
    if (queueMap === undefined || queueMap.size === 0) return null
    const brokerDatas: BrokerData[] = []
    const filterServerTable: Record<string, string[]> = {}
    for (const brokerName of queueMap.keys()) {
      const brokerData = this.#brokerAddrTable.get(brokerName)
      if (brokerData === undefined) continue
      const view = toBrokerDataView(brokerData)
      brokerDatas.push(view)
      for (const addr of Object.values(view.brokerAddrs)) {
        const filterServers = this.#filterServerTable.get(addr)
        if (filterServers !== undefined) filterServerTable[addr] = [...filterServers]
      }
    }
    if (brokerDatas.length === 0) return null
    return { brokerDatas, filterServerTable, queueDatas: [...queueMap.values()].map((q) => ({ ...q })) }
  }

  /** Snapshot for GET_BROKER_CLUSTER_INFO. */
  getAllClusterInfo(): ClusterInfo {
    const brokerAddrTable: Record<string, BrokerData> = {}
    for (const [brokerName, data] of this.#brokerAddrTable) brokerAddrTable[brokerName] = toBrokerDataView(data)
    const clusterAddrTable: Record<string, string[]> = {}
    for (const [cluster, names] of this.#clusterAddrTable) clusterAddrTable[cluster] = [...names]
    return { brokerAddrTable, clusterAddrTable }
  }

  /** Every topic that has queue data (GET_ALL_TOPIC_LIST_FROM_NAMESERVER). */
  getAllTopicList(): string[] {
    return [...this.#topicQueueTable.keys()]
  }

  /** Topics served by at least one broker of `cluster` (GET_TOPICS_BY_CLUSTER); [] for an unknown cluster. */
  getTopicsByCluster(cluster: string): string[] {
    const brokerNames = this.#clusterAddrTable.get(cluster)
    if (brokerNames === undefined) return []
    const topics: string[] = []
    for (const [topic, queueMap] of this.#topicQueueTable) {
      for (const brokerName of queueMap.keys()) {
        if (brokerNames.has(brokerName)) {
          topics.push(topic)
          break
        }
      }
    }
    return topics
  }

  /**
   * Cluster names and broker names (the system topics), plus one broker address (GET_SYSTEM_TOPIC_LIST_FROM_NS).
   * Source: `getSystemTopicList`.
   */
  getSystemTopicList(): { topicList: string[]; brokerAddr?: string } {
    const topics = new Set<string>()
    let brokerAddr: string | undefined
    for (const [cluster, names] of this.#clusterAddrTable) {
      topics.add(cluster)
      for (const name of names) topics.add(name)
    }
    for (const data of this.#brokerAddrTable.values()) {
      const first = data.brokerAddrs.values().next()
      if (!first.done) {
        brokerAddr = first.value
        break
      }
    }
    return brokerAddr === undefined ? { topicList: [...topics] } : { topicList: [...topics], brokerAddr }
  }

  /**
   * Deletes a topic's route (DELETE_TOPIC_IN_NAMESRV). With `clusterName` (5.x), only that cluster's brokers lose it.
   */
  deleteTopic(topic: string, clusterName?: string): void {
    if (clusterName === undefined || clusterName === '') {
      this.#topicQueueTable.delete(topic)
      return
    }
    const queueMap = this.#topicQueueTable.get(topic)
    const brokerNames = this.#clusterAddrTable.get(clusterName)
    if (queueMap === undefined || brokerNames === undefined) return
    for (const brokerName of brokerNames) queueMap.delete(brokerName)
    if (queueMap.size === 0) this.#topicQueueTable.delete(topic)
  }

  /**
   * Clears (`wipe`) or sets (`add`) the WRITE bit on every queue of `brokerName`
   * (WIPE_WRITE_PERM_OF_BROKER / ADD_WRITE_PERM_OF_BROKER). @returns the number of topics touched.
   */
  updateWritePermOfBroker(brokerName: string, operation: 'wipe' | 'add'): number {
    let count = 0
    for (const queueMap of this.#topicQueueTable.values()) {
      const queueData = queueMap.get(brokerName)
      if (queueData === undefined) continue
      queueData.perm = operation === 'wipe' ? queueData.perm & ~PERM_WRITE : queueData.perm | PERM_WRITE
      count++
    }
    return count
  }

  /** Live broker addresses (for tests and admin views). */
  getLiveBrokerAddrs(): string[] {
    return [...this.#brokerLiveTable.keys()]
  }

  #createAndUpdateQueueData(brokerName: string, topicConfig: RegisteredTopicConfig): void {
    const queueData: QueueData = {
      brokerName,
      perm: topicConfig.perm,
      readQueueNums: topicConfig.readQueueNums,
      topicSysFlag: topicConfig.topicSysFlag,
      writeQueueNums: topicConfig.writeQueueNums,
    }
    let queueMap = this.#topicQueueTable.get(topicConfig.topicName)
    if (queueMap === undefined) {
      this.#topicQueueTable.set(topicConfig.topicName, (queueMap = new Map()))
      this.#logger.info('new topic registered', { topic: topicConfig.topicName, brokerName })
    }
    const old = queueMap.get(brokerName)
    if (old === undefined || !queueDataEquals(old, queueData)) queueMap.set(brokerName, queueData)
  }

  #removeBrokerAddr(brokerAddr: string, reason: BrokerRemovedReason): void {
    const live = this.#brokerLiveTable.get(brokerAddr)
    this.#brokerLiveTable.delete(brokerAddr)
    this.#filterServerTable.delete(brokerAddr)
    let brokerNameFound: string | undefined
    let clusterFound: string | undefined
    for (const [brokerName, data] of [...this.#brokerAddrTable]) {
      for (const [id, addr] of [...data.brokerAddrs]) {
        if (addr !== brokerAddr) continue
        data.brokerAddrs.delete(id)
        brokerNameFound = brokerName
        clusterFound = data.cluster
      }
      if (brokerNameFound === brokerName && data.brokerAddrs.size === 0) {
        this.#brokerAddrTable.delete(brokerName)
        this.#removeFromCluster(data.cluster, brokerName)
        this.#removeTopicByBrokerName(brokerName)
      }
    }
    this.#logger.info('broker removed', { brokerAddr, brokerName: brokerNameFound, reason })
    this.events.emit('BROKER_REMOVED', {
      clusterName: clusterFound ?? live?.clusterName ?? '',
      brokerName: brokerNameFound ?? live?.brokerName ?? '',
      brokerAddr,
      reason,
    })
  }

  #removeFromCluster(clusterName: string, brokerName: string): void {
    const names = this.#clusterAddrTable.get(clusterName)
    if (names === undefined) return
    names.delete(brokerName)
    if (names.size === 0) this.#clusterAddrTable.delete(clusterName)
  }

  #removeTopicByBrokerName(brokerName: string): void {
    for (const [topic, queueMap] of [...this.#topicQueueTable]) {
      if (queueMap.delete(brokerName) && queueMap.size === 0) {
        this.#topicQueueTable.delete(topic)
        this.#logger.info('topic removed: its last broker left', { topic, brokerName })
      }
    }
  }
}

function toBrokerDataView(data: BrokerDataEntry): BrokerData {
  const brokerAddrs: Record<string, string> = {}
  for (const id of [...data.brokerAddrs.keys()].sort((a, b) => a - b)) brokerAddrs[String(id)] = data.brokerAddrs.get(id)!
  return { brokerAddrs, brokerName: data.brokerName, cluster: data.cluster }
}

function dataVersionEquals(a: DataVersion, b: DataVersion): boolean {
  return a.counter === b.counter && a.timestamp === b.timestamp && (a.stateVersion ?? 0) === (b.stateVersion ?? 0)
}

function queueDataEquals(a: QueueData, b: QueueData): boolean {
  return a.perm === b.perm && a.readQueueNums === b.readQueueNums && a.writeQueueNums === b.writeQueueNums && a.topicSysFlag === b.topicSysFlag
}
