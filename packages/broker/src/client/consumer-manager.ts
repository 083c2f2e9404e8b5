/**
 * ConsumerManager: consumer group → live channels (clientId, language, version), subscriptions (with subVersion),
 * consumeType / messageModel / consumeFromWhere — all from HEART_BEAT (§3.3, §7.13).
 * Source: RocketMQ 4.9 `broker/client/ConsumerManager.java`, `ConsumerGroupInfo.java`, `DefaultConsumerIdsChangeListener.java`.
 *
 * Membership changes (new channel, changed subscriptions, UNREGISTER_CLIENT, channel closed, idle expiry) send
 * NOTIFY_CONSUMER_IDS_CHANGED (40, oneway, header `consumerGroup`) to every remaining channel of the group when
 * notification is enabled for it.
 */
import { RequestCode, createRequest } from '@cometmq/protocol'
import type { Logger, RemotingChannel, SubscriptionData } from '@cometmq/protocol'
import { buildTagsCodeFilter } from './client-channel-info.js'
import type { ClientChannelInfo, TagsCodeFilter } from './client-channel-info.js'

/** A subscription as stored from a heartbeat, with its precomputed broker-side filter. */
export interface StoredSubscription {
  readonly data: SubscriptionData
  /** undefined = `*` (match all). */
  readonly filter: TagsCodeFilter | undefined
}

/** One consumer group's state on this broker. */
export class ConsumerGroupInfo {
  readonly channels = new Map<string, ClientChannelInfo>()
  readonly subscriptions = new Map<string, StoredSubscription>()
  consumeType = 'CONSUME_PASSIVELY'
  messageModel = 'CLUSTERING'
  consumeFromWhere = 'CONSUME_FROM_LAST_OFFSET'
  lastUpdateTimestamp = Date.now()

  constructor(readonly groupName: string) {}

  /** Client ids of all live channels (rebalance input, GET_CONSUMER_LIST_BY_GROUP). */
  getAllClientId(): string[] {
    return [...this.channels.values()].map((info) => info.clientId)
  }

  findSubscription(topic: string): StoredSubscription | undefined {
    return this.subscriptions.get(topic)
  }

  /** @returns true when `info.channel` was not registered before. */
  updateChannel(info: ClientChannelInfo): boolean {
    const existing = this.channels.get(info.channel.id)
    this.lastUpdateTimestamp = Date.now()
    if (existing === undefined || existing.clientId !== info.clientId) {
      this.channels.set(info.channel.id, info)
      return existing === undefined
    }
    existing.lastUpdateTimestamp = info.lastUpdateTimestamp
    return false
  }

  /**
   * Replaces the subscription set (Java ConsumerGroupInfo.updateSubscription): new topics are added, a subscription
   * with a higher subVersion replaces the old one, topics missing from `list` are removed.
   * @returns true when topics were added or removed.
   */
  updateSubscription(list: readonly SubscriptionData[]): boolean {
    let changed = false
    const topics = new Set<string>()
    for (const data of list) {
      topics.add(data.topic)
      const old = this.subscriptions.get(data.topic)
      if (old === undefined) {
        this.subscriptions.set(data.topic, { data, filter: buildTagsCodeFilter(data) })
        changed = true
      } else if (Number(data.subVersion) > Number(old.data.subVersion)) {
        this.subscriptions.set(data.topic, { data, filter: buildTagsCodeFilter(data) })
      }
    }
    for (const topic of [...this.subscriptions.keys()]) {
      if (!topics.has(topic)) {
        this.subscriptions.delete(topic)
        changed = true
      }
    }
    this.lastUpdateTimestamp = Date.now()
    return changed
  }
}

export interface ConsumerManagerOptions {
  logger: Logger
  /** Whether NOTIFY_CONSUMER_IDS_CHANGED may be sent for `group` (broker flag && group flag). */
  isNotifyEnabled: (group: string) => boolean
}

/** Consumer-side fields of a heartbeat's ConsumerData. */
export interface ConsumerRegistration {
  consumeType: string
  messageModel: string
  consumeFromWhere: string
  subscriptions: readonly SubscriptionData[]
}

export class ConsumerManager {
  private readonly groups = new Map<string, ConsumerGroupInfo>()
  private readonly logger: Logger

  constructor(private readonly options: ConsumerManagerOptions) {
    this.logger = options.logger
  }

  getConsumerGroupInfo(group: string): ConsumerGroupInfo | undefined {
    return this.groups.get(group)
  }

  /** Group names with at least one live channel. */
  groupNames(): string[] {
    return [...this.groups.keys()]
  }

  /**
   * Upserts a consumer channel and its subscriptions (HEART_BEAT).
   * @returns true when the group's membership or subscription topics changed (the group was notified if enabled).
   */
  registerConsumer(group: string, info: ClientChannelInfo, registration: ConsumerRegistration): boolean {
    let groupInfo = this.groups.get(group)
    if (groupInfo === undefined) {
      groupInfo = new ConsumerGroupInfo(group)
      this.groups.set(group, groupInfo)
    }
    groupInfo.consumeType = registration.consumeType
    groupInfo.messageModel = registration.messageModel
    groupInfo.consumeFromWhere = registration.consumeFromWhere
    const newChannel = groupInfo.updateChannel(info)
    const newSubscription = groupInfo.updateSubscription(registration.subscriptions)
    if (newChannel) this.logger.info('new consumer connected', { group, clientId: info.clientId, remoteAddr: info.channel.remoteAddress })
    if (newChannel || newSubscription) {
      this.notifyConsumerIdsChanged(groupInfo)
      return true
    }
    return false
  }

  /** Removes one channel from `group` (UNREGISTER_CLIENT) and notifies the remaining members. */
  unregisterConsumer(group: string, channel: RemotingChannel): void {
    const groupInfo = this.groups.get(group)
    if (groupInfo === undefined || !groupInfo.channels.delete(channel.id)) return
    this.logger.info('consumer unregistered', { group, remoteAddr: channel.remoteAddress })
    this.afterRemoval(groupInfo)
  }

  /** Removes a closed channel from every group (and notifies the remaining members of each). */
  doChannelCloseEvent(channel: RemotingChannel): void {
    for (const groupInfo of [...this.groups.values()]) {
      if (groupInfo.channels.delete(channel.id)) {
        this.logger.info('consumer channel closed', { group: groupInfo.groupName, remoteAddr: channel.remoteAddress })
        this.afterRemoval(groupInfo)
      }
    }
  }

  /** Drops (and closes) channels whose last heartbeat is older than `expiredMs`. */
  scanNotActiveChannel(expiredMs: number, now = Date.now()): void {
    for (const groupInfo of [...this.groups.values()]) {
      let removed = false
      for (const [id, info] of groupInfo.channels) {
        if (now - info.lastUpdateTimestamp > expiredMs) {
          this.logger.warn('consumer channel expired, closing', { group: groupInfo.groupName, clientId: info.clientId, remoteAddr: info.channel.remoteAddress })
          groupInfo.channels.delete(id)
          info.channel.close()
          removed = true
        }
      }
      if (removed) this.afterRemoval(groupInfo)
    }
  }

  /** The channel of `clientId` in `group`, if connected. */
  findChannel(group: string, clientId: string): ClientChannelInfo | undefined {
    for (const info of this.groups.get(group)?.channels.values() ?? []) if (info.clientId === clientId) return info
    return undefined
  }

  /** Groups whose stored subscriptions include `topic`. */
  queryTopicConsumeByWho(topic: string): string[] {
    return [...this.groups.values()].filter((groupInfo) => groupInfo.subscriptions.has(topic)).map((groupInfo) => groupInfo.groupName)
  }

  private afterRemoval(groupInfo: ConsumerGroupInfo): void {
    if (groupInfo.channels.size === 0) {
      this.groups.delete(groupInfo.groupName)
      this.logger.info('consumer group has no channel left, removed', { group: groupInfo.groupName })
      return
    }
    this.notifyConsumerIdsChanged(groupInfo)
  }

  private notifyConsumerIdsChanged(groupInfo: ConsumerGroupInfo): void {
    if (!this.options.isNotifyEnabled(groupInfo.groupName)) return
    for (const info of groupInfo.channels.values()) {
      if (info.channel.closed) continue
      const request = createRequest(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, { consumerGroup: groupInfo.groupName }, null, { oneway: true })
      try {
        info.channel.invokeOneway(request)
      } catch (error) {
        this.logger.warn('notify consumer ids changed failed', { group: groupInfo.groupName, remoteAddr: info.channel.remoteAddress, error: (error as Error).message })
      }
    }
    this.logger.debug('notified consumer ids changed', { group: groupInfo.groupName, channels: groupInfo.channels.size })
  }
}
