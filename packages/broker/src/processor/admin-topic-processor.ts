/**
 * Topic administration (RocketMQ 4.9 `broker/processor/AdminBrokerProcessor.java`; §3.9):
 *
 * | code | request | response |
 * |---|---|---|
 * | 17 UPDATE_AND_CREATE_TOPIC | CreateTopicRequestHeader | 0; persists topics.json and re-registers with every namesrv. 1 for an illegal name, the cluster name or a system topic |
 * | 215 DELETE_TOPIC_IN_BROKER | topic | 0; drops the config and the topic's consumer offsets (stored messages stay until file expiry), re-registers. 1 for a system topic |
 * | 21 GET_ALL_TOPIC_CONFIG | — | body TopicConfigSerializeWrapper JSON |
 * | 202 GET_TOPIC_STATS_INFO | topic | body TopicStatsTable (MessageQueue object keys); 17 when unknown |
 * | 300 QUERY_TOPIC_CONSUME_BY_WHO | topic | body `{"groupList":[…]}` (groups subscribed now or holding offsets) |
 */
import { CreateTopicRequestHeader, DeleteTopicRequestHeader, RequestCode, ResponseCode, createResponse, defineHeader, field, stringifyJson, validateTopic } from '@cometmq/protocol'
import type { Logger, MessageQueue, RemotingChannel, RemotingCommand } from '@cometmq/protocol'
import type { BrokerContext } from '../broker-context.js'
import { newTopicConfig } from '../topic/topic-config-manager.js'
import { storeTimestampAt, stringifyMessageQueueMap } from '../util/admin-json.js'

/** `topic` only (GetTopicStatsInfoRequestHeader, QueryTopicConsumeByWhoRequestHeader). */
const TopicOnlyHeader = defineHeader({ topic: field.string() })

export class AdminTopicProcessor {
  private readonly log: Logger

  constructor(private readonly ctx: BrokerContext) {
    this.log = ctx.logger.child('AdminTopicProcessor')
  }

  async processRequest(request: RemotingCommand, channel: RemotingChannel): Promise<RemotingCommand> {
    switch (request.code) {
      case RequestCode.UPDATE_AND_CREATE_TOPIC:
        return this.updateAndCreateTopic(request, channel)
      case RequestCode.DELETE_TOPIC_IN_BROKER:
        return this.deleteTopic(request, channel)
      case RequestCode.GET_ALL_TOPIC_CONFIG:
        return createResponse(request, ResponseCode.SUCCESS, null, {}, Buffer.from(stringifyJson(this.ctx.topicConfigManager.buildSerializeWrapper())))
      case RequestCode.GET_TOPIC_STATS_INFO:
        return this.getTopicStatsInfo(request)
      default:
        return this.queryTopicConsumeByWho(request)
    }
  }

  private updateAndCreateTopic(request: RemotingCommand, channel: RemotingChannel): RemotingCommand {
    const header = CreateTopicRequestHeader.decode(request.extFields)
    const topic = header.topic
    if (topic === this.ctx.config.brokerClusterName) {
      return createResponse(request, ResponseCode.SYSTEM_ERROR, `The specified topic[${topic}] is conflict with the cluster name`)
    }
    const invalid = validateTopic(topic)
    if (invalid !== null) return createResponse(request, ResponseCode.SYSTEM_ERROR, `The specified topic[${topic}] is illegal: ${invalid}`)
    if (this.ctx.topicConfigManager.isSystemTopic(topic)) {
      return createResponse(request, ResponseCode.SYSTEM_ERROR, `The topic[${topic}] is conflict with system topic.`)
    }
    if (header.topicFilterType !== 'SINGLE_TAG' && header.topicFilterType !== 'MULTI_TAG') {
      return createResponse(request, ResponseCode.SYSTEM_ERROR, `topicFilterType must be SINGLE_TAG or MULTI_TAG, got ${header.topicFilterType}`)
    }
    this.ctx.topicConfigManager.updateTopicConfig(
      newTopicConfig(topic, {
        readQueueNums: header.readQueueNums,
        writeQueueNums: header.writeQueueNums,
        perm: header.perm,
        topicFilterType: header.topicFilterType,
        topicSysFlag: header.topicSysFlag ?? 0,
        order: header.order,
      }),
    )
    this.log.info('topic created/updated by admin', { topic, readQueueNums: header.readQueueNums, writeQueueNums: header.writeQueueNums, perm: header.perm, remoteAddr: channel.remoteAddress })
    return createResponse(request, ResponseCode.SUCCESS, null)
  }

  private deleteTopic(request: RemotingCommand, channel: RemotingChannel): RemotingCommand {
    const { topic } = DeleteTopicRequestHeader.decode(request.extFields)
    if (this.ctx.topicConfigManager.isSystemTopic(topic)) {
      return createResponse(request, ResponseCode.SYSTEM_ERROR, `The topic[${topic}] is conflict with system topic.`)
    }
    this.ctx.topicConfigManager.deleteTopicConfig(topic)
    this.ctx.consumerOffsetManager.removeTopic(topic)
    this.log.info('topic deleted by admin', { topic, remoteAddr: channel.remoteAddress })
    return createResponse(request, ResponseCode.SUCCESS, null)
  }

  private async getTopicStatsInfo(request: RemotingCommand): Promise<RemotingCommand> {
    const { topic } = TopicOnlyHeader.decode(request.extFields)
    const topicConfig = this.ctx.topicConfigManager.selectTopicConfig(topic)
    if (topicConfig === undefined) return createResponse(request, ResponseCode.TOPIC_NOT_EXIST, `topic[${topic}] not exist`)
    const { store, config } = this.ctx
    const entries: Array<[MessageQueue, unknown]> = []
    for (let queueId = 0; queueId < topicConfig.writeQueueNums; queueId++) {
      const minOffset = store.getMinOffsetInQueue(topic, queueId)
      const maxOffset = store.getMaxOffsetInQueue(topic, queueId)
      const lastUpdateTimestamp = maxOffset > 0 ? await storeTimestampAt(store, topic, queueId, maxOffset - 1) : 0
      entries.push([{ brokerName: config.brokerName, queueId, topic }, { lastUpdateTimestamp, maxOffset, minOffset }])
    }
    return createResponse(request, ResponseCode.SUCCESS, null, {}, Buffer.from(`{"offsetTable":${stringifyMessageQueueMap(entries)}}`))
  }

  private queryTopicConsumeByWho(request: RemotingCommand): RemotingCommand {
    const { topic } = TopicOnlyHeader.decode(request.extFields)
    const groups = new Set([...this.ctx.consumerManager.queryTopicConsumeByWho(topic), ...this.ctx.consumerOffsetManager.whichGroupByTopic(topic)])
    return createResponse(request, ResponseCode.SUCCESS, null, {}, Buffer.from(stringifyJson({ groupList: [...groups] })))
  }
}
