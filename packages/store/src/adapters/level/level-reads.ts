import { recordMatchesKey } from '../../index-keys.js'
import { readLong } from '../../int64.js'
import type { QueryMessageQuery, QueryMessageResult } from '../../types.js'
import { commitLogKey, commitLogOffsetOfIndexKey, fitsKey, indexKey, indexName, isBlank, offsetOfKey, spanOf } from './level-keys.js'
import { recordAtOrBefore } from './level-state.js'
import type { CommittedLog, LevelDb } from './level-state.js'

/**
 * Raw commit-log bytes from `fromOffset` (any byte, not only a record start), at most `maxBytes`, never past
 * the end of the segment holding `fromOffset` nor the committed end. After a BLANK filler the segment reads
 * as zeros, as a pre-allocated RocketMQ file does. Records are contiguous, so the bytes are the values of
 * consecutive 0x10 keys; a gap (a retention run deleting them meanwhile) ends the answer early.
 */
export async function readCommitLogBytes(db: LevelDb, log: CommittedLog, segmentSize: number, fromOffset: number, maxBytes: number): Promise<Buffer> {
  const segmentStart = fromOffset - (fromOffset % segmentSize)
  const limit = Math.min(fromOffset + maxBytes, segmentStart + segmentSize, log.maxPhyOffset)
  if (limit <= fromOffset) return Buffer.alloc(0)
  const first = await recordAtOrBefore(db, fromOffset, Math.max(segmentStart, log.minPhyOffset))
  if (!first) return Buffer.alloc(0)
  const out = Buffer.alloc(limit - fromOffset)
  let covered = first.offset
  for (const [key, value] of await db.iterator({ gte: commitLogKey(first.offset), lt: commitLogKey(limit) }).all()) {
    const offset = offsetOfKey(key)
    if (offset !== covered) break
    const skip = Math.max(0, fromOffset - offset)
    if (skip < value.length) value.copy(out, offset + skip - fromOffset, skip, Math.min(value.length, limit - offset))
    covered = offset + spanOf(offset, value, segmentSize)
  }
  return covered >= limit ? out : out.subarray(0, Math.max(0, covered - fromOffset))
}

/**
 * QUERY_MESSAGE on the 0x30 index: a reverse scan of topic+key's entries (newest first) from the committed
 * end down to the min commit-log offset, skipping entries stored after the window and stopping at the first
 * one stored before it (store times never decrease along the log); every hit is re-checked on its record.
 */
export async function queryIndex(db: LevelDb, log: CommittedLog, query: QueryMessageQuery): Promise<QueryMessageResult> {
  const result: QueryMessageResult = {
    messages: [],
    indexLastUpdateTimestamp: log.indexLastUpdateTimestamp,
    indexLastUpdatePhyoffset: log.indexLastUpdatePhyoffset,
  }
  if (!fitsKey(query.topic) || !fitsKey(query.key)) return result
  const name = indexName(query.topic, query.key)
  const iterator = db.iterator({ gte: indexKey(name, log.minPhyOffset), lt: indexKey(name, log.maxPhyOffset), reverse: true })
  try {
    let older = false
    while (!older && result.messages.length < query.maxNum) {
      const entries = await iterator.nextv(query.maxNum)
      if (entries.length === 0) break
      const offsets: number[] = []
      for (const [key, value] of entries) {
        const storeTimestamp = readLong(value, 0)
        if (storeTimestamp > query.endTimestamp) continue
        if (storeTimestamp < query.beginTimestamp) {
          older = true
          break
        }
        offsets.push(commitLogOffsetOfIndexKey(key))
      }
      const records = offsets.length > 0 ? await db.getMany(offsets.map(commitLogKey)) : []
      for (let i = 0; i < records.length && result.messages.length < query.maxNum; i++) {
        const record = records[i]
        // below the min: deleted by a retention run meanwhile (its keys may not be purged yet)
        if (record === undefined || offsets[i]! < log.minPhyOffset || isBlank(record)) continue
        if (recordMatchesKey(record, query.topic, query.key, query.beginTimestamp, query.endTimestamp)) result.messages.push(record)
      }
    }
  } finally {
    await iterator.close()
  }
  return result
}
