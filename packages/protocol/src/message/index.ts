/**
 * Message format: stored records, properties, batch bodies, message ids, tag hashing, topic rules and
 * the RocketMQ constants that go with them. Pure code, no sockets (the store imports this).
 */
export { MessageDecodeError } from './message-decode-error.js'
export {
  MESSAGE_MAGIC_CODE_V1,
  MESSAGE_MAGIC_CODE_V2,
  BLANK_MAGIC_CODE,
  RecordLayout,
  encodeMessageRecord,
  decodeMessageRecord,
  decodeMessages,
  messageRecordSize,
} from './message-record.js'
export type {
  SocketAddress,
  MessageExt,
  MessageRecordInput,
  MessageRecordEncodeInput,
  DecodeMessageOptions,
} from './message-record.js'
export { encodeProperties, decodeProperties, NAME_VALUE_SEPARATOR, PROPERTY_SEPARATOR } from './properties.js'
export { encodeBatchMessages, decodeBatchMessages } from './batch.js'
export type { BatchMessage } from './batch.js'
export { createOffsetMsgId, decodeOffsetMsgId, createUniqId, createUniqIdGenerator } from './message-id.js'
export type { UniqIdSource } from './message-id.js'
export { javaStringHashCode, tagsStringToTagsCode, filterSubscription, SUB_ALL } from './tags.js'
export type { SubscriptionFilter } from './tags.js'
export { validateTopic, TOPIC_MAX_LENGTH } from './topic.js'
export { MessageSysFlag, PullSysFlag, PermName, MessageConst, MixAll } from './constants.js'
export { crc32 } from './crc32.js'
