/**
 * Runtime / consumer administration (RocketMQ 4.9 `broker/processor/AdminBrokerProcessor.java`; §3.9):
 *
 * | code | request | response |
 * |---|---|---|
 * | 28 GET_BROKER_RUNTIME_INFO | — | body KVTable `{"table":{…}}` (brokerVersionDesc, brokerVersion, msgPutTotalTodayNow, msgGetTotalTodayNow, commitLogMinOffset, commitLogMaxOffset, bootTimestamp, runtime, …; all values strings) |
 * | 208 GET_CONSUME_STATS | consumerGroup, topic? | body ConsumeStats `{"consumeTps":0,"offsetTable":{<mq>:{brokerOffset,consumerOffset,lastTimestamp}}}` |
 * | 203 GET_CONSUMER_CONNECTION_LIST | consumerGroup | body ConsumerConnection; 206 CONSUMER_NOT_ONLINE when no channel |
 * | 204 GET_PRODUCER_CONNECTION_LIST | producerGroup | body `{"connectionSet":[…]}`; 1 when unknown |
 * | 43 GET_ALL_CONSUMER_OFFSET | — | body = consumerOffset.json text |
 * | 200 UPDATE_AND_CREATE_SUBSCRIPTIONGROUP | body SubscriptionGroupConfig JSON | 0 |
 * | 201 GET_ALL_SUBSCRIPTIONGROUP_CONFIG | — | body `{"dataVersion":…,"subscriptionGroupTable":{…}}` |
 * | 207 DELETE_SUBSCRIPTIONGROUP | groupName | 0 |
 */
import { RequestCode, ResponseCode, createResponse, defineHeader, field, parseJsonLenient, stringifyJson } from '@cometmq/protocol'
import type { MessageQueue, RemotingChannel, RemotingCommand } from '@cometmq/protocol'
import type { BrokerContext } from '../broker-context.js'
import type { ClientChannelInfo } from '../client/client-channel-info.js'
import type { SubscriptionGroupConfig } from '../subscription/subscription-group-manager.js'
import { storeTimestampAt, stringifyMessageQueueMap } from '../util/admin-json.js'

const ConsumeStatsHeader = defineHeader({ consumerGroup: field.string(), topic: field.string({ optional: true }) })
const ConsumerGroupHeader = defineHeader({ consumerGroup: field.string() })
const ProducerGroupHeader = defineHeader({ producerGroup: field.string() })
const GroupNameHeader = defineHeader({ groupName: field.string() })

/** MQVersion of the 4.x protocol we implement (V4_9_4 = 401). */
const BROKER_VERSION = 401
const BROKER_VERSION_DESC = 'V4_9_4'

export class AdminStatsProcessor {
  constructor(private readonly ctx: BrokerContext) {}

  async processRequest(request: RemotingCommand, _channel: RemotingChannel): Promise<RemotingCommand> {
    const ok = (body: string): RemotingCommand => createResponse(request, ResponseCode.SUCCESS, null, {}, Buffer.from(body))
    switch (request.code) {
      case RequestCode.GET_BROKER_RUNTIME_INFO:
        return ok(stringifyJson({ table: await this.runtimeInfo() }))
      case RequestCode.GET_CONSUME_STATS:
        return ok(await this.consumeStats(request))
      case RequestCode.GET_CONSUMER_CONNECTION_LIST: {
        const { consumerGroup } = ConsumerGroupHeader.decode(request.extFields)
        const info = this.ctx.consumerManager.getConsumerGroupInfo(consumerGroup)
        if (info === undefined || info.channels.size === 0) return createResponse(request, ResponseCode.CONSUMER_NOT_ONLINE, `the consumer group[${consumerGroup}] not online`)
        return ok(stringifyJson({
          connectionSet: [...info.channels.values()].map(connectionOf),
          consumeFromWhere: info.consumeFromWhere,
          consumeType: info.consumeType,
          messageModel: info.messageModel,
          subscriptionTable: Object.fromEntries([...info.subscriptions].map(([topic, stored]) => [topic, stored.data])),
        }))
      }
      case RequestCode.GET_PRODUCER_CONNECTION_LIST: {
        const { producerGroup } = ProducerGroupHeader.decode(request.extFields)
        const channels = this.ctx.producerManager.getChannels(producerGroup)
        if (channels.length === 0) return createResponse(request, ResponseCode.SYSTEM_ERROR, `the producer group[${producerGroup}] not exist`)
        return ok(stringifyJson({ connectionSet: channels.map(connectionOf) }))
      }
      case RequestCode.GET_ALL_CONSUMER_OFFSET:
        return ok(this.ctx.consumerOffsetManager.encode())
      case RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG:
        return ok(stringifyJson(this.ctx.subscriptionGroupManager.buildWrapper()))
      case RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP: {
        const config = parseJsonLenient(request.body?.toString('utf8') ?? '') as Partial<SubscriptionGroupConfig> | null
        if (config === null || typeof config !== 'object' || typeof config.groupName !== 'string') {
          return createResponse(request, ResponseCode.SYSTEM_ERROR, 'body must be a SubscriptionGroupConfig JSON with groupName')
        }
        this.ctx.subscriptionGroupManager.updateSubscriptionGroupConfig({ ...config, groupName: config.groupName })
        return createResponse(request, ResponseCode.SUCCESS, null)
      }
      default: {
        const { groupName } = GroupNameHeader.decode(request.extFields)
        this.ctx.subscriptionGroupManager.deleteSubscriptionGroupConfig(groupName)
        return createResponse(request, ResponseCode.SUCCESS, null)
      }
    }
  }

  private async runtimeInfo(): Promise<Record<string, string>> {
    const { store, stats, bootTimestamp } = this.ctx
    const runtimeMs = Date.now() - bootTimestamp
    const minPhy = store.getMinPhyOffset()
    const earliest = store.getMaxPhyOffset() > minPhy ? await store.lookMessageByOffset(minPhy).catch(() => null) : null
    return {
      brokerVersionDesc: BROKER_VERSION_DESC,
      brokerVersion: String(BROKER_VERSION),
      msgPutTotalYesterdayMorning: '0',
      msgPutTotalTodayMorning: '0',
      msgPutTotalTodayNow: String(stats.putMessages),
      msgGetTotalYesterdayMorning: '0',
      msgGetTotalTodayMorning: '0',
      msgGetTotalTodayNow: String(stats.getMessages),
      sendThreadPoolQueueSize: '0',
      sendThreadPoolQueueCapacity: '10000',
      pullThreadPoolQueueSize: '0',
      pullThreadPoolQueueCapacity: '100000',
      dispatchBehindBytes: '0',
      pageCacheLockTimeMills: '0',
      earliestMessageTimeStamp: String(earliest?.storeTimestamp ?? 0),
      startAcceptSendRequestTimeStamp: '0',
      commitLogMinOffset: String(minPhy),
      commitLogMaxOffset: String(store.getMaxPhyOffset()),
      bootTimestamp: String(bootTimestamp),
      runtime: formatRuntime(runtimeMs),
      putTps: '0.0 0.0 0.0',
      getTransferedTps: '0.0 0.0 0.0',
      brokerActive: 'true',
    }
  }

  private async consumeStats(request: RemotingCommand): Promise<string> {
    const { consumerGroup, topic } = ConsumeStatsHeader.decode(request.extFields)
    const { store, config, topicConfigManager, consumerOffsetManager, consumerManager } = this.ctx
    const topics = topic ? [topic] : consumerOffsetManager.whichTopicByConsumer(consumerGroup)
    const groupInfo = consumerManager.getConsumerGroupInfo(consumerGroup)
    const entries: Array<[MessageQueue, unknown]> = []
    for (const name of topics) {
      const topicConfig = topicConfigManager.selectTopicConfig(name)
      if (topicConfig === undefined) continue
      if (groupInfo !== undefined && groupInfo.subscriptions.size > 0 && !groupInfo.subscriptions.has(name)) continue
      for (let queueId = 0; queueId < topicConfig.readQueueNums; queueId++) {
        const brokerOffset = store.getMaxOffsetInQueue(name, queueId)
        const consumerOffset = Math.max(0, consumerOffsetManager.queryOffset(consumerGroup, name, queueId))
        const lastTimestamp = consumerOffset > 0 ? await storeTimestampAt(store, name, queueId, consumerOffset - 1) : 0
        entries.push([{ brokerName: config.brokerName, queueId, topic: name }, { brokerOffset, consumerOffset, lastTimestamp }])
      }
    }
    return `{"consumeTps":0,"offsetTable":${stringifyMessageQueueMap(entries)}}`
  }
}

function connectionOf(info: ClientChannelInfo): { clientAddr: string; clientId: string; language: string; version: number } {
  return { clientAddr: info.channel.remoteAddress, clientId: info.clientId, language: info.language, version: info.version }
}

/** Java BrokerController runtime text: `[ 0 days, 1 hours, 2 minutes, 3 seconds ]`. */
function formatRuntime(ms: number): string {
  const seconds = Math.floor(ms / 1000)
  return `[ ${Math.floor(seconds / 86400)} days, ${Math.floor((seconds % 86400) / 3600)} hours, ${Math.floor((seconds % 3600) / 60)} minutes, ${seconds % 60} seconds ]`
}
