import { BLANK_MAGIC_CODE, MessageConst, MessageSysFlag, decodeMessageRecord, tagsStringToTagsCode } from '@cometmq/protocol'
import type { Logger, MessageExt } from '@cometmq/protocol'
import { indexKeysOf } from '../../index-keys.js'
import { isPreparedOrRollback } from '../../validate-input.js'
import type { CommitLog } from './commit-log.js'
import type { ConsumeQueueTable } from './consume-queue-table.js'
import type { IndexService } from './index-service.js'
import { END_FILE_MIN_BLANK_LENGTH, MIN_RECORD_SIZE, STORE_TIMESTAMP_HEADER_BYTES, checkRecordAt } from './record-layout.js'
import type { ValidRecord } from './record-layout.js'
import type { SegmentFile } from './segment-file.js'
import type { CheckpointData } from './store-checkpoint.js'

/** Bytes read at a time while scanning the commit log. */
const SCAN_CHUNK_BYTES = 4 * 1024 * 1024
const MAGIC_BLANK = BLANK_MAGIC_CODE | 0

/** Sequential reader of one file that keeps a chunk in memory. */
class ChunkReader {
  #start = 0
  #bytes: Buffer = Buffer.alloc(0)
  constructor(private readonly segment: SegmentFile) {}

  /** `length` bytes at `position` as (buffer, index), or null when the file is shorter. */
  async get(position: number, length: number): Promise<{ bytes: Buffer; at: number } | null> {
    if (position < this.#start || position + length > this.#start + this.#bytes.length) {
      this.#bytes = await this.segment.read(position, Math.max(length, SCAN_CHUNK_BYTES))
      this.#start = position
    }
    return position + length <= this.#start + this.#bytes.length ? { bytes: this.#bytes, at: position - this.#start } : null
  }
}

type RecordVisitor = (offset: number, bytes: Buffer, at: number, record: ValidRecord) => void

/** Where a scan stopped. */
interface ScanResult {
  /** Commit-log end: one past the last valid byte (a BLANK-ended file counts as full). */
  end: number
  /** Why the scan stopped before the physical end of the data, if it did. */
  problem?: { file: string; position: number; reason: string }
  /** The very first position examined was not a valid record or BLANK (maybe not a record boundary). */
  invalidAtStart: boolean
}

/**
 * Walks records from commit-log offset `from` (a record boundary), validating TOTALSIZE, MAGIC (V1/V2/BLANK),
 * layout, PHYSICALOFFSET and (optionally) BODYCRC. The first invalid or partial record — or a file that
 * ends without a BLANK filler before another file — is the end of the log.
 */
async function scanCommitLog(commitLog: CommitLog, from: number, verifyCrc: boolean, visit?: RecordVisitor): Promise<ScanResult> {
  const segments = commitLog.files.segments
  const fileSize = commitLog.fileSize
  const firstIndex = commitLog.files.indexOf(from)
  let examined = 0
  for (let i = Math.max(0, firstIndex); i < segments.length; i++) {
    const segment = segments[i]!
    const reader = new ChunkReader(segment)
    const stop = (position: number, reason: string): ScanResult => {
      const end = segment.fileFromOffset + position
      const dataAfter = position < segment.physicalSize || i < segments.length - 1
      return dataAfter ? { end, invalidAtStart: examined === 0, problem: { file: segment.path, position, reason } } : { end, invalidAtStart: false }
    }
    let position = i === firstIndex ? Math.max(0, from - segment.fileFromOffset) : 0
    for (;;) {
      const remaining = segment.physicalSize - position
      if (remaining <= 0) return stop(position, 'end of file without BLANK filler')
      const head = await reader.get(position, Math.min(END_FILE_MIN_BLANK_LENGTH, remaining))
      if (!head || remaining < END_FILE_MIN_BLANK_LENGTH) return stop(position, 'partial header')
      const totalSize = head.bytes.readInt32BE(head.at)
      if (head.bytes.readInt32BE(head.at + 4) === MAGIC_BLANK) {
        if (totalSize !== fileSize - position) return stop(position, 'BLANK filler with a wrong length')
        examined++
        break
      }
      if (totalSize < MIN_RECORD_SIZE || totalSize > remaining || position + totalSize + END_FILE_MIN_BLANK_LENGTH > fileSize) {
        return stop(position, `bad TOTALSIZE ${totalSize}`)
      }
      const whole = await reader.get(position, totalSize)
      if (!whole) return stop(position, 'partial record')
      const check = checkRecordAt(whole.bytes, whole.at, totalSize, segment.fileFromOffset + position, verifyCrc)
      if (check.kind !== 'record') return stop(position, check.kind === 'invalid' ? check.reason : 'unexpected BLANK')
      examined++
      visit?.(segment.fileFromOffset + position, whole.bytes, whole.at, check)
      position += totalSize
    }
  }
  const last = segments[segments.length - 1]
  return { end: last ? Math.max(from, last.fileFromOffset + fileSize) : 0, invalidAtStart: false }
}

/**
 * Scans from `from`; when `from` turns out not to be a record boundary (stale or foreign checkpoint),
 * scans again from the start of its file.
 */
async function scanFrom(commitLog: CommitLog, from: number, verifyCrc: boolean, visit?: RecordVisitor): Promise<ScanResult> {
  const first = commitLog.files.findSegment(from) ?? commitLog.files.segments[commitLog.files.indexOf(from)]
  const result = await scanCommitLog(commitLog, from, verifyCrc, visit)
  if (!result.invalidAtStart || !first || from <= first.fileFromOffset) return result
  return scanCommitLog(commitLog, first.fileFromOffset, verifyCrc, visit)
}

/** What recovery found and did. */
export interface RecoveryReport {
  /** Commit-log end after recovery. */
  commitLogEnd: number
  /** Whether commit-log bytes or files were cut. */
  commitLogTruncated: boolean
  /** ConsumeQueue entries dropped because they pointed past the end. */
  droppedEntries: number
  /** ConsumeQueue entries rebuilt from the commit log. */
  redispatched: number
  /** Records whose keys were indexed again from the commit log (0 with messageIndexEnable false). */
  reindexed: number
  /** IndexFile entries dropped because their records are past the commit log's end. */
  indexEntriesDropped: number
  /** IndexFile slots that pointed past the durable entries and were walked back along their chains. */
  indexSlotsRepaired: number
}

/**
 * Brings the commit log, ConsumeQueues and IndexFiles back to a consistent state (RocketMQ
 * CommitLog.recoverNormally / recoverAbnormally + DefaultMessageStore.recoverTopicQueueTable, simplified by the
 * checkpoint offsets):
 * 1. scan the commit log (BODYCRC checked) from min(commitLogFlushedOffset, consumeQueueSafeOffset) — bytes
 *    below it were fsynced and are trusted; from the start of its file if that offset is not a record
 *    boundary; from the first file if the checkpoint is ahead of the files. The first invalid record ends
 *    the log: cut that file, delete later files. The commit log may start after 0 (retention);
 * 2. drop ConsumeQueue entries that point past the end;
 * 3. `index` (when given): drop IndexFile entries past the end and repair the newest file's slots
 *    (IndexService.recover);
 * 4. one scan re-dispatches records from min(consumeQueueSafeOffset, end) — entries already present
 *    (queueOffset < queue max) are skipped, missing ones appended; queue max offsets follow from the CQs —
 *    and re-indexes the records after the index's durable point: the later of min(indexSafeOffset, end)
 *    and the newest indexed record (whole commit log when `<root>/index` was missing or damaged).
 *    ROLLBACK records are not indexed, PREPARED ones are (RocketMQ IndexService.buildIndex);
 * 5. with a commit log that starts after 0, each queue's minOffset moves to its first entry whose record is
 *    still there (RocketMQ ConsumeQueue.correctMinOffset), so min offsets survive a reopen.
 * After an unclean shutdown (`abnormal`), the scanned commit-log files, each queue's last two files and the
 * newest IndexFile are marked for fsync, so the caller's flush makes them durable before it writes the checkpoint.
 * `commitLog` and `queues` must be loaded.
 */
export async function recoverStore(
  commitLog: CommitLog,
  queues: ConsumeQueueTable,
  checkpoint: CheckpointData,
  computeTagsCode: ((message: MessageExt) => number) | undefined,
  logger: Logger,
  abnormal: boolean,
  index: IndexService | null = null,
): Promise<RecoveryReport> {
  const files = commitLog.files
  let durable = Math.min(checkpoint.commitLogFlushedOffset, checkpoint.consumeQueueSafeOffset)
  let dispatchFloor = checkpoint.consumeQueueSafeOffset
  if (durable > files.maxOffset) {
    // The checkpoint claims bytes that are gone (files cut or removed): trust nothing, verify everything.
    logger.warn('checkpoint is ahead of the commit log; scanning all of it', { checkpointOffset: durable, commitLogOffset: files.maxOffset })
    durable = dispatchFloor = files.minOffset
  }
  let lastStoreTimestamp = 0
  const scan = await scanFrom(commitLog, durable, true, (offset, _b, _a, record) => {
    lastStoreTimestamp = record.storeTimestamp
    commitLog.noteStored(offset, record.storeTimestamp)
  })
  const end = scan.end
  if (scan.problem) logger.warn('commit log ends before its files do; cutting the rest', { ...scan.problem, commitLogOffset: end })
  const commitLogTruncated = files.truncateTo(end)
  commitLog.lastStoreTimestamp = Math.max(commitLog.lastStoreTimestamp, lastStoreTimestamp, checkpoint.physicMsgTimestamp)

  if (abnormal) {
    // A crashed process may have left unflushed bytes in the page cache; sync them before the checkpoint says so.
    for (const segment of files.segments.slice(Math.max(0, files.indexOf(durable)))) segment.markUnsynced()
    for (const queue of queues.all()) for (const segment of queue.files.segments.slice(-2)) segment.markUnsynced()
  }

  let droppedEntries = 0
  for (const queue of queues.all()) droppedEntries += await queue.truncateBeyond(end)

  let indexFrom = Number.POSITIVE_INFINITY
  let indexedUpTo = Number.POSITIVE_INFINITY
  let indexEntriesDropped = 0
  let indexSlotsRepaired = 0
  if (index) {
    const storeTimeAt = (offset: number): Promise<number> => commitLog.pickupStoreTimestamp(offset, STORE_TIMESTAMP_HEADER_BYTES)
    // a clean close ends with a complete index flush (indexSafeOffset = end); anything else may have left slots past a header
    const recovered = await index.recover(end, storeTimeAt, abnormal, checkpoint.indexSafeOffset < end)
    indexEntriesDropped = recovered.cutEntries
    indexSlotsRepaired = recovered.repairedSlots
    indexedUpTo = recovered.newestPhyOffset
    const trusted = recovered.missing || recovered.damaged ? files.minOffset : Math.min(checkpoint.indexSafeOffset, end)
    indexFrom = Math.max(trusted, recovered.newestPhyOffset, files.minOffset)
  }

  let redispatched = 0
  let reindexed = 0
  const dispatchFrom = Math.min(dispatchFloor, end)
  await scanFrom(commitLog, Math.min(dispatchFrom, indexFrom), false, (offset, bytes, at, record) => {
    const recordEnd = offset + record.totalSize
    if (index && offset > indexedUpTo && recordEnd > indexFrom && MessageSysFlag.getTransactionValue(record.sysFlag) !== MessageSysFlag.TRANSACTION_ROLLBACK_TYPE) {
      const properties = bytes.toString('utf8', at + record.propertiesAt, at + record.propertiesAt + record.propertiesLength)
      const keys = indexKeysOf(properties)
      if (keys.length > 0) {
        index.put(record.topic, keys, offset, record.storeTimestamp)
        reindexed++
      }
    }
    if (recordEnd <= dispatchFrom || isPreparedOrRollback(record.sysFlag)) return
    const queue = queues.getOrCreate(record.topic, record.queueId)
    if (record.queueOffset < queue.maxOffset) return
    const message = decodeMessageRecord(bytes.subarray(at, at + record.totalSize))
    const tagsCode = computeTagsCode ? computeTagsCode(message) : tagsStringToTagsCode(message.properties[MessageConst.TAGS])
    if (queue.putEntry(record.queueOffset, offset, record.totalSize, tagsCode)) redispatched++
  })
  if (redispatched > 0) logger.warn('consume queue entries rebuilt from the commit log', { redispatched })
  if (reindexed > 0) logger.info('index entries rebuilt from the commit log', { reindexed })

  if (files.minOffset > 0) for (const queue of queues.all()) await queue.correctMinOffset(files.minOffset)
  return { commitLogEnd: end, commitLogTruncated, droppedEntries, redispatched, reindexed, indexEntriesDropped, indexSlotsRepaired }
}
