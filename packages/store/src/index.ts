/**
 * @cometmq/store — the MessageStore contract, a RocketMQ-layout file adapter and an in-memory adapter.
 * The shared adapter test suite is a separate entry: `@cometmq/store/conformance`.
 */
export { MessageStore } from './message-store.js'
export type { MessageArrivedListener, StoreStatus } from './message-store.js'
export { StoreError } from './store-error.js'
export type { StoreErrorCode } from './store-error.js'
export {
  CQ_STORE_UNIT_SIZE,
  DEFAULT_ACCESS_MESSAGE_IN_MEMORY_MAX_RATIO,
  DEFAULT_COMMIT_LOG_CACHE_SIZE,
  DEFAULT_FLUSH_INTERVAL_COMMIT_LOG,
  DEFAULT_FLUSH_INTERVAL_CONSUME_QUEUE,
  DEFAULT_MAPPED_FILE_SIZE_COMMIT_LOG,
  DEFAULT_MAPPED_FILE_SIZE_CONSUME_QUEUE,
  DEFAULT_MAX_MESSAGE_SIZE,
  DEFAULT_MAX_TRANSFER_BYTES,
  DEFAULT_SYNC_FLUSH_TIMEOUT,
  MAX_PROPERTIES_LENGTH,
  MAX_TOPIC_LENGTH,
  resolveStoreConfig,
} from './store-config.js'
export type {
  AppendMessageResult,
  BatchMessageInput,
  FlushDiskType,
  GetMessageQuery,
  GetMessageResult,
  GetMessageStatus,
  MessageArrivedEvent,
  MessageStoreConfig,
  NormalizedGetMessageQuery,
  NormalizedPut,
  PendingRecord,
  PutMessageInput,
  PutMessageResult,
  PutMessageStatus,
  PutMessagesInput,
  ResolvedStoreConfig,
  StoreSupports,
} from './types.js'
export { FileMessageStore } from './adapters/file/index.js'
export type { DeferFunction, FileStoreHooks, FsyncFunction, RecoveryReport } from './adapters/file/index.js'
export { MemoryMessageStore } from './adapters/memory/index.js'
