import type { RetentionReport, RetentionRequest } from '../../types.js'
import {
  KeySpace,
  LOW_KEY,
  commitLogKey,
  consumeQueueKey,
  indexByOffsetBound,
  indexKeyOfByOffsetKey,
  keySpaceRange,
  packMeta,
  segmentKey,
} from './level-keys.js'
import { allQueues, firstKey, firstOffsetAtOrAfter } from './level-state.js'
import type { BatchOp, CommittedLog, LevelDb, QueueState } from './level-state.js'

/** ConsumeQueue entries [from, to) of one queue that retention removes. */
export interface QueueCut {
  queue: QueueState
  from: number
  to: number
}

/** Index entries deleted per LevelDB batch while purging. */
const INDEX_PURGE_CHUNK = 4096

/**
 * One retention run: deletes whole logical segments, oldest first, while expired (newest store time before
 * `request.expiredBefore`) or `request.force`, at most `request.maxSegments`, never the newest segment.
 *
 * 1. One atomic batch moves the low-water marks: LOW_KEY (minPhyOffset = start of the first kept segment),
 *    each affected queue's 0x04 key (first entry whose commitLogOffset ≥ that), and deletes the segments'
 *    0x02 keys. From then on reads treat everything below as gone.
 * 2. `purgeBelow` removes the keys (queue entries, index entries, records); a crash in between is finished
 *    on the next open (see `purgeIfNeeded`).
 * Mutates `log` (min offsets, segments) after step 1.
 */
export async function deleteExpiredSegments(db: LevelDb, log: CommittedLog, request: RetentionRequest, segmentSize: number, sync: boolean): Promise<RetentionReport> {
  const oldMin = log.minPhyOffset
  const newestStart = log.maxPhyOffset > 0 ? Math.floor((log.maxPhyOffset - 1) / segmentSize) * segmentSize : 0
  let doomed = 0
  for (const segment of log.segments) {
    if (segment.start >= newestStart || doomed >= request.maxSegments) break
    if (!request.force && segment.newestStoreTimestamp >= request.expiredBefore) break // RocketMQ: never delete past a live segment
    doomed++
  }
  if (doomed === 0) return { deletedSegments: 0, deletedBytes: 0, minPhyOffset: oldMin }
  const deleted = log.segments.slice(0, doomed)
  const newMin = deleted[deleted.length - 1]!.start + segmentSize

  const cuts: QueueCut[] = []
  for (const queue of [...allQueues(log)]) {
    if (queue.minOffset >= queue.maxOffset) continue
    const to = await firstOffsetAtOrAfter(db, queue, queue.minOffset, queue.maxOffset, newMin)
    if (to > queue.minOffset) cuts.push({ queue, from: queue.minOffset, to })
  }
  const ops: BatchOp[] = [{ type: 'put', key: LOW_KEY, value: packMeta({ minPhyOffset: newMin }) }]
  for (const cut of cuts) ops.push({ type: 'put', key: cut.queue.keys.lowKey, value: packMeta({ minOffset: cut.to }) })
  for (const segment of deleted) ops.push({ type: 'del', key: segmentKey(segment.start) })
  await db.batch(ops, { sync })

  log.minPhyOffset = newMin
  for (const cut of cuts) cut.queue.minOffset = Math.max(cut.queue.minOffset, cut.to)
  log.segments.splice(0, doomed)
  await purgeBelow(db, newMin, cuts, sync)
  return { deletedSegments: doomed, deletedBytes: newMin - oldMin, minPhyOffset: newMin }
}

/**
 * Deletes every key below the low-water marks: the queue entries of `cuts`, index entries (0x30 and 0x31) of
 * records below `minPhyOffset`, then those records (last, so "records below min exist" means "purge not
 * finished"), and compacts the record range so LevelDB returns the disk space.
 */
export async function purgeBelow(db: LevelDb, minPhyOffset: number, cuts: readonly QueueCut[], sync: boolean): Promise<void> {
  for (const cut of cuts) {
    const prefix = cut.queue.keys.entryPrefix
    await db.clear({ gte: consumeQueueKey(prefix, cut.from), lt: consumeQueueKey(prefix, cut.to) })
  }
  const bound = indexByOffsetBound(minPhyOffset)
  const iterator = db.keys({ gte: keySpaceRange(KeySpace.INDEX_BY_OFFSET).gte, lt: bound })
  try {
    for (;;) {
      const keys = await iterator.nextv(INDEX_PURGE_CHUNK)
      if (keys.length === 0) break
      const batch = db.batch() // chained: far cheaper per operation than an operations array
      for (const key of keys) batch.del(indexKeyOfByOffsetKey(key)).del(key)
      await batch.write({ sync })
    }
  } finally {
    await iterator.close()
  }
  const records = { gte: keySpaceRange(KeySpace.COMMIT_LOG).gte, lt: commitLogKey(minPhyOffset) }
  await db.clear(records)
  await db.compactRange(records.gte, records.lt)
}

/**
 * Open-time repair: when records or index entries below `log.minPhyOffset` remain (a retention run was cut
 * short), purges them and every queue's entries below its min offset. Returns whether it purged.
 */
export async function purgeIfNeeded(db: LevelDb, log: CommittedLog, sync: boolean): Promise<boolean> {
  const staleRecord = await firstKey(db, KeySpace.COMMIT_LOG, commitLogKey(log.minPhyOffset))
  const staleIndex = await firstKey(db, KeySpace.INDEX_BY_OFFSET, indexByOffsetBound(log.minPhyOffset))
  if (staleRecord === null && staleIndex === null) return false
  const cuts = [...allQueues(log)].filter((queue) => queue.minOffset > 0).map((queue) => ({ queue, from: 0, to: queue.minOffset }))
  await purgeBelow(db, log.minPhyOffset, cuts, sync)
  return true
}
