/**
 * Queue lookups straight from the store (RocketMQ 4.9 `AdminBrokerProcessor`; §3.4). VIEW_MESSAGE_BY_ID (33) and
 * QUERY_MESSAGE (12) live in QueryMessageProcessor, as in RocketMQ.
 *
 * | code | request header | response |
 * |---|---|---|
 * | 30 GET_MAX_OFFSET | topic, queueId | `offset` = next logical offset to be written (0 for an empty/unknown queue) |
 * | 31 GET_MIN_OFFSET | topic, queueId | `offset` = smallest logical offset still stored |
 * | 32 GET_EARLIEST_MSG_STORETIME | topic, queueId | `timestamp` = store time (ms) at the min offset, −1 when empty |
 * | 29 SEARCH_OFFSET_BY_TIMESTAMP | topic, queueId, timestamp (ms) | `offset` (approximate, as the store computes it) |
 */
import {
  GetEarliestMsgStoretimeRequestHeader,
  GetMaxOffsetRequestHeader,
  GetMinOffsetRequestHeader,
  RequestCode,
  ResponseCode,
  SearchOffsetRequestHeader,
  createResponse,
} from '@cometmq/protocol'
import type { RemotingChannel, RemotingCommand } from '@cometmq/protocol'
import type { BrokerContext } from '../broker-context.js'

export class QueueOffsetProcessor {
  constructor(private readonly ctx: BrokerContext) {}

  async processRequest(request: RemotingCommand, _channel: RemotingChannel): Promise<RemotingCommand> {
    const { store } = this.ctx
    switch (request.code) {
      case RequestCode.GET_MAX_OFFSET: {
        const { topic, queueId } = GetMaxOffsetRequestHeader.decode(request.extFields)
        return createResponse(request, ResponseCode.SUCCESS, null, { offset: store.getMaxOffsetInQueue(topic, queueId) })
      }
      case RequestCode.GET_MIN_OFFSET: {
        const { topic, queueId } = GetMinOffsetRequestHeader.decode(request.extFields)
        return createResponse(request, ResponseCode.SUCCESS, null, { offset: store.getMinOffsetInQueue(topic, queueId) })
      }
      case RequestCode.GET_EARLIEST_MSG_STORETIME: {
        const { topic, queueId } = GetEarliestMsgStoretimeRequestHeader.decode(request.extFields)
        return createResponse(request, ResponseCode.SUCCESS, null, { timestamp: await store.getEarliestMessageTime(topic, queueId) })
      }
      default: {
        const { topic, queueId, timestamp } = SearchOffsetRequestHeader.decode(request.extFields)
        return createResponse(request, ResponseCode.SUCCESS, null, { offset: await store.getOffsetInQueueByTime(topic, queueId, timestamp) })
      }
    }
  }
}
