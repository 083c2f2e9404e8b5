/**
 * QUERY_CONSUMER_OFFSET (14), UPDATE_CONSUMER_OFFSET (15), GET_CONSUMER_LIST_BY_GROUP (38).
 * Source: RocketMQ 4.9 `broker/processor/ConsumerManageProcessor.java`; §3.4, §7.5.
 *
 * QUERY_CONSUMER_OFFSET when the group has no committed offset — our rule (the "suggested rule" of §7.5, matching
 * 4.9 on stores smaller than its in-memory window): answer offset 0 while the queue's min offset is 0 (nothing
 * deleted yet, including empty queues), else 22 QUERY_NOT_FOUND (the client then applies consumeFromWhere).
 * A 5.x request with `setZeroIfNotFound=false` always gets 22. Consequence: a brand-new group on a young topic
 * starts at offset 0 even with CONSUME_FROM_LAST_OFFSET, as on a real 4.9 broker.
 */
import {
  GetConsumerListByGroupRequestHeader,
  QueryConsumerOffsetRequestHeader,
  RequestCode,
  ResponseCode,
  UpdateConsumerOffsetRequestHeader,
  createResponse,
  stringifyJson,
} from '@cometmq/protocol'
import type { Logger, RemotingChannel, RemotingCommand } from '@cometmq/protocol'
import type { BrokerContext } from '../broker-context.js'

export class ConsumerManageProcessor {
  private readonly log: Logger

  constructor(private readonly ctx: BrokerContext) {
    this.log = ctx.logger.child('ConsumerManageProcessor')
  }

  processRequest(request: RemotingCommand, channel: RemotingChannel): RemotingCommand {
    switch (request.code) {
      case RequestCode.QUERY_CONSUMER_OFFSET:
        return this.queryConsumerOffset(request)
      case RequestCode.UPDATE_CONSUMER_OFFSET:
        return this.updateConsumerOffset(request, channel)
      default:
        return this.getConsumerListByGroup(request)
    }
  }

  private getConsumerListByGroup(request: RemotingCommand): RemotingCommand {
    const { consumerGroup } = GetConsumerListByGroupRequestHeader.decode(request.extFields)
    const clientIds = this.ctx.consumerManager.getConsumerGroupInfo(consumerGroup)?.getAllClientId() ?? []
    if (clientIds.length === 0) {
      this.log.debug('no consumer for group', { group: consumerGroup })
      return createResponse(request, ResponseCode.SYSTEM_ERROR, `no consumer for this group, ${consumerGroup}`)
    }
    return createResponse(request, ResponseCode.SUCCESS, null, {}, Buffer.from(stringifyJson({ consumerIdList: clientIds })))
  }

  private updateConsumerOffset(request: RemotingCommand, channel: RemotingChannel): RemotingCommand {
    const header = UpdateConsumerOffsetRequestHeader.decode(request.extFields)
    this.ctx.consumerOffsetManager.commitOffset(channel.remoteAddress, header.consumerGroup, header.topic, header.queueId, header.commitOffset)
    this.log.debug('commit offset', { group: header.consumerGroup, topic: header.topic, queueId: header.queueId, queueOffset: header.commitOffset })
    return createResponse(request, ResponseCode.SUCCESS, null, {})
  }

  private queryConsumerOffset(request: RemotingCommand): RemotingCommand {
    const header = QueryConsumerOffsetRequestHeader.decode(request.extFields)
    const offset = this.ctx.consumerOffsetManager.queryOffset(header.consumerGroup, header.topic, header.queueId)
    if (offset >= 0) return createResponse(request, ResponseCode.SUCCESS, null, { offset })
    if (header.setZeroIfNotFound !== false && this.ctx.store.getMinOffsetInQueue(header.topic, header.queueId) <= 0) {
      return createResponse(request, ResponseCode.SUCCESS, null, { offset: 0 })
    }
    return createResponse(request, ResponseCode.QUERY_NOT_FOUND, 'Not found, V3_0_6_SNAPSHOT maybe this group consumer boot first', {})
  }
}
