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
  DEFAULT_CLEAN_RESOURCE_INTERVAL,
  DEFAULT_DELETE_WHEN,
  DEFAULT_DISK_MAX_USED_SPACE_RATIO,
  DEFAULT_DISK_SPACE_WARNING_LEVEL_RATIO,
  DEFAULT_FILE_RESERVED_TIME,
  DEFAULT_MAX_HASH_SLOT_NUM,
  DEFAULT_MAX_INDEX_NUM,
  DEFAULT_MEMORY_STORE_MAX_BYTES,
  DELETE_FILE_BATCH_MAX,
  MAX_QUERY_MESSAGE_NUM,
  parseDeleteWhen,
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
  QueryMessageQuery,
  QueryMessageResult,
  ResolvedStoreConfig,
  RetentionReport,
  RetentionRequest,
  StoreSupports,
} from './types.js'
// Adapter toolkit: the shared rules every adapter applies (what the built-in adapters use).
export { indexKeysOf, indexKeysOfProperties, recordMatchesKey } from './index-keys.js'
export { FILLER_ENTRY_SIZE, inRangeResult, isFillerEntry, maxEntriesToScan, outOfRangeResult, planBatch, searchOffsetByTime } from './get-message-plan.js'
export type { BatchPlan, ConsumeQueueEntries, ConsumeQueueEntry } from './get-message-plan.js'
export { recordAt } from './record-input.js'
export { isPreparedOrRollback } from './validate-input.js'
export { FileMessageStore } from './adapters/file/index.js'
export type { DeferFunction, FileStoreHooks, FsyncFunction, RecoveryReport } from './adapters/file/index.js'
export { MemoryMessageStore } from './adapters/memory/index.js'
export { LevelMessageStore, type LevelRecoveryReport, type LevelStoreHooks } from './adapters/level/index.js'
