import type { Logger, MessageExt, MessageRecordInput, SocketAddress } from '@cometmq/protocol'

/** RocketMQ FlushDiskType: periodic fsync (`ASYNC_FLUSH`) or fsync before acknowledging a put (`SYNC_FLUSH`). */
export type FlushDiskType = 'ASYNC_FLUSH' | 'SYNC_FLUSH'

/**
 * Store configuration. Keys, meanings and defaults are RocketMQ 4.9 `MessageStoreConfig` (protocol doc §9.2).
 * Adapters ignore keys that make no sense for them (the memory adapter ignores every path and flush key).
 */
export interface MessageStoreConfig {
  /** Root of consumequeue/, checkpoint, abort, lock. RocketMQ default `~/store`; required here. */
  storePathRootDir: string
  /** CommitLog directory. Default `<storePathRootDir>/commitlog`. */
  storePathCommitLog?: string
  /** CommitLog file size in bytes. Default 1073741824 (1 GiB). Files are not pre-allocated. */
  mappedFileSizeCommitLog?: number
  /** ConsumeQueue file size in bytes, a multiple of 20. Default 6000000 (300000 entries × 20). */
  mappedFileSizeConsumeQueue?: number
  /** Default `ASYNC_FLUSH`. */
  flushDiskType?: FlushDiskType
  /** ASYNC_FLUSH commit-log fsync cadence in ms. Default 500. */
  flushIntervalCommitLog?: number
  /** ConsumeQueue fsync + checkpoint cadence in ms. Default 1000. */
  flushIntervalConsumeQueue?: number
  /** How long a SYNC_FLUSH put waits for its fsync before answering `FLUSH_DISK_TIMEOUT`, in ms. Default 5000. */
  syncFlushTimeout?: number
  /** Largest accepted message body in bytes; larger → `MESSAGE_ILLEGAL`. Default 4194304 (4 MiB). */
  maxMessageSize?: number
  /**
   * File adapter: bytes of the most recently written commit log kept in memory to serve pulls without a read
   * (a bounded byte budget, independent of the message count). Default 67108864 (64 MiB); 0 keeps only the
   * current 1 MiB write-buffer chunk. CometMQ extension.
   */
  commitLogCacheSize?: number
  /**
   * File adapter: commit-log bytes within this percentage of the machine's memory (cgroup limit if lower) from
   * the end of the log count as "in memory" (RocketMQ accessMessageInMemoryMaxRatio) and are read with
   * fs.readSync instead of the libuv thread pool. 0–100, default 40; 0 never reads synchronously.
   */
  accessMessageInMemoryMaxRatio?: number
  /** Default: noopLogger. The store logs under the child namespace `store`. */
  logger?: Logger
  /**
   * ConsumeQueue tagsCode of a record that recovery re-dispatches from the commit log (the original
   * tagsCode is not stored in the record). Default: Java hashCode of the `TAGS` property, 0 without tags.
   * A broker with delayed messages returns the delivery timestamp for `SCHEDULE_TOPIC_XXXX` records, as
   * RocketMQ `CommitLog.checkMessageAndReturnSize` does. Extension to the architecture.md config.
   */
  computeTagsCode?: (message: MessageExt) => number
  /** Hours a commit-log segment is kept after its newest message was stored. Default 72. Source: MessageStoreConfig.fileReservedTime. */
  fileReservedTime?: number
  /**
   * Hour(s) of the day (local time, `;`-separated, e.g. `04` or `01;04`) at which expired segments are deleted.
   * Default `04`. Source: MessageStoreConfig.deleteWhen.
   */
  deleteWhen?: string
  /**
   * Disk usage in percent of the store's filesystem above which segments are deleted at any hour, oldest first,
   * expired or not (when `cleanFileForciblyEnable`). Clamped to [10, 95] as RocketMQ does. Default 75.
   * Source: MessageStoreConfig.diskMaxUsedSpaceRatio.
   */
  diskMaxUsedSpaceRatio?: number
  /**
   * Disk usage in percent above which puts are refused with SERVICE_NOT_AVAILABLE until retention frees space.
   * Default 90. Source: RocketMQ 5 MessageStoreConfig.diskSpaceWarningLevelRatio (4.9: system property
   * `rocketmq.broker.diskSpaceWarningLevelRatio` = 0.90).
   */
  diskSpaceWarningLevelRatio?: number
  /** Allow deleting unexpired segments under disk pressure. Default true. Source: MessageStoreConfig.cleanFileForciblyEnable. */
  cleanFileForciblyEnable?: boolean
  /** Retention / disk check cadence in ms. Default 10000. Source: MessageStoreConfig.cleanResourceInterval. */
  cleanResourceInterval?: number
  /** Build the key index (QUERY_MESSAGE). Default true. Source: MessageStoreConfig.messageIndexEnable. */
  messageIndexEnable?: boolean
  /** File adapter IndexFile hash slots per file. Default 5000000. Source: MessageStoreConfig.maxHashSlotNum. */
  maxHashSlotNum?: number
  /** File adapter IndexFile entries per file. Default 20000000. Source: MessageStoreConfig.maxIndexNum. */
  maxIndexNum?: number
  /**
   * Memory adapter: byte budget of stored records; when a put would exceed it the oldest segments are dropped
   * (min offsets advance). Default 268435456 (256 MiB). CometMQ extension.
   */
  memoryStoreMaxBytes?: number
  /**
   * Disk usage of the filesystem holding `dir`, in percent (0–100). Default: `fs.statfs`. Adapters without files
   * (memory) have no disk unless this is given. Injection point for tests. CometMQ extension.
   */
  diskUsage?: (dir: string) => Promise<number>
}

/** `MessageStoreConfig` with every default applied (see `resolveStoreConfig`). */
export interface ResolvedStoreConfig {
  readonly storePathRootDir: string
  readonly storePathCommitLog: string
  readonly mappedFileSizeCommitLog: number
  readonly mappedFileSizeConsumeQueue: number
  readonly flushDiskType: FlushDiskType
  readonly flushIntervalCommitLog: number
  readonly flushIntervalConsumeQueue: number
  readonly syncFlushTimeout: number
  readonly maxMessageSize: number
  readonly commitLogCacheSize: number
  readonly accessMessageInMemoryMaxRatio: number
  readonly logger: Logger
  readonly computeTagsCode: ((message: MessageExt) => number) | undefined
  readonly fileReservedTime: number
  /** Parsed `deleteWhen`: hours of the day, 0–23. */
  readonly deleteWhen: readonly number[]
  readonly diskMaxUsedSpaceRatio: number
  readonly diskSpaceWarningLevelRatio: number
  readonly cleanFileForciblyEnable: boolean
  readonly cleanResourceInterval: number
  readonly messageIndexEnable: boolean
  readonly maxHashSlotNum: number
  readonly maxIndexNum: number
  readonly memoryStoreMaxBytes: number
  readonly diskUsage: ((dir: string) => Promise<number>) | undefined
}

/** What an adapter can do; fixed for the adapter's lifetime (never changes on open/close). */
export interface StoreSupports {
  /** Data survives close() + open() on the same storePathRootDir. False for memory. */
  readonly permanence: boolean
  /** Implements `readCommitLog()` (raw commit-log bytes, for HA replication). */
  readonly commitLogRead: boolean
}

/** RocketMQ PutMessageStatus names. Only the first, `FLUSH_DISK_TIMEOUT` and the illegal ones occur today. */
export type PutMessageStatus =
  | 'PUT_OK'
  | 'FLUSH_DISK_TIMEOUT'
  | 'FLUSH_SLAVE_TIMEOUT'
  | 'SLAVE_NOT_AVAILABLE'
  | 'SERVICE_NOT_AVAILABLE'
  | 'CREATE_MAPPED_FILE_FAILED'
  | 'MESSAGE_ILLEGAL'
  | 'PROPERTIES_SIZE_EXCEEDED'
  | 'UNKNOWN_ERROR'

/** Where a put landed. Offsets are commit-log byte offsets except `queueOffset` (logical index). */
export interface AppendMessageResult {
  /** Commit-log offset of the first record written. */
  wroteOffset: number
  /** Bytes of all records written (excludes any BLANK filler). */
  wroteBytes: number
  /** Broker store time (ms since epoch) written into every record of this put. */
  storeTimestamp: number
  /** First logical ConsumeQueue offset (batch: the following messages have +1, +2, …). 0 for PREPARED/ROLLBACK. */
  queueOffset: number
  /** Number of records written. */
  msgNum: number
  /** Commit-log offset of each record, in order. */
  commitLogOffsets: number[]
}

/** Result of putMessage/putMessages. `appendResult` is present whenever the record(s) were stored. */
export interface PutMessageResult {
  status: PutMessageStatus
  appendResult?: AppendMessageResult
  remark?: string
}

/** RocketMQ GetMessageStatus names (protocol doc §7.5). */
export type GetMessageStatus =
  | 'FOUND'
  | 'NO_MATCHED_MESSAGE'
  | 'MESSAGE_WAS_REMOVING'
  | 'OFFSET_FOUND_NULL'
  | 'OFFSET_OVERFLOW_BADLY'
  | 'OFFSET_OVERFLOW_ONE'
  | 'OFFSET_TOO_SMALL'
  | 'NO_MATCHED_LOGIC_QUEUE'
  | 'NO_MESSAGE_IN_QUEUE'

/** One pull from a ConsumeQueue. */
export interface GetMessageQuery {
  topic: string
  queueId: number
  /** Logical offset (message index) to start at. */
  offset: number
  /** Stop after this many messages (≥ 1). */
  maxMsgNums: number
  /** Stop before the total record bytes would exceed this; at least one message is returned. Default 262144 (256 KiB, RocketMQ maxTransferBytesOnMessageInMemory). */
  maxTotalBytes?: number
  /** Keep an entry when this returns true; undefined keeps every entry. Filtered entries still advance nextBeginOffset. */
  tagsCodeFilter?: (tagsCode: number) => boolean
}

/**
 * Result of getMessage. `messages` are raw stored records (§4.1), ready to concatenate into a PULL body.
 * They may share memory with the store (its cache or other results): treat them as read-only.
 */
export interface GetMessageResult {
  status: GetMessageStatus
  nextBeginOffset: number
  minOffset: number
  maxOffset: number
  messages: Buffer[]
}

/** Fired once per message after it is visible to getMessage (drives long polling). */
export interface MessageArrivedEvent {
  topic: string
  queueId: number
  queueOffset: number
  tagsCode: number
  storeTimestamp: number
}

/** Input of `putMessage`: one record plus its ConsumeQueue tagsCode. */
export type PutMessageInput = MessageRecordInput & {
  /** ConsumeQueue tagsCode (signed, up to int64; `tagsStringToTagsCode(TAGS)` or a delivery timestamp). */
  tagsCode: number
  /** RocketMQ `WAIT` property. Default true. SYNC_FLUSH waits for fsync only when true. */
  waitStoreMsgOK?: boolean
}

/** One message of a batch put. */
export interface BatchMessageInput {
  flag: number
  body: Buffer
  propertiesString: string
  tagsCode: number
}

/** Input of `putMessages`: messages sharing topic, queue and hosts; they get consecutive queue offsets. */
export interface PutMessagesInput {
  topic: string
  queueId: number
  sysFlag: number
  bornTimestamp: number
  bornHost: SocketAddress
  storeHost: SocketAddress
  reconsumeTimes: number
  waitStoreMsgOK?: boolean
  messages: BatchMessageInput[]
}

/** `GetMessageQuery` after validation: `maxTotalBytes` filled in. What `_getMessage` receives. */
export interface NormalizedGetMessageQuery {
  topic: string
  queueId: number
  offset: number
  maxMsgNums: number
  maxTotalBytes: number
  tagsCodeFilter: ((tagsCode: number) => boolean) | undefined
}

/** One record ready to append: the encoder input minus the offsets/timestamp the store assigns. */
export interface PendingRecord {
  input: MessageRecordInput
  tagsCode: number
}

/** What `_putMessage`/`_putMessages` receive: validated records of one queue (a batch has several). */
export interface NormalizedPut {
  topic: string
  queueId: number
  sysFlag: number
  records: PendingRecord[]
  waitStoreMsgOK: boolean
}

/**
 * A key lookup (QUERY_MESSAGE). A message matches when its topic is `topic` and `key` is one of the
 * space-separated words of its `KEYS` property or equals its `UNIQ_KEY`, and its store time is within
 * [beginTimestamp, endTimestamp]. Matches are exact (hash collisions of an index never leak out).
 */
export interface QueryMessageQuery {
  topic: string
  key: string
  /** Most messages returned, ≥ 1; capped at `MAX_QUERY_MESSAGE_NUM` (64). */
  maxNum: number
  /** Window start, ms since epoch, inclusive. */
  beginTimestamp: number
  /** Window end, ms since epoch, inclusive. */
  endTimestamp: number
}

/** Result of queryMessage: raw stored records, newest first (a QUERY_MESSAGE response body concatenates them). */
export interface QueryMessageResult {
  messages: Buffer[]
  /** Store time (ms) of the newest indexed message; 0 when nothing is indexed. RocketMQ QueryMessageResponseHeader. */
  indexLastUpdateTimestamp: number
  /** Commit-log offset of the newest indexed message; 0 when nothing is indexed. */
  indexLastUpdatePhyoffset: number
}

/** What `_deleteExpired` is asked to do (one retention run). */
export interface RetentionRequest {
  /** Segments whose newest message was stored before this time (ms since epoch) are expired. */
  expiredBefore: number
  /** Delete the oldest segments even if not expired (disk pressure or a forced manual run). */
  force: boolean
  /** Most segments to delete in this run (RocketMQ deleteFileBatchMax, 10). The newest segment is never deleted. */
  maxSegments: number
}

/** What a retention run did. */
export interface RetentionReport {
  /** Commit-log segments deleted. */
  deletedSegments: number
  /** Bytes of commit log deleted: how far getMinPhyOffset() advanced in this run. */
  deletedBytes: number
  /** Oldest retained commit-log offset after the run. */
  minPhyOffset: number
}
