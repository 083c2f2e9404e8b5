/**
 * TopicConfigManager: the broker's topic table, its DataVersion and `<storePathRootDir>/config/topics.json`.
 * Source: RocketMQ 4.9 `broker/topic/TopicConfigManager.java`.
 *
 * topics.json shape (TopicConfigSerializeWrapper, §3.9):
 *   { "dataVersion": { "counter": 3, "timestamp": 1700000000000 },
 *     "topicConfigTable": { "T": { "order": false, "perm": 6, "readQueueNums": 4, "topicFilterType": "SINGLE_TAG",
 *                                  "topicName": "T", "topicSysFlag": 0, "writeQueueNums": 4 }, ... } }
 *
 * Every change bumps the DataVersion, persists the file (coalesced) and notifies `onChanged` listeners
 * (the controller re-registers with every namesrv).
 */
import { join } from 'node:path'
import { MixAll, PermName, parseJsonLenient } from '@cometmq/protocol'
import type { DataVersion, Logger, TopicConfig, TopicConfigSerializeWrapper } from '@cometmq/protocol'
import type { BrokerConfig } from '../config/broker-config-schema.js'
import { ConfigFile } from '../util/config-file.js'
import { DataVersionCounter } from '../util/data-version.js'

/** RocketMQ TopicConfig defaults: 16 read/write queues, perm READ|WRITE (6), SINGLE_TAG. */
export const DEFAULT_TOPIC_QUEUE_NUMS = 16
export const PERM_READ_WRITE = PermName.PERM_READ | PermName.PERM_WRITE

/** Builds a TopicConfig with RocketMQ's defaults for omitted fields. */
export function newTopicConfig(topicName: string, fields: Partial<Omit<TopicConfig, 'topicName'>> = {}): TopicConfig {
  return {
    topicName,
    readQueueNums: fields.readQueueNums ?? DEFAULT_TOPIC_QUEUE_NUMS,
    writeQueueNums: fields.writeQueueNums ?? DEFAULT_TOPIC_QUEUE_NUMS,
    perm: fields.perm ?? PERM_READ_WRITE,
    topicFilterType: fields.topicFilterType ?? 'SINGLE_TAG',
    topicSysFlag: fields.topicSysFlag ?? 0,
    order: fields.order ?? false,
  }
}

export interface TopicConfigManagerOptions {
  config: Readonly<BrokerConfig>
  /** Directory of topics.json, normally `<storePathRootDir>/config`. */
  configDir: string
  logger: Logger
}

export class TopicConfigManager {
  private readonly table = new Map<string, TopicConfig>()
  private readonly version = new DataVersionCounter()
  private readonly file: ConfigFile
  private readonly listeners: Array<() => void> = []
  private readonly config: Readonly<BrokerConfig>
  private readonly logger: Logger
  private readonly systemTopics = new Set<string>()

  constructor(options: TopicConfigManagerOptions) {
    this.config = options.config
    this.logger = options.logger
    this.file = new ConfigFile(join(options.configDir, 'topics.json'), () => JSON.stringify(this.buildSerializeWrapper(), null, '\t'), options.logger)
    this.addSystemTopics()
  }

  /** Current DataVersion (a copy). */
  get dataVersion(): DataVersion {
    return this.version.snapshot()
  }

  /** Live view of the topic table. */
  get topicConfigTable(): ReadonlyMap<string, TopicConfig> {
    return this.table
  }

  /** Called after every create/update/delete (synchronously, after the table changed). */
  onChanged(listener: () => void): void {
    this.listeners.push(listener)
  }

  /**
   * Loads topics.json (or .bak) over the built-in system topics, as Java does. When autoCreateTopicEnable is
   * false, a TBW102 left in the file from an earlier run is dropped so that it cannot act as a template.
   */
  async load(): Promise<void> {
    await this.file.load((text) => {
      const parsed = parseJsonLenient(text) as Partial<TopicConfigSerializeWrapper> | null
      const table = parsed?.topicConfigTable
      if (table === undefined || table === null || typeof table !== 'object') throw new Error('missing topicConfigTable')
      for (const [name, value] of Object.entries(table)) {
        this.table.set(name, newTopicConfig(name, value as Partial<TopicConfig>))
      }
      if (parsed?.dataVersion) this.version.assign(parsed.dataVersion)
    })
    if (!this.config.autoCreateTopicEnable && this.table.delete(MixAll.DEFAULT_TOPIC)) {
      this.logger.info('autoCreateTopicEnable=false: dropped TBW102 loaded from topics.json', {})
    }
  }

  selectTopicConfig(topic: string): TopicConfig | undefined {
    return this.table.get(topic)
  }

  /** Built-in topics plus cluster/broker-name topics (TopicValidator.isSystemTopic + names this broker adds). */
  isSystemTopic(topic: string): boolean {
    return this.systemTopics.has(topic) || MixAll.isSysTopic(topic)
  }

  /**
   * Auto-creates `topic` on first send from the template `defaultTopic` (§7.1): only when the template exists and has
   * the INHERIT bit (TBW102 counts only while autoCreateTopicEnable). Queues = min(client's defaultTopicQueueNums,
   * template writeQueueNums); perm = template perm without INHERIT; same filter type.
   * @returns the existing or new config, or undefined when it may not be created.
   */
  createTopicInSendMessageMethod(topic: string, defaultTopic: string, remoteAddress: string, clientDefaultTopicQueueNums: number, topicSysFlag: number): TopicConfig | undefined {
    const existing = this.table.get(topic)
    if (existing !== undefined) return existing
    const template = this.table.get(defaultTopic)
    if (template === undefined) {
      this.logger.warn('create topic failed: default topic does not exist', { topic, defaultTopic, remoteAddr: remoteAddress })
      return undefined
    }
    const inherit = PermName.isInherited(template.perm) && (defaultTopic !== MixAll.DEFAULT_TOPIC || this.config.autoCreateTopicEnable)
    if (!inherit) {
      this.logger.warn('create topic failed: default topic has no INHERIT perm', { topic, defaultTopic, perm: template.perm, remoteAddr: remoteAddress })
      return undefined
    }
    const queueNums = Math.max(0, Math.min(clientDefaultTopicQueueNums, template.writeQueueNums))
    const created = newTopicConfig(topic, {
      readQueueNums: queueNums,
      writeQueueNums: queueNums,
      perm: template.perm & ~PermName.PERM_INHERIT,
      topicSysFlag,
      topicFilterType: template.topicFilterType,
    })
    this.logger.info('auto-created topic from default topic', { topic, defaultTopic, queueNums, remoteAddr: remoteAddress })
    this.put(created)
    return created
  }

  /** Creates a retry / DLQ topic when absent (Java createTopicInSendMessageBackMethod). @returns the existing or new config. */
  createTopicInSendMessageBackMethod(topic: string, queueNums: number, perm: number, topicSysFlag: number): TopicConfig {
    const existing = this.table.get(topic)
    if (existing !== undefined) return existing
    const created = newTopicConfig(topic, { readQueueNums: queueNums, writeQueueNums: queueNums, perm, topicSysFlag })
    this.logger.info('created topic', { topic, queueNums, perm })
    this.put(created)
    return created
  }

  /** Creates or replaces a topic (UPDATE_AND_CREATE_TOPIC). */
  updateTopicConfig(topicConfig: TopicConfig): void {
    this.logger.info('update topic config', { topic: topicConfig.topicName, ...topicConfig })
    this.put(newTopicConfig(topicConfig.topicName, topicConfig))
  }

  /** Removes a topic. @returns false when it did not exist. */
  deleteTopicConfig(topic: string): boolean {
    if (!this.table.delete(topic)) return false
    this.logger.info('deleted topic config', { topic })
    this.changed()
    return true
  }

  /** `{ dataVersion, topicConfigTable }` — the body of GET_ALL_TOPIC_CONFIG and of REGISTER_BROKER. */
  buildSerializeWrapper(): TopicConfigSerializeWrapper {
    return { dataVersion: this.version.snapshot(), topicConfigTable: Object.fromEntries(this.table) }
  }

  /** Persists topics.json now (coalesced); errors are logged and rethrown. */
  persist(): Promise<void> {
    return this.file.persist().catch((error: unknown) => {
      this.logger.error('persist topics.json failed', { error: (error as Error).message })
      throw error
    })
  }

  private put(topicConfig: TopicConfig): void {
    this.table.set(topicConfig.topicName, topicConfig)
    this.changed()
  }

  private changed(): void {
    this.version.next()
    this.persist().catch(() => undefined)
    for (const listener of this.listeners) listener()
  }

  /** Topics a 4.9 broker registers at start (§3.1 [cap]); BenchmarkTest (1024 queues) is left out. */
  private addSystemTopics(): void {
    const c = this.config
    const add = (topicConfig: TopicConfig): void => {
      this.table.set(topicConfig.topicName, topicConfig)
      this.systemTopics.add(topicConfig.topicName)
    }
    add(newTopicConfig(MixAll.SELF_TEST_TOPIC, { readQueueNums: 1, writeQueueNums: 1 }))
    if (c.autoCreateTopicEnable) {
      add(newTopicConfig(MixAll.DEFAULT_TOPIC, { readQueueNums: c.defaultTopicQueueNums, writeQueueNums: c.defaultTopicQueueNums, perm: PERM_READ_WRITE | PermName.PERM_INHERIT }))
    }
    const namePerm = (enabled: boolean): number => (enabled ? PERM_READ_WRITE : 0) | PermName.PERM_INHERIT
    add(newTopicConfig(c.brokerClusterName, { perm: namePerm(c.clusterTopicEnable) }))
    add(newTopicConfig(c.brokerName, { readQueueNums: 1, writeQueueNums: 1, perm: namePerm(c.brokerTopicEnable) }))
    add(newTopicConfig(MixAll.OFFSET_MOVED_EVENT, { readQueueNums: 1, writeQueueNums: 1 }))
    add(newTopicConfig(MixAll.SCHEDULE_TOPIC, { readQueueNums: 18, writeQueueNums: 18 }))
    if (c.traceTopicEnable) add(newTopicConfig(c.msgTraceTopicName, { readQueueNums: 1, writeQueueNums: 1 }))
    add(newTopicConfig(`${c.brokerClusterName}_REPLY_TOPIC`, { readQueueNums: 1, writeQueueNums: 1 }))
  }
}
