/**
 * SEND_MESSAGE (10), SEND_MESSAGE_V2 (310), SEND_BATCH_MESSAGE (320). Source: RocketMQ 4.9
 * `broker/processor/SendMessageProcessor.java` + `AbstractSendMessageProcessor.msgCheck` (pipeline in §3.2):
 *
 *   broker perm → topic name (13 MESSAGE_ILLEGAL) → not-allowed system topic (16) → body size (13) →
 *   topic lookup / auto-create from defaultTopic with INHERIT (else 17 TOPIC_NOT_EXIST) → queueId range (1) →
 *   queueId < 0 ⇒ random → %RETRY% with reconsumeTimes ≥ max ⇒ %DLQ%<group> → half message ⇒ 16 (no transactions)
 *   → store (bornHost = client socket, storeHost = brokerIP1:port, +CLUSTER, −WAIT, tagsCode = hash(TAGS)).
 *
 * Response header: msgId (offset msgId; batch: comma-joined), queueId, queueOffset (batch: first), plus
 * `MSG_REGION`/`TRACE_ON` on every response. Codes: 0, 10/11/12 (stored), 13, 14, 16, 17, 26, 1.
 * Delayed messages (DELAY > 0): there is no schedule service yet, so they are stored immediately consumable in their
 * topic with the DELAY property kept.
 */
import {
  MessageConst,
  MessageSysFlag,
  MixAll,
  PermName,
  RequestCode,
  ResponseCode,
  SendMessageRequestHeader,
  SendMessageRequestHeaderV2,
  createOffsetMsgId,
  createResponse,
  decodeBatchMessages,
  encodeProperties,
  tagsStringToTagsCode,
  toSendMessageRequestHeader,
  validateTopic,
} from '@cometmq/protocol'
import type { Logger, RemotingChannel, RemotingCommand, SendMessageRequestHeaderType, TopicConfig } from '@cometmq/protocol'
import type { BatchMessageInput, PutMessageResult } from '@cometmq/store'
import type { BrokerContext } from '../broker-context.js'
import { PERM_READ_WRITE } from '../topic/topic-config-manager.js'
import { bornHostOf, isStored, prepareStoredProperties, putStatusToResponse } from './send-support.js'

/** MQVersion V3_4_9 ordinal: from this request version on, header maxReconsumeTimes is honoured (§1.7). */
export const V3_4_9 = 121

/** Topics producers may not send to (TopicValidator.NOT_ALLOWED_SEND_TOPIC_SET). */
const NOT_ALLOWED_SEND_TOPICS: ReadonlySet<string> = new Set([
  MixAll.SCHEDULE_TOPIC,
  MixAll.RMQ_SYS_TRANS_HALF_TOPIC,
  MixAll.RMQ_SYS_TRANS_OP_HALF_TOPIC,
  'TRANS_CHECK_MAX_TIME_TOPIC',
])

type CheckResult = { ok: true; topicConfig: TopicConfig } | { ok: false; code: number; remark: string }

export class SendMessageProcessor {
  private readonly log: Logger

  constructor(private readonly ctx: BrokerContext) {
    this.log = ctx.logger.child('SendMessageProcessor')
  }

  async processRequest(request: RemotingCommand, channel: RemotingChannel): Promise<RemotingCommand> {
    const header = request.code === RequestCode.SEND_MESSAGE ? SendMessageRequestHeader.decode(request.extFields) : toSendMessageRequestHeader(SendMessageRequestHeaderV2.decode(request.extFields))
    const batch = request.code === RequestCode.SEND_BATCH_MESSAGE
    const body = request.body ?? Buffer.alloc(0)
    const check = this.msgCheck(header, body, channel)
    if (!check.ok) return this.response(request, check.code, check.remark)
    return batch ? this.sendBatch(request, channel, header, body, check.topicConfig) : this.sendOne(request, channel, header, body, check.topicConfig)
  }

  /** AbstractSendMessageProcessor.msgCheck plus the body-size check. */
  private msgCheck(header: SendMessageRequestHeaderType, body: Buffer, channel: RemotingChannel): CheckResult {
    const { config, topicConfigManager } = this.ctx
    const topic = header.topic
    if (!PermName.isWriteable(config.brokerPermission)) {
      return { ok: false, code: ResponseCode.NO_PERMISSION, remark: `the broker[${this.ctx.brokerAddr}] sending message is forbidden` }
    }
    const invalid = validateTopic(topic)
    if (invalid !== null) return { ok: false, code: ResponseCode.MESSAGE_ILLEGAL, remark: `the topic[${topic}] is illegal: ${invalid}` }
    if (NOT_ALLOWED_SEND_TOPICS.has(topic)) {
      return { ok: false, code: ResponseCode.NO_PERMISSION, remark: `Sending message to topic[${topic}] is forbidden.` }
    }
    if (body.length > config.maxMessageSize) {
      return { ok: false, code: ResponseCode.MESSAGE_ILLEGAL, remark: `the message body size ${body.length} bytes exceeds maxMessageSize ${config.maxMessageSize} bytes` }
    }
    let topicConfig = topicConfigManager.selectTopicConfig(topic)
    if (topicConfig === undefined) {
      if (MixAll.isRetryTopic(topic)) {
        topicConfig = topicConfigManager.createTopicInSendMessageBackMethod(topic, 1, PERM_READ_WRITE, header.unitMode ? 1 : 0)
      } else {
        topicConfig = topicConfigManager.createTopicInSendMessageMethod(topic, header.defaultTopic, channel.remoteAddress, header.defaultTopicQueueNums, header.unitMode ? 1 : 0)
      }
      if (topicConfig === undefined) {
        const why = this.ctx.config.autoCreateTopicEnable ? `default topic[${header.defaultTopic}] cannot be used to create it` : 'autoCreateTopicEnable=false'
        return { ok: false, code: ResponseCode.TOPIC_NOT_EXIST, remark: `topic[${topic}] not exist, apply first please! (${why})` }
      }
    }
    const maxQueueId = Math.max(topicConfig.readQueueNums, topicConfig.writeQueueNums)
    if (header.queueId >= maxQueueId) {
      return { ok: false, code: ResponseCode.SYSTEM_ERROR, remark: `request queueId[${header.queueId}] is illegal, topic[${topic}] has ${maxQueueId} queues, producer: ${channel.remoteAddress}` }
    }
    return { ok: true, topicConfig }
  }

  private async sendOne(request: RemotingCommand, channel: RemotingChannel, header: SendMessageRequestHeaderType, body: Buffer, topicConfig: TopicConfig): Promise<RemotingCommand> {
    const { ctx } = this
    let topic = header.topic
    let queueId = header.queueId < 0 ? randomQueue(topicConfig.writeQueueNums) : header.queueId
    let sysFlag = header.sysFlag
    let toDLQ = false
    const reconsumeTimes = header.reconsumeTimes ?? 0
    if (MixAll.isRetryTopic(topic)) {
      const group = topic.slice(MixAll.RETRY_GROUP_TOPIC_PREFIX.length)
      const groupConfig = ctx.subscriptionGroupManager.findSubscriptionGroupConfig(group)
      if (groupConfig === undefined) return this.response(request, ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, `subscription group not exist, ${group}`)
      const maxReconsumeTimes = request.version >= V3_4_9 && header.maxReconsumeTimes !== undefined ? header.maxReconsumeTimes : groupConfig.retryMaxTimes
      if (reconsumeTimes >= maxReconsumeTimes) {
        toDLQ = true
        topic = MixAll.getDLQTopic(group)
        queueId = 0
        const dlqConfig = ctx.topicConfigManager.createTopicInSendMessageBackMethod(topic, 1, PERM_READ_WRITE, 0)
        if (!PermName.isWriteable(dlqConfig.perm)) return this.response(request, ResponseCode.NO_PERMISSION, `the topic[${topic}] sending message is forbidden`)
        this.log.debug('message diverted to DLQ', { topic, reconsumeTimes, maxReconsumeTimes })
      }
    }
    const props = prepareStoredProperties(header.properties, ctx.config.brokerClusterName, toDLQ)
    if (props.transaction || MessageSysFlag.getTransactionValue(sysFlag) === MessageSysFlag.TRANSACTION_PREPARED_TYPE) {
      return this.response(request, ResponseCode.NO_PERMISSION, `the broker[${ctx.brokerAddr}] sending transaction message is forbidden (transactional messages are not supported)`)
    }
    if (topicConfig.topicFilterType === 'MULTI_TAG') sysFlag |= MessageSysFlag.MULTI_TAGS_FLAG
    const result = await this.put(() =>
      ctx.store.putMessage({
        topic,
        queueId,
        flag: header.flag,
        body,
        propertiesString: props.stored,
        sysFlag,
        bornTimestamp: header.bornTimestamp,
        bornHost: bornHostOf(channel),
        storeHost: ctx.storeHost,
        reconsumeTimes,
        preparedTransactionOffset: 0,
        tagsCode: tagsStringToTagsCode(props.tags),
        waitStoreMsgOK: props.waitStoreMsgOK,
      }),
    )
    return this.answer(request, result, queueId)
  }

  private async sendBatch(request: RemotingCommand, channel: RemotingChannel, header: SendMessageRequestHeaderType, body: Buffer, topicConfig: TopicConfig): Promise<RemotingCommand> {
    const { ctx } = this
    if (MixAll.isRetryTopic(header.topic)) {
      return this.response(request, ResponseCode.MESSAGE_ILLEGAL, `batch request does not support retry group ${header.topic}`)
    }
    let decoded
    try {
      decoded = decodeBatchMessages(body)
    } catch (error) {
      return this.response(request, ResponseCode.MESSAGE_ILLEGAL, `the batch body is malformed: ${(error as Error).message}`)
    }
    if (decoded.length === 0) return this.response(request, ResponseCode.MESSAGE_ILLEGAL, 'the batch body contains no message')
    const outer = prepareStoredProperties(header.properties, ctx.config.brokerClusterName)
    const messages: BatchMessageInput[] = decoded.map((message) => {
      const properties = message.properties
      delete properties[MessageConst.WAIT]
      properties[MessageConst.CLUSTER] = ctx.config.brokerClusterName
      return { flag: message.flag, body: message.body, propertiesString: encodeProperties(properties), tagsCode: tagsStringToTagsCode(properties[MessageConst.TAGS]) }
    })
    const queueId = header.queueId < 0 ? randomQueue(topicConfig.writeQueueNums) : header.queueId
    let sysFlag = header.sysFlag
    if (topicConfig.topicFilterType === 'MULTI_TAG') sysFlag |= MessageSysFlag.MULTI_TAGS_FLAG
    const result = await this.put(() =>
      ctx.store.putMessages({
        topic: header.topic,
        queueId,
        sysFlag,
        bornTimestamp: header.bornTimestamp,
        bornHost: bornHostOf(channel),
        storeHost: ctx.storeHost,
        reconsumeTimes: header.reconsumeTimes ?? 0,
        waitStoreMsgOK: outer.waitStoreMsgOK,
        messages,
      }),
    )
    return this.answer(request, result, queueId)
  }

  /** Runs a put; a closed / not-yet-open store becomes SERVICE_NOT_AVAILABLE instead of an exception. */
  private async put(run: () => Promise<PutMessageResult>): Promise<PutMessageResult> {
    try {
      return await run()
    } catch (error) {
      const code = (error as { code?: unknown }).code
      if (code === 'STORE_CLOSED' || code === 'STORE_NOT_OPEN') return { status: 'SERVICE_NOT_AVAILABLE', remark: `message store is not available: ${(error as Error).message}` }
      throw error
    }
  }

  private answer(request: RemotingCommand, result: PutMessageResult, queueId: number): RemotingCommand {
    const { code, remark } = putStatusToResponse(result.status, result.remark, this.ctx.store.diskUsage)
    const append = result.appendResult
    if (!isStored(result.status) || append === undefined) {
      this.log.debug('send failed', { status: result.status, code, opaque: request.opaque })
      return this.response(request, code, remark)
    }
    this.ctx.stats.putMessages += append.msgNum
    const { host, port } = this.ctx.storeHost
    const offsets = append.commitLogOffsets
    let msgId = createOffsetMsgId(host, port, offsets[0] ?? append.wroteOffset)
    for (let i = 1; i < offsets.length; i++) msgId += `,${createOffsetMsgId(host, port, offsets[i]!)}`
    return createResponse(request, code, remark, {
      msgId,
      queueId,
      queueOffset: append.queueOffset,
      MSG_REGION: this.ctx.config.regionId,
      TRACE_ON: this.ctx.config.traceOn,
    })
  }

  private response(request: RemotingCommand, code: number, remark: string | null): RemotingCommand {
    if (code !== ResponseCode.SUCCESS) this.log.debug('send rejected', { code, remark, opaque: request.opaque })
    return createResponse(request, code, remark, { MSG_REGION: this.ctx.config.regionId, TRACE_ON: this.ctx.config.traceOn })
  }
}

/** Uniform random queue in [0, queueNums) (Java: `randomQueueId(writeQueueNums)`); 0 when there are no queues. */
export function randomQueue(queueNums: number): number {
  return queueNums > 0 ? Math.floor(Math.random() * queueNums) : 0
}
