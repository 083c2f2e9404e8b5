/**
 * Consumer/client → broker headers (remoting-protocol.md §3.3, §3.4, §3.8).
 * Source: RocketMQ `remoting/.../protocol/header/*.java` (class name = export name).
 */
import { defineHeader, field } from './define-header.js'

/**
 * PULL_MESSAGE (11) / LITE_PULL_MESSAGE (361) request. `queueOffset`/`commitOffset` logical offsets;
 * `sysFlag` PullSysFlag bits (1 commit, 2 suspend, 4 subscription, 8 class filter, 16 lite pull);
 * `suspendTimeoutMillis` long-poll hold time (ms); `subVersion` subscription version (ms timestamp).
 */
export const PullMessageRequestHeader = defineHeader({
  consumerGroup: field.string(),
  topic: field.string(),
  queueId: field.int(),
  queueOffset: field.long(),
  maxMsgNums: field.int(),
  sysFlag: field.int(),
  commitOffset: field.long(),
  suspendTimeoutMillis: field.long(),
  subscription: field.string({ optional: true }),
  subVersion: field.long(),
  expressionType: field.string({ optional: true }),
  maxMsgBytes: field.int({ optional: true }),
  requestSource: field.int({ optional: true }),
  proxyFrowardClientId: field.string({ optional: true }),
})

/** PULL_MESSAGE response; all four required fields must be present on every outcome (0/19/20/21). */
export const PullMessageResponseHeader = defineHeader({
  suggestWhichBrokerId: field.long(),
  nextBeginOffset: field.long(),
  minOffset: field.long(),
  maxOffset: field.long(),
  offsetDelta: field.long({ optional: true }),
  topicSysFlag: field.int({ optional: true }),
  groupSysFlag: field.int({ optional: true }),
  forbiddenType: field.int({ optional: true }),
})

/** QUERY_CONSUMER_OFFSET (14) request. */
export const QueryConsumerOffsetRequestHeader = defineHeader({
  consumerGroup: field.string(),
  topic: field.string(),
  queueId: field.int(),
  setZeroIfNotFound: field.boolean({ optional: true }),
})

/** QUERY_CONSUMER_OFFSET response: committed logical offset. */
export const QueryConsumerOffsetResponseHeader = defineHeader({
  offset: field.long(),
})

/** UPDATE_CONSUMER_OFFSET (15) request (Java push consumers send it oneway; ali-ons may send -1). */
export const UpdateConsumerOffsetRequestHeader = defineHeader({
  consumerGroup: field.string(),
  topic: field.string(),
  queueId: field.int(),
  commitOffset: field.long(),
})

/** UNREGISTER_CLIENT (35) request; note the capital `clientID`. */
export const UnregisterClientRequestHeader = defineHeader({
  clientID: field.string(),
  producerGroup: field.string({ optional: true }),
  consumerGroup: field.string({ optional: true }),
})

/** GET_CONSUMER_LIST_BY_GROUP (38) request. */
export const GetConsumerListByGroupRequestHeader = defineHeader({
  consumerGroup: field.string(),
})

/** NOTIFY_CONSUMER_IDS_CHANGED (40), broker → client, oneway. */
export const NotifyConsumerIdsChangedRequestHeader = defineHeader({
  consumerGroup: field.string(),
})

/**
 * CONSUMER_SEND_MSG_BACK (36) request. `offset` is the failed message's commit-log (physical) offset;
 * `delayLevel` 0 = broker chooses (3 + reconsumeTimes), < 0 = straight to DLQ.
 */
export const ConsumerSendMsgBackRequestHeader = defineHeader({
  offset: field.long(),
  group: field.string(),
  delayLevel: field.int(),
  originMsgId: field.string({ optional: true }),
  originTopic: field.string({ optional: true }),
  unitMode: field.boolean({ optional: true }),
  maxReconsumeTimes: field.int({ optional: true }),
})
