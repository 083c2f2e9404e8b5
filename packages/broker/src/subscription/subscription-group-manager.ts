/**
 * SubscriptionGroupManager: per-consumer-group settings (retry queues, max retries, enable flags), auto-created on
 * first use when `autoCreateSubscriptionGroup`, persisted as `<storePathRootDir>/config/subscriptionGroup.json`.
 * Source: RocketMQ 4.9 `broker/subscription/SubscriptionGroupManager.java`, `common/subscription/SubscriptionGroupConfig.java`.
 *
 * File shape (SubscriptionGroupWrapper): `{"dataVersion":{…},"subscriptionGroupTable":{"G":{SubscriptionGroupConfig}}}`.
 */
import { join } from 'node:path'
import { MixAll, parseJsonLenient } from '@cometmq/protocol'
import type { DataVersion, Logger } from '@cometmq/protocol'
import { ConfigFile } from '../util/config-file.js'
import { DataVersionCounter } from '../util/data-version.js'

/** RocketMQ SubscriptionGroupConfig (4.9 JSON field names). */
export interface SubscriptionGroupConfig {
  groupName: string
  consumeEnable: boolean
  consumeFromMinEnable: boolean
  consumeBroadcastEnable: boolean
  /** Queues of `%RETRY%<group>`; ≤ 0 disables retry (send-back answers SUCCESS and drops). Default 1. */
  retryQueueNums: number
  /** Reconsume attempts before a message goes to `%DLQ%<group>`. Default 16. */
  retryMaxTimes: number
  brokerId: number
  whichBrokerWhenConsumeSlowly: number
  notifyConsumerIdsChangedEnable: boolean
}

/** A group config with RocketMQ's defaults for omitted fields. */
export function newSubscriptionGroupConfig(groupName: string, fields: Partial<SubscriptionGroupConfig> = {}): SubscriptionGroupConfig {
  return {
    groupName,
    consumeEnable: fields.consumeEnable ?? true,
    consumeFromMinEnable: fields.consumeFromMinEnable ?? true,
    consumeBroadcastEnable: fields.consumeBroadcastEnable ?? true,
    retryQueueNums: fields.retryQueueNums ?? 1,
    retryMaxTimes: fields.retryMaxTimes ?? 16,
    brokerId: fields.brokerId ?? 0,
    whichBrokerWhenConsumeSlowly: fields.whichBrokerWhenConsumeSlowly ?? 1,
    notifyConsumerIdsChangedEnable: fields.notifyConsumerIdsChangedEnable ?? true,
  }
}

/** Groups a 4.9 broker pre-creates (SubscriptionGroupManager.init). */
const SYSTEM_GROUPS = [
  MixAll.TOOLS_CONSUMER_GROUP,
  'FILTERSRV_CONSUMER',
  MixAll.SELF_TEST_CONSUMER_GROUP,
  'CID_ONS-HTTP-PROXY',
  'CID_ONSAPI_PULL',
  'CID_ONSAPI_PERMISSION',
  'CID_ONSAPI_OWNER',
  'CID_RMQ_SYS_TRANS',
]

export class SubscriptionGroupManager {
  private readonly table = new Map<string, SubscriptionGroupConfig>()
  private readonly version = new DataVersionCounter()
  private readonly file: ConfigFile

  constructor(
    configDir: string,
    private readonly autoCreateSubscriptionGroup: boolean,
    private readonly logger: Logger,
  ) {
    this.file = new ConfigFile(join(configDir, 'subscriptionGroup.json'), () => JSON.stringify(this.buildWrapper(), null, '\t'), logger)
    for (const group of SYSTEM_GROUPS) {
      this.table.set(group, newSubscriptionGroupConfig(group, group === MixAll.TOOLS_CONSUMER_GROUP ? { consumeBroadcastEnable: true } : {}))
    }
  }

  async load(): Promise<void> {
    await this.file.load((text) => {
      const parsed = parseJsonLenient(text) as { dataVersion?: DataVersion; subscriptionGroupTable?: Record<string, Partial<SubscriptionGroupConfig>> } | null
      const groups = parsed?.subscriptionGroupTable
      if (groups === undefined || groups === null || typeof groups !== 'object') throw new Error('missing subscriptionGroupTable')
      for (const [name, value] of Object.entries(groups)) this.table.set(name, newSubscriptionGroupConfig(name, value))
      if (parsed?.dataVersion) this.version.assign(parsed.dataVersion)
    })
  }

  /** The group's config without auto-creating it. */
  selectSubscriptionGroupConfig(group: string): SubscriptionGroupConfig | undefined {
    return this.table.get(group)
  }

  /**
   * The group's config; auto-created (and persisted) when absent and autoCreateSubscriptionGroup (or the group is a
   * system group). @returns undefined when the group is unknown and may not be created (→ 26 SUBSCRIPTION_GROUP_NOT_EXIST).
   */
  findSubscriptionGroupConfig(group: string): SubscriptionGroupConfig | undefined {
    const existing = this.table.get(group)
    if (existing !== undefined) return existing
    if (!this.autoCreateSubscriptionGroup && !MixAll.isSysConsumerGroup(group)) return undefined
    const created = newSubscriptionGroupConfig(group)
    this.table.set(group, created)
    this.logger.info('auto-created subscription group', { group })
    this.changed()
    return created
  }

  /** Creates or replaces a group config (UPDATE_AND_CREATE_SUBSCRIPTIONGROUP). */
  updateSubscriptionGroupConfig(config: Partial<SubscriptionGroupConfig> & { groupName: string }): void {
    this.table.set(config.groupName, newSubscriptionGroupConfig(config.groupName, config))
    this.changed()
  }

  deleteSubscriptionGroupConfig(group: string): boolean {
    if (!this.table.delete(group)) return false
    this.changed()
    return true
  }

  /** `{ dataVersion, subscriptionGroupTable }` (GET_ALL_SUBSCRIPTIONGROUP_CONFIG body). */
  buildWrapper(): { dataVersion: DataVersion; subscriptionGroupTable: Record<string, SubscriptionGroupConfig> } {
    return { dataVersion: this.version.snapshot(), subscriptionGroupTable: Object.fromEntries(this.table) }
  }

  persist(): Promise<void> {
    return this.file.persist().catch((error: unknown) => {
      this.logger.error('persist subscriptionGroup.json failed', { error: (error as Error).message })
      throw error
    })
  }

  private changed(): void {
    this.version.next()
    this.persist().catch(() => undefined)
  }
}
