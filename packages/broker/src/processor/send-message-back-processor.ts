/**
 * CONSUMER_SEND_MSG_BACK (36): a consumer failed a message → a copy goes to `%RETRY%<group>`, or `%DLQ%<group>` once
 * it has been reconsumed `maxReconsumeTimes` times (or delayLevel < 0). Source: RocketMQ 4.9
 * `SendMessageProcessor.asyncConsumerSendMsgBack`; flow §7.7:
 *
 *   group config (26 when unknown and not auto-created) → retryQueueNums ≤ 0 ⇒ 0 and drop → ensure %RETRY%<group>
 *   → read the original by commit-log `offset` (1 "look message by offset failed, N") → RETRY_TOPIC := original topic
 *   unless set → maxReconsumeTimes = header (request version ≥ 121) else group retryMaxTimes → DLQ or retry with
 *   delay level (0 ⇒ 3 + reconsumeTimes) → new record: same body/flag/born info/tags, reconsumeTimes + 1,
 *   ORIGIN_MESSAGE_ID = existing value or the original's offset msgId, random retry queue.
 *
 * Delay levels: there is no schedule service yet, so the copy is written DIRECTLY into the retry topic — the DELAY
 * property is recorded but the message is immediately consumable (a real broker parks it in SCHEDULE_TOPIC_XXXX for
 * 10 s, 30 s, 1 m, …). Response 0 (no header) when stored, else 1 with the store status.
 */
import { ConsumerSendMsgBackRequestHeader, MessageConst, MixAll, PermName, ResponseCode, createResponse, encodeProperties, tagsStringToTagsCode } from '@cometmq/protocol'
import type { Logger, RemotingChannel, RemotingCommand } from '@cometmq/protocol'
import type { BrokerContext } from '../broker-context.js'
import { PERM_READ_WRITE } from '../topic/topic-config-manager.js'
import { V3_4_9, randomQueue } from './send-message-processor.js'
import { isStored } from './send-support.js'

export class SendMessageBackProcessor {
  private readonly log: Logger

  constructor(private readonly ctx: BrokerContext) {
    this.log = ctx.logger.child('SendMessageBackProcessor')
  }

  async processRequest(request: RemotingCommand, _channel: RemotingChannel): Promise<RemotingCommand> {
    const { ctx } = this
    const header = ConsumerSendMsgBackRequestHeader.decode(request.extFields)
    const groupConfig = ctx.subscriptionGroupManager.findSubscriptionGroupConfig(header.group)
    if (groupConfig === undefined) return createResponse(request, ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, `subscription group not exist, ${header.group}`)
    if (!PermName.isWriteable(ctx.config.brokerPermission)) return createResponse(request, ResponseCode.NO_PERMISSION, `the broker[${ctx.brokerAddr}] sending message is forbidden`)
    if (groupConfig.retryQueueNums <= 0) return createResponse(request, ResponseCode.SUCCESS, null)

    let topic = MixAll.getRetryTopic(header.group)
    let queueId = randomQueue(groupConfig.retryQueueNums)
    const retryConfig = ctx.topicConfigManager.createTopicInSendMessageBackMethod(topic, groupConfig.retryQueueNums, PERM_READ_WRITE, header.unitMode ? 1 : 0)
    if (!PermName.isWriteable(retryConfig.perm)) return createResponse(request, ResponseCode.NO_PERMISSION, `the topic[${topic}] sending message is forbidden`)

    const original = await ctx.store.lookMessageByOffset(header.offset)
    if (original === null) return createResponse(request, ResponseCode.SYSTEM_ERROR, `look message by offset failed, ${header.offset}`)

    const properties: Record<string, string> = { ...original.properties }
    if (properties[MessageConst.RETRY_TOPIC] === undefined) properties[MessageConst.RETRY_TOPIC] = original.topic
    const maxReconsumeTimes = request.version >= V3_4_9 && header.maxReconsumeTimes !== undefined ? header.maxReconsumeTimes : groupConfig.retryMaxTimes
    let delayLevel = header.delayLevel
    if (original.reconsumeTimes >= maxReconsumeTimes || delayLevel < 0) {
      topic = MixAll.getDLQTopic(header.group)
      queueId = 0
      const dlqConfig = ctx.topicConfigManager.createTopicInSendMessageBackMethod(topic, 1, PERM_READ_WRITE, 0)
      if (!PermName.isWriteable(dlqConfig.perm)) return createResponse(request, ResponseCode.NO_PERMISSION, `the topic[${topic}] sending message is forbidden`)
      delete properties[MessageConst.DELAY]
      this.log.debug('message sent to DLQ', { topic, group: header.group, commitLogOffset: header.offset, reconsumeTimes: original.reconsumeTimes, maxReconsumeTimes })
    } else {
      if (delayLevel === 0) delayLevel = 3 + original.reconsumeTimes
      properties[MessageConst.DELAY] = String(delayLevel)
    }
    if (properties[MessageConst.ORIGIN_MESSAGE_ID] === undefined || properties[MessageConst.ORIGIN_MESSAGE_ID] === '') {
      properties[MessageConst.ORIGIN_MESSAGE_ID] = original.msgId
    }
    delete properties[MessageConst.WAIT]
    properties[MessageConst.CLUSTER] = ctx.config.brokerClusterName

    const result = await ctx.store.putMessage({
      topic,
      queueId,
      flag: original.flag,
      body: original.body,
      propertiesString: encodeProperties(properties),
      sysFlag: original.sysFlag,
      bornTimestamp: original.bornTimestamp,
      bornHost: original.bornHost,
      storeHost: ctx.storeHost,
      reconsumeTimes: original.reconsumeTimes + 1,
      preparedTransactionOffset: 0,
      tagsCode: tagsStringToTagsCode(properties[MessageConst.TAGS]),
      waitStoreMsgOK: false,
    })
    if (!isStored(result.status)) {
      this.log.warn('send back failed', { topic, group: header.group, status: result.status })
      return createResponse(request, ResponseCode.SYSTEM_ERROR, result.remark ?? result.status)
    }
    ctx.stats.putMessages++
    this.log.debug('message sent back', { topic, queueId, group: header.group, commitLogOffset: header.offset, reconsumeTimes: original.reconsumeTimes + 1 })
    return createResponse(request, ResponseCode.SUCCESS, null)
  }
}
