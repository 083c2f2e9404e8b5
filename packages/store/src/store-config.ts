import { noopLogger } from '@cometmq/protocol'
import { join } from 'node:path'
import { StoreError } from './store-error.js'
import type { FlushDiskType, MessageStoreConfig, ResolvedStoreConfig } from './types.js'

/**
 * Size of one ConsumeQueue entry, in bytes.
 *   | commitLogOffset int64 (8) | size int32 (4) | tagsCode int64 (8) |
 * Source: RocketMQ ConsumeQueue.CQ_STORE_UNIT_SIZE. Changing it makes existing store files unreadable.
 */
export const CQ_STORE_UNIT_SIZE = 20

/** Default commit-log file size: 1 GiB. Source: RocketMQ MessageStoreConfig.mappedFileSizeCommitLog. */
export const DEFAULT_MAPPED_FILE_SIZE_COMMIT_LOG = 1024 * 1024 * 1024
/** Default ConsumeQueue file size: 300000 entries × 20 bytes. Source: MessageStoreConfig.mappedFileSizeConsumeQueue. */
export const DEFAULT_MAPPED_FILE_SIZE_CONSUME_QUEUE = 300_000 * CQ_STORE_UNIT_SIZE
/** Default ASYNC_FLUSH commit-log fsync interval, ms. Source: MessageStoreConfig.flushIntervalCommitLog. */
export const DEFAULT_FLUSH_INTERVAL_COMMIT_LOG = 500
/** Default ConsumeQueue fsync interval, ms. Source: MessageStoreConfig.flushIntervalConsumeQueue. */
export const DEFAULT_FLUSH_INTERVAL_CONSUME_QUEUE = 1000
/** Default SYNC_FLUSH wait, ms. Source: MessageStoreConfig.syncFlushTimeout. */
export const DEFAULT_SYNC_FLUSH_TIMEOUT = 5000
/** Default largest body, bytes (4 MiB). Source: MessageStoreConfig.maxMessageSize. */
export const DEFAULT_MAX_MESSAGE_SIZE = 4 * 1024 * 1024
/** Default pull byte cap, 256 KiB. Source: MessageStoreConfig.maxTransferBytesOnMessageInMemory. */
export const DEFAULT_MAX_TRANSFER_BYTES = 256 * 1024
/** Default commit-log read cache of the file adapter, bytes (64 MiB). CometMQ extension. */
export const DEFAULT_COMMIT_LOG_CACHE_SIZE = 64 * 1024 * 1024
/** Default percentage of memory whose worth of newest commit log counts as in memory. Source: MessageStoreConfig.accessMessageInMemoryMaxRatio. */
export const DEFAULT_ACCESS_MESSAGE_IN_MEMORY_MAX_RATIO = 40
/** Longest properties string, bytes (Java Short.MAX_VALUE). Larger → PROPERTIES_SIZE_EXCEEDED. Source: CommitLog.putMessage. */
export const MAX_PROPERTIES_LENGTH = 32767
/** Longest topic, UTF-8 bytes (Java Byte.MAX_VALUE; V1 records). Larger → MESSAGE_ILLEGAL. Source: DefaultMessageStore.checkMessage (4.9). */
export const MAX_TOPIC_LENGTH = 127

/** Default commit-log retention, hours. Source: MessageStoreConfig.fileReservedTime. */
export const DEFAULT_FILE_RESERVED_TIME = 72
/** Default deletion hour(s). Source: MessageStoreConfig.deleteWhen. */
export const DEFAULT_DELETE_WHEN = '04'
/** Default disk usage (%) that forces clean-up. Source: MessageStoreConfig.diskMaxUsedSpaceRatio. */
export const DEFAULT_DISK_MAX_USED_SPACE_RATIO = 75
/** Default disk usage (%) above which puts are refused. Source: RocketMQ 5 MessageStoreConfig.diskSpaceWarningLevelRatio (4.9: 0.90 system property). */
export const DEFAULT_DISK_SPACE_WARNING_LEVEL_RATIO = 90
/** Default retention cadence, ms. Source: MessageStoreConfig.cleanResourceInterval. */
export const DEFAULT_CLEAN_RESOURCE_INTERVAL = 10_000
/** Segments deleted per retention run at most. Source: MessageStoreConfig.deleteFileBatchMax. */
export const DELETE_FILE_BATCH_MAX = 10
/** IndexFile hash slots. Source: MessageStoreConfig.maxHashSlotNum. */
export const DEFAULT_MAX_HASH_SLOT_NUM = 5_000_000
/** IndexFile entries. Source: MessageStoreConfig.maxIndexNum. */
export const DEFAULT_MAX_INDEX_NUM = 20_000_000
/** Most messages one queryMessage returns. Source: MessageStoreConfig.maxMsgsNumBatch (64). */
export const MAX_QUERY_MESSAGE_NUM = 64
/** Memory adapter byte budget (256 MiB). CometMQ extension. */
export const DEFAULT_MEMORY_STORE_MAX_BYTES = 256 * 1024 * 1024

/**
 * Parses `deleteWhen` (`04`, `01;04`) into hours 0–23.
 * @throws StoreError BAD_ARGUMENT naming the bad part.
 */
export function parseDeleteWhen(value: string): number[] {
  return value.split(';').map((part) => {
    const text = part.trim()
    const hour = Number(text)
    if (text === '' || !Number.isInteger(hour) || hour < 0 || hour > 23) {
      throw new StoreError('BAD_ARGUMENT', `config.deleteWhen must be hours 0-23 separated by ';' (e.g. 04 or 01;04), got ${JSON.stringify(value)}`)
    }
    return hour
  })
}

const FLUSH_DISK_TYPES: readonly FlushDiskType[] = ['ASYNC_FLUSH', 'SYNC_FLUSH']

function positiveInt(config: MessageStoreConfig, key: keyof MessageStoreConfig, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const value = config[key]
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`
    throw new StoreError('BAD_ARGUMENT', `config.${key} must be an integer ${range}, got ${String(value)}`)
  }
  return value
}

/**
 * Applies RocketMQ defaults (§9.2) and checks types/ranges.
 * @throws StoreError `BAD_ARGUMENT` naming the offending key.
 */
export function resolveStoreConfig(config: MessageStoreConfig): ResolvedStoreConfig {
  if (typeof config !== 'object' || config === null) throw new StoreError('BAD_ARGUMENT', 'config must be an object')
  const root = config.storePathRootDir
  if (typeof root !== 'string') throw new StoreError('BAD_ARGUMENT', 'config.storePathRootDir must be a string')
  if (config.storePathCommitLog !== undefined && typeof config.storePathCommitLog !== 'string') {
    throw new StoreError('BAD_ARGUMENT', 'config.storePathCommitLog must be a string')
  }
  const flushDiskType = config.flushDiskType ?? 'ASYNC_FLUSH'
  if (!FLUSH_DISK_TYPES.includes(flushDiskType)) {
    throw new StoreError('BAD_ARGUMENT', `config.flushDiskType must be ASYNC_FLUSH or SYNC_FLUSH, got ${String(flushDiskType)}`)
  }
  const mappedFileSizeConsumeQueue = positiveInt(config, 'mappedFileSizeConsumeQueue', DEFAULT_MAPPED_FILE_SIZE_CONSUME_QUEUE, CQ_STORE_UNIT_SIZE)
  if (mappedFileSizeConsumeQueue % CQ_STORE_UNIT_SIZE !== 0) {
    throw new StoreError('BAD_ARGUMENT', `config.mappedFileSizeConsumeQueue must be a multiple of ${CQ_STORE_UNIT_SIZE}`)
  }
  if (config.computeTagsCode !== undefined && typeof config.computeTagsCode !== 'function') {
    throw new StoreError('BAD_ARGUMENT', 'config.computeTagsCode must be a function')
  }
  if (config.diskUsage !== undefined && typeof config.diskUsage !== 'function') {
    throw new StoreError('BAD_ARGUMENT', 'config.diskUsage must be a function')
  }
  for (const key of ['cleanFileForciblyEnable', 'messageIndexEnable'] as const) {
    if (config[key] !== undefined && typeof config[key] !== 'boolean') throw new StoreError('BAD_ARGUMENT', `config.${key} must be a boolean`)
  }
  const deleteWhen = config.deleteWhen ?? DEFAULT_DELETE_WHEN
  if (typeof deleteWhen !== 'string') throw new StoreError('BAD_ARGUMENT', 'config.deleteWhen must be a string')
  return Object.freeze({
    storePathRootDir: root,
    storePathCommitLog: config.storePathCommitLog ?? (root === '' ? '' : join(root, 'commitlog')),
    // 4 KiB minimum: room for a fixed record header and the 8-byte BLANK filler.
    mappedFileSizeCommitLog: positiveInt(config, 'mappedFileSizeCommitLog', DEFAULT_MAPPED_FILE_SIZE_COMMIT_LOG, 4096),
    mappedFileSizeConsumeQueue,
    flushDiskType,
    flushIntervalCommitLog: positiveInt(config, 'flushIntervalCommitLog', DEFAULT_FLUSH_INTERVAL_COMMIT_LOG),
    flushIntervalConsumeQueue: positiveInt(config, 'flushIntervalConsumeQueue', DEFAULT_FLUSH_INTERVAL_CONSUME_QUEUE),
    syncFlushTimeout: positiveInt(config, 'syncFlushTimeout', DEFAULT_SYNC_FLUSH_TIMEOUT),
    maxMessageSize: positiveInt(config, 'maxMessageSize', DEFAULT_MAX_MESSAGE_SIZE),
    commitLogCacheSize: positiveInt(config, 'commitLogCacheSize', DEFAULT_COMMIT_LOG_CACHE_SIZE, 0),
    accessMessageInMemoryMaxRatio: positiveInt(config, 'accessMessageInMemoryMaxRatio', DEFAULT_ACCESS_MESSAGE_IN_MEMORY_MAX_RATIO, 0, 100),
    logger: (config.logger ?? noopLogger).child('store'),
    computeTagsCode: config.computeTagsCode,
    fileReservedTime: positiveInt(config, 'fileReservedTime', DEFAULT_FILE_RESERVED_TIME, 0),
    deleteWhen: Object.freeze(parseDeleteWhen(deleteWhen)),
    // RocketMQ getDiskMaxUsedSpaceRatio clamps to [10, 95]
    diskMaxUsedSpaceRatio: Math.min(95, Math.max(10, positiveInt(config, 'diskMaxUsedSpaceRatio', DEFAULT_DISK_MAX_USED_SPACE_RATIO, 0, 100))),
    diskSpaceWarningLevelRatio: positiveInt(config, 'diskSpaceWarningLevelRatio', DEFAULT_DISK_SPACE_WARNING_LEVEL_RATIO, 1, 100),
    cleanFileForciblyEnable: config.cleanFileForciblyEnable ?? true,
    cleanResourceInterval: positiveInt(config, 'cleanResourceInterval', DEFAULT_CLEAN_RESOURCE_INTERVAL),
    messageIndexEnable: config.messageIndexEnable ?? true,
    maxHashSlotNum: positiveInt(config, 'maxHashSlotNum', DEFAULT_MAX_HASH_SLOT_NUM),
    maxIndexNum: positiveInt(config, 'maxIndexNum', DEFAULT_MAX_INDEX_NUM, 2),
    memoryStoreMaxBytes: positiveInt(config, 'memoryStoreMaxBytes', DEFAULT_MEMORY_STORE_MAX_BYTES, 4096),
    diskUsage: config.diskUsage,
  })
}
