import type { Logger } from '@cometmq/protocol'
import { StoreError } from '../../store-error.js'
import {
  HEAD_KEY,
  KeySpace,
  LAYOUT_VERSION,
  LOW_KEY,
  commitLogKey,
  consumeQueueEnd,
  isBlank,
  keySpaceRange,
  offsetOfKey,
  packMeta,
  parseQueueKey,
  queueOffsetOfKey,
  recordStoreTimestamp,
  segmentKey,
  spanOf,
  unpackMeta,
} from './level-keys.js'
import type { CommitLogHead, CommitLogLow, QueueHead, QueueLow, SegmentMeta } from './level-keys.js'
import { purgeIfNeeded } from './level-retention.js'
import { allQueues, emptyLog, firstKey, firstOffsetAtOrAfter, lastEntry, queueFor, readMeta } from './level-state.js'
import type { BatchOp, CommittedLog, LevelDb } from './level-state.js'

const HEAD_FIELDS = ['version', 'segmentSize', 'maxPhyOffset', 'lastStoreTimestamp', 'indexLastUpdateTimestamp', 'indexLastUpdatePhyoffset'] as const

/** What open() found. */
export interface LevelRecoveryReport {
  /** `fresh` (empty database), `metadata` (metadata matched the last record), `rebuilt` (metadata was rebuilt from the keys). */
  source: 'fresh' | 'metadata' | 'rebuilt'
  /** A retention run had been cut short; its deletions were finished. */
  purged: boolean
}

/**
 * Loads the committed state on open. Fast path: read the metadata keys (HEAD, LOW, 0x02, 0x03, 0x04 — one
 * small value per segment and per queue) and check HEAD.maxPhyOffset against the last 0x10 key. Metadata is
 * written in the same atomic batch as the records, so they agree unless the metadata was lost or altered;
 * then it is rebuilt from the keys with seeks only (`rebuildLog`) and written back in one batch.
 * Finally finishes an interrupted retention run (`purgeIfNeeded`).
 * @throws StoreError STORE_CORRUPT on undecodable metadata, an unknown layout version or a malformed record.
 */
export async function loadCommittedLog(
  db: LevelDb,
  segmentSize: number,
  logger: Logger,
  sync: boolean,
): Promise<{ log: CommittedLog; report: LevelRecoveryReport }> {
  const head = await readMeta<CommitLogHead>(db, HEAD_KEY, HEAD_FIELDS, 'commit-log head')
  if (head !== null && head.version !== LAYOUT_VERSION) {
    throw new StoreError('STORE_CORRUPT', `LevelDB store layout version ${head.version} is not supported (this build reads ${LAYOUT_VERSION})`)
  }
  if (head !== null && head.segmentSize !== segmentSize) {
    throw new StoreError('BAD_ARGUMENT', `config.mappedFileSizeCommitLog is ${segmentSize} but the store was created with ${head.segmentSize}`)
  }
  const low = await readMeta<CommitLogLow>(db, LOW_KEY, ['minPhyOffset'], 'commit-log low')
  const last = await lastEntry(db, KeySpace.COMMIT_LOG)
  const end = last ? offsetOfKey(last[0]) + spanOf(offsetOfKey(last[0]), last[1], segmentSize) : null

  let log: CommittedLog
  let source: LevelRecoveryReport['source']
  if (head === null && last === null) {
    log = emptyLog(low?.minPhyOffset ?? 0)
    source = 'fresh'
    await writeAllMeta(db, log, segmentSize, sync)
  } else if (head !== null && head.maxPhyOffset === (end ?? low?.minPhyOffset ?? 0)) {
    log = await loadFromMetadata(db, head, low)
    source = 'metadata'
  } else {
    logger.warn('LevelDB store metadata does not match the commit log: rebuilding it from the keys', {
      metaMaxPhyOffset: head?.maxPhyOffset,
      commitLogOffset: end,
    })
    log = await rebuildLog(db, segmentSize, low?.minPhyOffset ?? null, end)
    await writeAllMeta(db, log, segmentSize, sync)
    source = 'rebuilt'
  }
  const purged = await purgeIfNeeded(db, log, sync)
  if (purged) logger.warn('finished an interrupted retention run', { minPhyOffset: log.minPhyOffset })
  return { log, report: { source, purged } }
}

/** Builds the log from HEAD, LOW and the 0x02 / 0x03 / 0x04 key spaces. */
async function loadFromMetadata(db: LevelDb, head: CommitLogHead, low: CommitLogLow | null): Promise<CommittedLog> {
  const log = emptyLog(low?.minPhyOffset ?? 0)
  log.maxPhyOffset = head.maxPhyOffset
  log.lastStoreTimestamp = head.lastStoreTimestamp
  log.indexLastUpdateTimestamp = head.indexLastUpdateTimestamp
  log.indexLastUpdatePhyoffset = head.indexLastUpdatePhyoffset
  for (const [key, value] of await db.iterator(keySpaceRange(KeySpace.SEGMENT)).all()) {
    const meta = unpackMeta<SegmentMeta>(value, ['newestStoreTimestamp'], 'segment')
    log.segments.push({ start: offsetOfKey(key), newestStoreTimestamp: meta.newestStoreTimestamp })
  }
  for (const [key, value] of await db.iterator(keySpaceRange(KeySpace.QUEUE_HEAD)).all()) {
    const { topic, queueId } = parseQueueKey(key)
    queueFor(log, topic, queueId).maxOffset = unpackMeta<QueueHead>(value, ['maxOffset'], 'queue head').maxOffset
  }
  for (const [key, value] of await db.iterator(keySpaceRange(KeySpace.QUEUE_LOW)).all()) {
    const { topic, queueId } = parseQueueKey(key)
    queueFor(log, topic, queueId).minOffset = unpackMeta<QueueLow>(value, ['minOffset'], 'queue low').minOffset
  }
  for (const queue of allQueues(log)) {
    queue.minOffset = Math.min(queue.minOffset, queue.maxOffset)
    queue.nextOffset = queue.maxOffset
  }
  return log
}

/** Newest store time of the records in [from, to), skipping BLANK fillers; -1 when none. */
async function newestStoreTimestamp(db: LevelDb, from: number, to: number): Promise<number> {
  for (const value of await db.values({ gte: commitLogKey(from), lt: commitLogKey(to), reverse: true, limit: 2 }).all()) {
    if (!isBlank(value)) return recordStoreTimestamp(value)
  }
  return -1
}

/**
 * Rebuilds the committed state from the keys: commit-log bounds from the first/last 0x10 keys, one reverse
 * seek per segment for its newest store time, and per queue (found by skipping from queue to queue in the
 * 0x20 space, plus queues known only from 0x03 keys) its last entry and a binary search for its min offset.
 */
async function rebuildLog(db: LevelDb, segmentSize: number, low: number | null, end: number | null): Promise<CommittedLog> {
  const first = await firstKey(db, KeySpace.COMMIT_LOG)
  const firstOffset = first ? offsetOfKey(first) : null
  const minPhyOffset = firstOffset === null ? (low ?? 0) : Math.max(low ?? 0, firstOffset)
  const log = emptyLog(minPhyOffset)
  log.maxPhyOffset = Math.max(end ?? minPhyOffset, minPhyOffset)
  for (let start = Math.floor(minPhyOffset / segmentSize) * segmentSize; start < log.maxPhyOffset; start += segmentSize) {
    const newest = await newestStoreTimestamp(db, Math.max(start, minPhyOffset), start + segmentSize)
    if (newest >= 0) log.segments.push({ start, newestStoreTimestamp: newest })
  }
  log.lastStoreTimestamp = log.segments[log.segments.length - 1]?.newestStoreTimestamp ?? 0
  const lastIndexed = await lastEntry(db, KeySpace.INDEX_BY_OFFSET)
  if (lastIndexed) {
    const offset = offsetOfKey(lastIndexed[0])
    const record = await db.get(commitLogKey(offset))
    log.indexLastUpdatePhyoffset = offset
    log.indexLastUpdateTimestamp = record ? recordStoreTimestamp(record) : 0
  }
  for (const key of await db.keys(keySpaceRange(KeySpace.QUEUE_HEAD)).all()) {
    const { topic, queueId } = parseQueueKey(key)
    const head = unpackMeta<QueueHead>((await db.get(key))!, ['maxOffset'], 'queue head')
    const queue = queueFor(log, topic, queueId, head.maxOffset)
    queue.minOffset = queue.maxOffset = queue.nextOffset = head.maxOffset
  }
  const range = keySpaceRange(KeySpace.CONSUME_QUEUE)
  let cursor = range.gte
  for (;;) {
    const next = (await db.keys({ gte: cursor, lt: range.lt, limit: 1 }).all())[0]
    if (next === undefined) break
    const { topic, queueId, prefixLength } = parseQueueKey(next)
    const queue = queueFor(log, topic, queueId)
    const lastKey = (await db.keys({ gte: next, lte: consumeQueueEnd(queue.keys.entryPrefix), reverse: true, limit: 1 }).all())[0]!
    queue.maxOffset = queue.nextOffset = queueOffsetOfKey(lastKey) + 1
    queue.minOffset = await firstOffsetAtOrAfter(db, queue, queueOffsetOfKey(next), queue.maxOffset, minPhyOffset)
    cursor = Buffer.concat([next.subarray(0, prefixLength), Buffer.alloc(9, 0xff)])
  }
  return log
}

/** Replaces all metadata (HEAD, LOW, 0x02, 0x03, 0x04) with `log` in one batch. */
async function writeAllMeta(db: LevelDb, log: CommittedLog, segmentSize: number, sync: boolean): Promise<void> {
  const ops: BatchOp[] = []
  for (const space of [KeySpace.SEGMENT, KeySpace.QUEUE_HEAD, KeySpace.QUEUE_LOW]) {
    for (const key of await db.keys(keySpaceRange(space)).all()) ops.push({ type: 'del', key })
  }
  const head: CommitLogHead = {
    version: LAYOUT_VERSION,
    segmentSize,
    maxPhyOffset: log.maxPhyOffset,
    lastStoreTimestamp: log.lastStoreTimestamp,
    indexLastUpdateTimestamp: log.indexLastUpdateTimestamp,
    indexLastUpdatePhyoffset: log.indexLastUpdatePhyoffset,
  }
  ops.push({ type: 'put', key: HEAD_KEY, value: packMeta(head) }, { type: 'put', key: LOW_KEY, value: packMeta({ minPhyOffset: log.minPhyOffset }) })
  for (const segment of log.segments) ops.push({ type: 'put', key: segmentKey(segment.start), value: packMeta({ newestStoreTimestamp: segment.newestStoreTimestamp }) })
  for (const queue of allQueues(log)) {
    ops.push({ type: 'put', key: queue.keys.headKey, value: packMeta({ maxOffset: queue.maxOffset }) })
    ops.push({ type: 'put', key: queue.keys.lowKey, value: packMeta({ minOffset: queue.minOffset }) })
  }
  await db.batch(ops, { sync })
}
