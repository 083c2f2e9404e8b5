/**
 * The broker's routing table: RequestCode → processor (RocketMQ `BrokerController.registerProcessor`). Codes not listed
 * get REQUEST_CODE_NOT_SUPPORTED (3) from the RemotingServer. The VIP channel (listenPort − 2) serves the same table
 * minus PULL_MESSAGE / LITE_PULL_MESSAGE (§1.9).
 */
import { RequestCode } from '@cometmq/protocol'
import type { RemotingChannel, RemotingCommand, RemotingServer } from '@cometmq/protocol'
import type { BrokerContext } from './broker-context.js'
import { AdminStatsProcessor } from './processor/admin-stats-processor.js'
import { AdminTopicProcessor } from './processor/admin-topic-processor.js'
import { ClientManageProcessor } from './processor/client-manage-processor.js'
import { ConsumerManageProcessor } from './processor/consumer-manage-processor.js'
import { PullMessageProcessor } from './processor/pull-message-processor.js'
import { QueryMessageProcessor } from './processor/query-message-processor.js'
import { QueueOffsetProcessor } from './processor/queue-offset-processor.js'
import { SendMessageBackProcessor } from './processor/send-message-back-processor.js'
import { SendMessageProcessor } from './processor/send-message-processor.js'

interface Processor {
  processRequest(request: RemotingCommand, channel: RemotingChannel): Promise<RemotingCommand | null> | RemotingCommand | null
}

/** The processors of one broker; built once and shared by the main and VIP servers. */
export interface BrokerProcessors {
  readonly table: ReadonlyArray<readonly [code: number, processor: Processor]>
  readonly pull: PullMessageProcessor
}

export function createProcessors(ctx: BrokerContext, pull: PullMessageProcessor): BrokerProcessors {
  const send = new SendMessageProcessor(ctx)
  const sendBack = new SendMessageBackProcessor(ctx)
  const consumerManage = new ConsumerManageProcessor(ctx)
  const clientManage = new ClientManageProcessor(ctx)
  const queueOffset = new QueueOffsetProcessor(ctx)
  const queryMessage = new QueryMessageProcessor(ctx)
  const adminTopic = new AdminTopicProcessor(ctx)
  const adminStats = new AdminStatsProcessor(ctx)
  const table: Array<readonly [number, Processor]> = [
    [RequestCode.SEND_MESSAGE, send],
    [RequestCode.SEND_MESSAGE_V2, send],
    [RequestCode.SEND_BATCH_MESSAGE, send],
    [RequestCode.PULL_MESSAGE, pull],
    [RequestCode.LITE_PULL_MESSAGE, pull],
    [RequestCode.CONSUMER_SEND_MSG_BACK, sendBack],
    [RequestCode.QUERY_CONSUMER_OFFSET, consumerManage],
    [RequestCode.UPDATE_CONSUMER_OFFSET, consumerManage],
    [RequestCode.GET_CONSUMER_LIST_BY_GROUP, consumerManage],
    [RequestCode.HEART_BEAT, clientManage],
    [RequestCode.UNREGISTER_CLIENT, clientManage],
    [RequestCode.GET_MAX_OFFSET, queueOffset],
    [RequestCode.GET_MIN_OFFSET, queueOffset],
    [RequestCode.GET_EARLIEST_MSG_STORETIME, queueOffset],
    [RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, queueOffset],
    [RequestCode.QUERY_MESSAGE, queryMessage],
    [RequestCode.VIEW_MESSAGE_BY_ID, queryMessage],
    [RequestCode.UPDATE_AND_CREATE_TOPIC, adminTopic],
    [RequestCode.DELETE_TOPIC_IN_BROKER, adminTopic],
    [RequestCode.GET_ALL_TOPIC_CONFIG, adminTopic],
    [RequestCode.GET_TOPIC_STATS_INFO, adminTopic],
    [RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, adminTopic],
    [RequestCode.GET_BROKER_RUNTIME_INFO, adminStats],
    [RequestCode.GET_CONSUME_STATS, adminStats],
    [RequestCode.GET_CONSUMER_CONNECTION_LIST, adminStats],
    [RequestCode.GET_PRODUCER_CONNECTION_LIST, adminStats],
    [RequestCode.GET_ALL_CONSUMER_OFFSET, adminStats],
    [RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, adminStats],
    [RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG, adminStats],
    [RequestCode.DELETE_SUBSCRIPTIONGROUP, adminStats],
  ]
  return { table, pull }
}

/** Registers the table on `server`; `vip` leaves out the pull codes. */
export function registerProcessors(server: RemotingServer, processors: BrokerProcessors, options: { vip?: boolean } = {}): void {
  for (const [code, processor] of processors.table) {
    if (options.vip && (code === RequestCode.PULL_MESSAGE || code === RequestCode.LITE_PULL_MESSAGE)) continue
    server.registerProcessor(code, (request, channel) => processor.processRequest(request, channel))
  }
}

/** The request codes this broker serves (for docs and tests). */
export function supportedRequestCodes(processors: BrokerProcessors): number[] {
  return processors.table.map(([code]) => code)
}
