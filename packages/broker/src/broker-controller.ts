/**
 * BrokerController: wires config, store, managers, processors and the remoting server of one broker, and keeps it
 * registered with every namesrv. Source: RocketMQ 4.9 `broker/BrokerController.java` (initialize/start/shutdown).
 *
 * start():  open the store (the one `storeType` selects via createStore, unless one is injected)
 *           → load config/topics.json, consumerOffset.json, subscriptionGroup.json → listen on listenPort (0 = any;
 *           `port` reports the actual one) and, when `vipChannelEnabled` and listenPort ≠ 0, on listenPort − 2
 *           → REGISTER_BROKER to every namesrv (awaited, failures logged) → timers (all unref'd).
 * Timers:   REGISTER_BROKER every registerNameServerPeriod; consumerOffset.json every flushConsumerOffsetInterval;
 *           idle client scan every 10 s (channelExpiredTimeout); long-poll safety scan every 5 s.
 *           Topic create/update/delete re-registers right away (bursts coalesced into one request).
 * shutdown(): stop timers → UNREGISTER_BROKER to every namesrv → close servers → flush consumer offsets, topics and
 *           subscription groups → close the store (an injected store is closed too).
 * @throws (constructor) BrokerConfigError for an invalid config, StoreError BAD_ARGUMENT for a store config the adapter
 *   rejects; (start) the listen error (e.g. EADDRINUSE); store open errors (e.g. StoreError STORE_LOCKED).
 */
import { join } from 'node:path'
import { PermName, RemotingServer, noopLogger } from '@cometmq/protocol'
import type { Logger, SocketAddress, TopicConfigSerializeWrapper } from '@cometmq/protocol'
import { FileMessageStore, LevelMessageStore, MemoryMessageStore } from '@cometmq/store'
import type { MessageStore, MessageStoreConfig } from '@cometmq/store'
import type { BrokerContext, BrokerStats } from './broker-context.js'
import { ConsumerManager } from './client/consumer-manager.js'
import { ProducerManager } from './client/producer-manager.js'
import type { BrokerConfig } from './config/broker-config-schema.js'
import { resolveBrokerConfig } from './config/parse-broker-config.js'
import { PullRequestHoldService } from './longpolling/pull-request-hold-service.js'
import { BrokerOuterAPI, splitNamesrvAddr } from './namesrv/broker-outer-api.js'
import type { NamesrvOutcome } from './namesrv/broker-outer-api.js'
import { ConsumerOffsetManager } from './offset/consumer-offset-manager.js'
import { PullMessageProcessor } from './processor/pull-message-processor.js'
import { createProcessors, registerProcessors } from './register-processors.js'
import type { BrokerProcessors } from './register-processors.js'
import { SubscriptionGroupManager } from './subscription/subscription-group-manager.js'
import { TopicConfigManager } from './topic/topic-config-manager.js'

/** Options of BrokerController. */
export interface BrokerControllerOptions {
  /** broker.conf values (typically `parseBrokerConfig(text).config`); missing keys get their defaults. */
  config: Partial<BrokerConfig>
  /** Store to use instead of the one `storeType` selects. The broker opens (idempotent) and closes it. */
  store?: MessageStore
  /** Root logger; the broker logs under the child `broker`. */
  logger?: Logger
}

/** Housekeeping period of the idle-client scan, ms (RocketMQ ClientHousekeepingService: 10 s). */
const CLIENT_SCAN_INTERVAL_MS = 10_000
/** First retry delay after a failed REGISTER_BROKER, ms (doubles up to registerNameServerPeriod). CometMQ's choice. */
const REGISTER_RETRY_MIN_MS = 1_000

export class BrokerController implements BrokerContext {
  readonly config: Readonly<BrokerConfig>
  readonly logger: Logger
  readonly topicConfigManager: TopicConfigManager
  readonly consumerOffsetManager: ConsumerOffsetManager
  readonly subscriptionGroupManager: SubscriptionGroupManager
  readonly consumerManager: ConsumerManager
  readonly producerManager: ProducerManager
  readonly pullRequestHoldService: PullRequestHoldService
  readonly stats: BrokerStats = { putMessages: 0, getMessages: 0 }
  readonly bootTimestamp = Date.now()
  readonly store: MessageStore
  private readonly outerAPI: BrokerOuterAPI
  private readonly processors: BrokerProcessors
  private readonly servers: RemotingServer[] = []
  private readonly timers: NodeJS.Timeout[] = []
  private unsubscribeStore: (() => void) | undefined
  private actualPort = 0
  private started = false
  private registerRunning: Promise<void> | undefined
  private registerAgain = false
  private registerRetryDelayMs = REGISTER_RETRY_MIN_MS
  private registerRetryTimer: NodeJS.Timeout | undefined
  private hostCache: SocketAddress | undefined

  constructor(options: BrokerControllerOptions) {
    this.config = resolveBrokerConfig(options.config)
    this.logger = (options.logger ?? noopLogger).child('broker')
    this.store = options.store ?? createStore(this.config, options.logger ?? noopLogger)
    const configDir = join(this.config.storePathRootDir, 'config')
    this.topicConfigManager = new TopicConfigManager({ config: this.config, configDir, logger: this.logger.child('TopicConfigManager') })
    this.consumerOffsetManager = new ConsumerOffsetManager(configDir, this.logger.child('ConsumerOffsetManager'))
    this.subscriptionGroupManager = new SubscriptionGroupManager(configDir, this.config.autoCreateSubscriptionGroup, this.logger.child('SubscriptionGroupManager'))
    this.consumerManager = new ConsumerManager({
      logger: this.logger.child('ConsumerManager'),
      isNotifyEnabled: (group) => this.config.notifyConsumerIdsChangedEnable && (this.subscriptionGroupManager.selectSubscriptionGroupConfig(group)?.notifyConsumerIdsChangedEnable ?? true),
    })
    this.producerManager = new ProducerManager(this.logger.child('ProducerManager'))
    const pull = new PullMessageProcessor(this)
    this.pullRequestHoldService = new PullRequestHoldService({
      store: this.store,
      logger: this.logger.child('PullRequestHoldService'),
      wakeUp: (request) => pull.executeRequestWhenWakeup(request),
      checkIntervalMs: this.config.longPollingEnable ? 5000 : Math.max(100, this.config.shortPollingTimeMills),
    })
    this.processors = createProcessors(this, pull)
    this.outerAPI = new BrokerOuterAPI(this.logger.child('BrokerOuterAPI'))
    this.topicConfigManager.onChanged(() => this.registerBrokerAllSoon())
  }

  /** Actual main listen port (0 before start()). */
  get port(): number {
    return this.actualPort
  }

  /** `${brokerIP1}:${port}` — the address registered with namesrv and used by clients. */
  get brokerAddr(): string {
    return `${this.config.brokerIP1}:${this.actualPort}`
  }

  /** STOREHOST of stored records: brokerIP1 and the actual listen port. */
  get storeHost(): SocketAddress {
    if (this.hostCache === undefined || this.hostCache.port !== this.actualPort) this.hostCache = { host: this.config.brokerIP1, port: this.actualPort }
    return this.hostCache
  }

  async start(): Promise<void> {
    if (this.started) throw new Error('BrokerController already started')
    const { config } = this
    try {
      await this.store.open()
      await Promise.all([this.topicConfigManager.load(), this.consumerOffsetManager.load(), this.subscriptionGroupManager.load()])
      const main = this.createServer(config.listenPort, false)
      await main.listen()
      this.actualPort = main.port
      if (config.vipChannelEnabled && config.listenPort !== 0) await this.createServer(config.listenPort - 2, true).listen()
      this.unsubscribeStore = this.store.onMessageArrived((event) => this.pullRequestHoldService.notifyMessageArriving(event))
      this.pullRequestHoldService.start()
      this.started = true
      this.every(config.flushConsumerOffsetInterval, () => this.consumerOffsetManager.persist().catch(() => undefined))
      this.every(CLIENT_SCAN_INTERVAL_MS, () => {
        this.consumerManager.scanNotActiveChannel(config.channelExpiredTimeout)
        this.producerManager.scanNotActiveChannel(config.channelExpiredTimeout)
      })
      this.every(config.registerNameServerPeriod, () => this.registerBrokerAllSoon())
      this.logger.info('broker started', { brokerName: config.brokerName, brokerAddr: this.brokerAddr, storeType: config.storeType, namesrvAddr: config.namesrvAddr })
      await this.registerBrokerAll()
    } catch (error) {
      await this.shutdown().catch(() => undefined)
      throw error
    }
  }

  async shutdown(): Promise<void> {
    const wasStarted = this.started
    this.started = false
    for (const timer of this.timers.splice(0)) clearInterval(timer)
    clearTimeout(this.registerRetryTimer)
    this.registerRetryTimer = undefined
    await this.registerRunning?.catch(() => undefined)
    if (wasStarted) await this.unregisterBrokerAll()
    this.pullRequestHoldService.shutdown()
    await Promise.all(this.servers.splice(0).map((server) => server.close()))
    this.unsubscribeStore?.()
    this.unsubscribeStore = undefined
    if (wasStarted) {
      await Promise.allSettled([this.consumerOffsetManager.persist(true), this.topicConfigManager.persist(), this.subscriptionGroupManager.persist()])
    }
    await this.store.close()
    await this.outerAPI.close()
    if (wasStarted) this.logger.info('broker shut down', { brokerName: this.config.brokerName })
  }

  /** Schedules REGISTER_BROKER to every namesrv; calls during a running registration merge into one follow-up. */
  registerBrokerAllSoon(): void {
    if (!this.started || splitNamesrvAddr(this.config.namesrvAddr).length === 0) return
    if (this.registerRunning !== undefined) {
      this.registerAgain = true
      return
    }
    this.registerRunning = (async () => {
      await new Promise((resolve) => setImmediate(resolve))
      do {
        this.registerAgain = false
        await this.registerBrokerAll()
      } while (this.registerAgain && this.started)
    })().finally(() => {
      this.registerRunning = undefined
    })
  }

  /** REGISTER_BROKER with the current topic table to every namesrv now. Never throws; returns one outcome per namesrv. */
  async registerBrokerAll(): Promise<NamesrvOutcome[]> {
    const namesrvs = splitNamesrvAddr(this.config.namesrvAddr)
    if (namesrvs.length === 0) return []
    const { config } = this
    const haPort = config.haListenPort > 0 ? config.haListenPort : this.actualPort + 1
    const outcomes = await this.outerAPI.registerBrokerAll(namesrvs, this.identity(), `${config.brokerIP2 ?? config.brokerIP1}:${haPort}`, this.registrationWrapper(), config.registerBrokerTimeoutMills)
    this.logger.debug('registered with namesrv', { brokerAddr: this.brokerAddr, ok: outcomes.filter((o) => o.ok).length, total: outcomes.length })
    this.scheduleRegisterRetry(outcomes.every((o) => o.ok))
    return outcomes
  }

  /**
   * After a failed registration (e.g. the namesrv is still starting), tries again after 1 s, doubling up to
   * registerNameServerPeriod, instead of waiting a whole period; a full success resets the back-off.
   */
  private scheduleRegisterRetry(allOk: boolean): void {
    if (allOk) {
      this.registerRetryDelayMs = REGISTER_RETRY_MIN_MS
      return
    }
    if (!this.started || this.registerRetryTimer !== undefined) return
    const delay = this.registerRetryDelayMs
    this.registerRetryDelayMs = Math.min(delay * 2, this.config.registerNameServerPeriod)
    this.registerRetryTimer = setTimeout(() => {
      this.registerRetryTimer = undefined
      this.registerBrokerAllSoon()
    }, delay)
    this.registerRetryTimer.unref()
  }

  private async unregisterBrokerAll(): Promise<void> {
    const namesrvs = splitNamesrvAddr(this.config.namesrvAddr)
    if (namesrvs.length > 0) await this.outerAPI.unregisterBrokerAll(namesrvs, this.identity(), this.config.registerBrokerTimeoutMills)
  }

  private identity(): { clusterName: string; brokerName: string; brokerId: number; brokerAddr: string } {
    return { clusterName: this.config.brokerClusterName, brokerName: this.config.brokerName, brokerId: this.config.brokerId, brokerAddr: this.brokerAddr }
  }

  /** Topic table for registration; a broker without READ or WRITE permission advertises brokerPermission on every topic (Java). */
  private registrationWrapper(): TopicConfigSerializeWrapper {
    const wrapper = this.topicConfigManager.buildSerializeWrapper()
    const perm = this.config.brokerPermission
    if (PermName.isReadable(perm) && PermName.isWriteable(perm)) return wrapper
    const table: TopicConfigSerializeWrapper['topicConfigTable'] = {}
    for (const [name, topicConfig] of Object.entries(wrapper.topicConfigTable)) table[name] = { ...topicConfig, perm }
    return { dataVersion: wrapper.dataVersion, topicConfigTable: table }
  }

  private createServer(port: number, vip: boolean): RemotingServer {
    const server = new RemotingServer({
      host: this.config.bindAddress,
      port,
      idleTimeoutMs: this.config.serverChannelMaxIdleTimeSeconds * 1000,
      logger: this.logger,
    })
    registerProcessors(server, this.processors, { vip })
    server.onChannelClosed((channel) => {
      this.pullRequestHoldService.onChannelClosed(channel)
      this.consumerManager.doChannelCloseEvent(channel)
      this.producerManager.doChannelCloseEvent(channel)
    })
    this.servers.push(server)
    return server
  }

  private every(intervalMs: number, task: () => unknown): void {
    const timer = setInterval(() => {
      try {
        task()
      } catch (error) {
        this.logger.error('scheduled task failed', { error: (error as Error).message })
      }
    }, intervalMs)
    timer.unref()
    this.timers.push(timer)
  }
}

/**
 * The broker.conf keys every adapter takes (RocketMQ MessageStoreConfig names): segment size, size limits, retention
 * (fileReservedTime, deleteWhen, diskMaxUsedSpaceRatio, diskSpaceWarningLevelRatio, cleanFileForciblyEnable,
 * cleanResourceInterval) and the key index (messageIndexEnable, maxHashSlotNum, maxIndexNum).
 */
export function storeConfigOf(config: Readonly<BrokerConfig>, logger: Logger): Omit<MessageStoreConfig, 'storePathRootDir'> {
  return {
    mappedFileSizeCommitLog: config.mappedFileSizeCommitLog,
    maxMessageSize: config.maxMessageSize,
    fileReservedTime: config.fileReservedTime,
    deleteWhen: config.deleteWhen,
    diskMaxUsedSpaceRatio: config.diskMaxUsedSpaceRatio,
    diskSpaceWarningLevelRatio: config.diskSpaceWarningLevelRatio,
    cleanFileForciblyEnable: config.cleanFileForciblyEnable,
    cleanResourceInterval: config.cleanResourceInterval,
    messageIndexEnable: config.messageIndexEnable,
    maxHashSlotNum: config.maxHashSlotNum,
    maxIndexNum: config.maxIndexNum,
    logger,
  }
}

/**
 * The store `storeType` selects, configured from broker.conf keys (see storeConfigOf):
 * - `default` → FileMessageStore under storePathRootDir (+ storePathCommitLog, ConsumeQueue size, flush keys,
 *   accessMessageInMemoryMaxRatio);
 * - `level` → LevelMessageStore, one LevelDB database at `<storePathRootDir>/level` (+ flushDiskType,
 *   flushIntervalCommitLog, syncFlushTimeout);
 * - `memory` → MemoryMessageStore bounded by memoryStoreMaxBytes; it has no directory, so no disk-usage check.
 * `overrides` win over the broker.conf values (e.g. a `diskUsage` probe in tests).
 */
export function createStore(config: Readonly<BrokerConfig>, logger: Logger, overrides: Partial<MessageStoreConfig> = {}): MessageStore {
  const common = storeConfigOf(config, logger)
  switch (config.storeType) {
    case 'memory':
      return new MemoryMessageStore({ ...common, memoryStoreMaxBytes: config.memoryStoreMaxBytes, ...overrides })
    case 'level':
      return new LevelMessageStore({
        ...common,
        storePathRootDir: config.storePathRootDir,
        flushDiskType: config.flushDiskType,
        flushIntervalCommitLog: config.flushIntervalCommitLog,
        syncFlushTimeout: config.syncFlushTimeout,
        ...overrides,
      })
    default:
      return new FileMessageStore({
        ...common,
        storePathRootDir: config.storePathRootDir,
        storePathCommitLog: config.storePathCommitLog,
        mappedFileSizeConsumeQueue: config.mappedFileSizeConsumeQueue,
        flushDiskType: config.flushDiskType,
        flushIntervalCommitLog: config.flushIntervalCommitLog,
        flushIntervalConsumeQueue: config.flushIntervalConsumeQueue,
        syncFlushTimeout: config.syncFlushTimeout,
        accessMessageInMemoryMaxRatio: config.accessMessageInMemoryMaxRatio,
        ...overrides,
      })
  }
}
