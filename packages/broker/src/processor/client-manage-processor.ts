/**
 * HEART_BEAT (34) and UNREGISTER_CLIENT (35). Source: RocketMQ 4.9 `broker/processor/ClientManageProcessor.java`; §3.3.
 *
 * HEART_BEAT body = HeartbeatData JSON `{clientID, producerDataSet:[{groupName}], consumerDataSet:[ConsumerData]}`.
 * Per consumer group: ensure the subscription group (auto-create), ensure `%RETRY%<group>` (group retryQueueNums
 * queues, perm 6 — its creation re-registers with every namesrv right away), record the channel and replace the
 * subscriptions; membership/subscription changes notify the group (NOTIFY_CONSUMER_IDS_CHANGED). Per producer group:
 * record the channel. Response 0, no body; 1 SYSTEM_ERROR when the body is not a HeartbeatData.
 */
import { MixAll, RequestCode, ResponseCode, UnregisterClientRequestHeader, createResponse, parseJsonLenient } from '@cometmq/protocol'
import type { ConsumerData, HeartbeatData, Logger, RemotingChannel, RemotingCommand, SubscriptionData } from '@cometmq/protocol'
import type { BrokerContext } from '../broker-context.js'
import type { ClientChannelInfo } from '../client/client-channel-info.js'
import { PERM_READ_WRITE } from '../topic/topic-config-manager.js'

export class ClientManageProcessor {
  private readonly log: Logger

  constructor(private readonly ctx: BrokerContext) {
    this.log = ctx.logger.child('ClientManageProcessor')
  }

  processRequest(request: RemotingCommand, channel: RemotingChannel): RemotingCommand {
    return request.code === RequestCode.HEART_BEAT ? this.heartBeat(request, channel) : this.unregisterClient(request, channel)
  }

  private heartBeat(request: RemotingCommand, channel: RemotingChannel): RemotingCommand {
    let heartbeat: HeartbeatData
    try {
      heartbeat = parseHeartbeat(request.body)
    } catch (error) {
      return createResponse(request, ResponseCode.SYSTEM_ERROR, `bad HEART_BEAT body: ${(error as Error).message}`)
    }
    const now = Date.now()
    const info: ClientChannelInfo = { channel, clientId: heartbeat.clientID, language: request.language, version: request.version, lastUpdateTimestamp: now }
    for (const consumer of heartbeat.consumerDataSet) {
      const group = consumer.groupName
      const groupConfig = this.ctx.subscriptionGroupManager.findSubscriptionGroupConfig(group)
      if (groupConfig !== undefined && groupConfig.retryQueueNums > 0) {
        this.ctx.topicConfigManager.createTopicInSendMessageBackMethod(MixAll.getRetryTopic(group), groupConfig.retryQueueNums, PERM_READ_WRITE, consumer.unitMode ? 1 : 0)
      }
      const changed = this.ctx.consumerManager.registerConsumer(group, { ...info }, {
        consumeType: consumer.consumeType,
        messageModel: consumer.messageModel,
        consumeFromWhere: consumer.consumeFromWhere,
        subscriptions: consumer.subscriptionDataSet,
      })
      if (changed) this.log.debug('consumer group changed by heartbeat', { group, clientId: heartbeat.clientID })
    }
    for (const producer of heartbeat.producerDataSet) this.ctx.producerManager.registerProducer(producer.groupName, { ...info })
    return createResponse(request, ResponseCode.SUCCESS, null)
  }

  private unregisterClient(request: RemotingCommand, channel: RemotingChannel): RemotingCommand {
    const header = UnregisterClientRequestHeader.decode(request.extFields)
    if (header.producerGroup) this.ctx.producerManager.unregisterProducer(header.producerGroup, channel)
    if (header.consumerGroup) this.ctx.consumerManager.unregisterConsumer(header.consumerGroup, channel)
    this.log.debug('client unregistered', { clientId: header.clientID, producerGroup: header.producerGroup, consumerGroup: header.consumerGroup })
    return createResponse(request, ResponseCode.SUCCESS, null, {})
  }
}

/**
 * Parses and normalises a HeartbeatData body (lenient JSON). Missing arrays become empty, missing expressionType
 * becomes TAG (ali-ons omits it), missing tagsSet/codeSet become empty, subVersion becomes a number.
 * @throws Error when the body is absent or not an object with a string clientID.
 */
export function parseHeartbeat(body: Buffer | null): HeartbeatData {
  if (body === null || body.length === 0) throw new Error('empty body')
  const raw = parseJsonLenient(body.toString('utf8')) as Partial<HeartbeatData> | null
  if (raw === null || typeof raw !== 'object' || typeof raw.clientID !== 'string') throw new Error('missing clientID')
  const consumers = Array.isArray(raw.consumerDataSet) ? raw.consumerDataSet : []
  const producers = Array.isArray(raw.producerDataSet) ? raw.producerDataSet : []
  return {
    clientID: raw.clientID,
    producerDataSet: producers.filter((p) => p !== null && typeof p === 'object' && typeof p.groupName === 'string'),
    consumerDataSet: consumers.filter((c) => c !== null && typeof c === 'object' && typeof c.groupName === 'string').map(normaliseConsumer),
  }
}

function normaliseConsumer(consumer: Partial<ConsumerData> & { groupName: string }): ConsumerData {
  const subscriptions = Array.isArray(consumer.subscriptionDataSet) ? consumer.subscriptionDataSet : []
  return {
    groupName: consumer.groupName,
    consumeType: consumer.consumeType ?? 'CONSUME_PASSIVELY',
    messageModel: consumer.messageModel ?? 'CLUSTERING',
    consumeFromWhere: consumer.consumeFromWhere ?? 'CONSUME_FROM_LAST_OFFSET',
    unitMode: consumer.unitMode === true,
    subscriptionDataSet: subscriptions
      .filter((s) => s !== null && typeof s === 'object' && typeof s.topic === 'string')
      .map((s: Partial<SubscriptionData> & { topic: string }) => ({
        topic: s.topic,
        subString: typeof s.subString === 'string' ? s.subString : '*',
        tagsSet: Array.isArray(s.tagsSet) ? s.tagsSet.map(String) : [],
        codeSet: Array.isArray(s.codeSet) ? s.codeSet.map(Number) : [],
        subVersion: Number(s.subVersion ?? 0),
        expressionType: s.expressionType ?? 'TAG',
        classFilterMode: s.classFilterMode === true,
      })),
  }
}
