/**
 * PULL_MESSAGE (11) and LITE_PULL_MESSAGE (361). Source: RocketMQ 4.9 `broker/processor/PullMessageProcessor.java`;
 * semantics §3.4, §7.4, §7.5.
 *
 * Checks, in Java's order: broker readable (16) → subscription group exists or auto-created (26) and consumeEnable
 * (16) → topic exists (17) and readable (16) → queueId < readQueueNums (1) → subscription: from the request when
 * PullSysFlag bit 2 is set, else the one stored from HEART_BEAT (24 SUBSCRIPTION_NOT_EXIST when the group or topic is
 * unknown, 25 SUBSCRIPTION_NOT_LATEST when the stored subVersion is older than the request's); SQL92 → 1.
 *
 * Store status → response code (remark = status name, §7.5):
 *
 * | status | code |
 * |---|---|
 * | FOUND | 0 SUCCESS, body = the raw records concatenated |
 * | NO_MATCHED_MESSAGE, MESSAGE_WAS_REMOVING | 20 PULL_RETRY_IMMEDIATELY |
 * | NO_MESSAGE_IN_QUEUE, NO_MATCHED_LOGIC_QUEUE | 19 if the request offset is 0, else 21 |
 * | OFFSET_OVERFLOW_ONE, OFFSET_FOUND_NULL | 19 PULL_NOT_FOUND |
 * | OFFSET_TOO_SMALL, OFFSET_OVERFLOW_BADLY | 21 PULL_OFFSET_MOVED |
 *
 * Every response (errors included) carries suggestWhichBrokerId, nextBeginOffset, minOffset, maxOffset.
 * A 19 on the first evaluation with the SUSPEND bit parks the request (long polling) and returns null; the
 * PullRequestHoldService later re-runs it via `executeRequestWhenWakeup`. The COMMIT_OFFSET bit stores
 * `commitOffset` on the first evaluation only (not on a SLAVE).
 */
import { PullMessageRequestHeader, PullSysFlag, PermName, ResponseCode, createResponse, filterSubscription } from '@cometmq/protocol'
import type { HeaderOf, Logger, RemotingChannel, RemotingCommand } from '@cometmq/protocol'
import type { GetMessageResult, GetMessageStatus } from '@cometmq/store'
import type { BrokerContext } from '../broker-context.js'
import { buildTagsCodeFilter } from '../client/client-channel-info.js'
import type { TagsCodeFilter } from '../client/client-channel-info.js'
import type { PullRequest } from '../longpolling/pull-request-hold-service.js'

type PullHeader = HeaderOf<typeof PullMessageRequestHeader>

/** Response code of a store status, for a pull at `requestOffset`. */
export function pullStatusToCode(status: GetMessageStatus, requestOffset: number): number {
  switch (status) {
    case 'FOUND':
      return ResponseCode.SUCCESS
    case 'NO_MATCHED_MESSAGE':
    case 'MESSAGE_WAS_REMOVING':
      return ResponseCode.PULL_RETRY_IMMEDIATELY
    case 'NO_MESSAGE_IN_QUEUE':
    case 'NO_MATCHED_LOGIC_QUEUE':
      return requestOffset === 0 ? ResponseCode.PULL_NOT_FOUND : ResponseCode.PULL_OFFSET_MOVED
    case 'OFFSET_OVERFLOW_ONE':
    case 'OFFSET_FOUND_NULL':
      return ResponseCode.PULL_NOT_FOUND
    case 'OFFSET_TOO_SMALL':
    case 'OFFSET_OVERFLOW_BADLY':
      return ResponseCode.PULL_OFFSET_MOVED
  }
}

/** Distinct request subscription expressions whose filters are kept. */
const FILTER_CACHE_SIZE = 1024

export class PullMessageProcessor {
  private readonly log: Logger
  private readonly filterCache = new Map<string, TagsCodeFilter | undefined>()

  constructor(private readonly ctx: BrokerContext) {
    this.log = ctx.logger.child('PullMessageProcessor')
  }

  processRequest(request: RemotingCommand, channel: RemotingChannel): Promise<RemotingCommand | null> {
    return this.process(request, channel, true)
  }

  /** Re-runs a held request without suspend permission and answers it on its original opaque (dropped if the channel closed). */
  executeRequestWhenWakeup(pull: PullRequest): void {
    this.process(pull.request, pull.channel, false).then(
      (response) => {
        if (response !== null) pull.channel.send(response)
      },
      (error: unknown) => {
        this.log.warn('held pull re-evaluation failed', { topic: pull.topic, queueId: pull.queueId, error: (error as Error).message })
        pull.channel.send(createResponse(pull.request, ResponseCode.SYSTEM_ERROR, (error as Error).message, this.offsets(pull.topic, pull.queueId, pull.pullFromThisOffset)))
      },
    )
  }

  private async process(request: RemotingCommand, channel: RemotingChannel, brokerAllowSuspend: boolean): Promise<RemotingCommand | null> {
    const { ctx } = this
    const header = PullMessageRequestHeader.decode(request.extFields)
    const fail = (code: number, remark: string): RemotingCommand => {
      this.log.debug('pull rejected', { code, remark, topic: header.topic, queueId: header.queueId, group: header.consumerGroup })
      return createResponse(request, code, remark, this.offsets(header.topic, header.queueId, header.queueOffset))
    }
    if (!PermName.isReadable(ctx.config.brokerPermission)) return fail(ResponseCode.NO_PERMISSION, `the broker[${ctx.brokerAddr}] pulling message is forbidden`)
    const groupConfig = ctx.subscriptionGroupManager.findSubscriptionGroupConfig(header.consumerGroup)
    if (groupConfig === undefined) return fail(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST, `subscription group [${header.consumerGroup}] does not exist`)
    if (!groupConfig.consumeEnable) return fail(ResponseCode.NO_PERMISSION, `subscription group no permission, ${header.consumerGroup}`)
    const hasSuspend = PullSysFlag.hasSuspendFlag(header.sysFlag)
    const hasCommitOffset = PullSysFlag.hasCommitOffsetFlag(header.sysFlag)
    const hasSubscription = PullSysFlag.hasSubscriptionFlag(header.sysFlag)
    const topicConfig = ctx.topicConfigManager.selectTopicConfig(header.topic)
    if (topicConfig === undefined) return fail(ResponseCode.TOPIC_NOT_EXIST, `topic[${header.topic}] not exist, apply first please!`)
    if (!PermName.isReadable(topicConfig.perm)) return fail(ResponseCode.NO_PERMISSION, `the topic[${header.topic}] pulling message is forbidden`)
    if (header.queueId < 0 || header.queueId >= topicConfig.readQueueNums) {
      return fail(ResponseCode.SYSTEM_ERROR, `queueId[${header.queueId}] is illegal, topic:[${header.topic}] topicConfig.readQueueNums:[${topicConfig.readQueueNums}] consumer:[${channel.remoteAddress}]`)
    }
    const filter = this.resolveFilter(header, hasSubscription, groupConfig.consumeBroadcastEnable)
    if (!filter.ok) return fail(filter.code, filter.remark)

    // Commit before the first await: an UPDATE_CONSUMER_OFFSET that arrives on this connection after this pull must
    // win over the pull's (older) piggy-backed offset, and it would be processed while getMessage is pending.
    if (brokerAllowSuspend && hasCommitOffset && ctx.config.brokerRole !== 'SLAVE') {
      ctx.consumerOffsetManager.commitOffset(channel.remoteAddress, header.consumerGroup, header.topic, header.queueId, header.commitOffset)
    }
    const result = await ctx.store.getMessage({
      topic: header.topic,
      queueId: header.queueId,
      offset: header.queueOffset,
      maxMsgNums: Math.max(1, Math.min(header.maxMsgNums, ctx.config.maxTransferCountOnMessageInMemory)),
      maxTotalBytes: ctx.config.maxTransferBytesOnMessageInMemory,
      tagsCodeFilter: filter.filter,
    })
    const code = pullStatusToCode(result.status, header.queueOffset)
    if (code === ResponseCode.PULL_NOT_FOUND && brokerAllowSuspend && hasSuspend) {
      const timeoutMillis = ctx.config.longPollingEnable ? header.suspendTimeoutMillis : ctx.config.shortPollingTimeMills
      ctx.pullRequestHoldService.suspendPullRequest({
        request,
        channel,
        topic: header.topic,
        queueId: header.queueId,
        pullFromThisOffset: header.queueOffset,
        filter: filter.filter,
        suspendTimestamp: Date.now(),
        timeoutMillis,
      })
      return null
    }
    return this.respond(request, code, result)
  }

  private respond(request: RemotingCommand, code: number, result: GetMessageResult): RemotingCommand {
    const ext = { suggestWhichBrokerId: 0, nextBeginOffset: result.nextBeginOffset, minOffset: result.minOffset, maxOffset: result.maxOffset }
    if (code !== ResponseCode.SUCCESS) return createResponse(request, code, result.status, ext)
    const messages = result.messages
    this.ctx.stats.getMessages += messages.length
    const body = messages.length === 1 ? messages[0]! : Buffer.concat(messages)
    return createResponse(request, code, result.status, ext, body)
  }

  /** Subscription → broker-side filter, or the 23/24/25/1/16 failure. */
  private resolveFilter(header: PullHeader, hasSubscription: boolean, consumeBroadcastEnable: boolean): { ok: true; filter: TagsCodeFilter | undefined } | { ok: false; code: number; remark: string } {
    if (hasSubscription) {
      if (isSql92(header.expressionType)) return sql92NotSupported()
      return { ok: true, filter: this.requestFilter(header.subscription) }
    }
    const groupInfo = this.ctx.consumerManager.getConsumerGroupInfo(header.consumerGroup)
    if (groupInfo === undefined) return { ok: false, code: ResponseCode.SUBSCRIPTION_NOT_EXIST, remark: `the consumer's group info not exist, group: ${header.consumerGroup}` }
    if (!consumeBroadcastEnable && groupInfo.messageModel === 'BROADCASTING') {
      return { ok: false, code: ResponseCode.NO_PERMISSION, remark: `the consumer group[${header.consumerGroup}] can not consume by broadcast way` }
    }
    const stored = groupInfo.findSubscription(header.topic)
    if (stored === undefined) return { ok: false, code: ResponseCode.SUBSCRIPTION_NOT_EXIST, remark: `the consumer's subscription not exist, topic: ${header.topic}` }
    if (Number(stored.data.subVersion) < header.subVersion) {
      return { ok: false, code: ResponseCode.SUBSCRIPTION_NOT_LATEST, remark: `the consumer's subscription not latest, topic: ${header.topic}` }
    }
    if (isSql92(stored.data.expressionType)) return sql92NotSupported()
    return { ok: true, filter: stored.filter }
  }

  /** Filter of a subscription expression sent with the pull; cached per expression (bounded) to keep pulls allocation-light. */
  private requestFilter(subscription: string | undefined): TagsCodeFilter | undefined {
    const expression = subscription ?? '*'
    if (expression === '*' || expression === '') return undefined
    if (this.filterCache.has(expression)) return this.filterCache.get(expression)
    const filter = buildTagsCodeFilter(filterSubscription(expression))
    if (this.filterCache.size >= FILTER_CACHE_SIZE) this.filterCache.clear()
    this.filterCache.set(expression, filter)
    return filter
  }

  /** The four required response fields for a failure or a late answer: nextBeginOffset = the request offset. */
  private offsets(topic: string, queueId: number, queueOffset: number): Record<string, number> {
    const { store } = this.ctx
    let minOffset = 0
    let maxOffset = 0
    try {
      minOffset = store.getMinOffsetInQueue(topic, queueId)
      maxOffset = store.getMaxOffsetInQueue(topic, queueId)
    } catch {
      // store closed: report zeros
    }
    return { suggestWhichBrokerId: 0, nextBeginOffset: queueOffset, minOffset, maxOffset }
  }
}

function isSql92(expressionType: string | undefined): boolean {
  return expressionType !== undefined && expressionType.toUpperCase() === 'SQL92'
}

function sql92NotSupported(): { ok: false; code: number; remark: string } {
  return { ok: false, code: ResponseCode.SYSTEM_ERROR, remark: 'The broker does not support consumer to filter message by SQL92' }
}
