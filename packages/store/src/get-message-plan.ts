import { CQ_STORE_UNIT_SIZE } from './store-config.js'
import type { GetMessageResult, NormalizedGetMessageQuery } from './types.js'

/** One ConsumeQueue entry (20 bytes on disk: commitLogOffset int64 · size int32 · tagsCode int64). */
export interface ConsumeQueueEntry {
  commitLogOffset: number
  size: number
  tagsCode: number
}

/** Consecutive entries decoded on demand (a pull scans up to 800 but usually needs a few). */
export interface ConsumeQueueEntries {
  readonly length: number
  at(index: number): ConsumeQueueEntry
}

/** Size field of a filler entry `(0, Integer.MAX_VALUE, 0)` padding a gap; readers skip it. Source: ConsumeQueue.fillPreBlank. */
export const FILLER_ENTRY_SIZE = 0x7fffffff

/** True for a filler entry `(0, Integer.MAX_VALUE, 0)`. */
export function isFillerEntry(entry: ConsumeQueueEntry): boolean {
  return entry.size === FILLER_ENTRY_SIZE && entry.commitLogOffset === 0
}

/**
 * Most ConsumeQueue entries one pull scans: max(16000 bytes, maxMsgNums × 20) / 20.
 * Source: RocketMQ DefaultMessageStore.getMessage `maxFilterMessageCount`.
 */
export function maxEntriesToScan(maxMsgNums: number): number {
  return Math.max(16000, maxMsgNums * CQ_STORE_UNIT_SIZE) / CQ_STORE_UNIT_SIZE
}

/**
 * The answer when `offset` is outside [min, max) or the queue is empty, else null (read entries).
 * Rules of protocol doc §7.5 (RocketMQ DefaultMessageStore.getMessage on a master):
 * - max = 0 → NO_MESSAGE_IN_QUEUE, next 0
 * - offset < min → OFFSET_TOO_SMALL, next min
 * - offset = max → OFFSET_OVERFLOW_ONE, next offset
 * - offset > max → OFFSET_OVERFLOW_BADLY, next max (4.9 Java answers min when min = 0; we follow the doc)
 */
export function outOfRangeResult(offset: number, minOffset: number, maxOffset: number): GetMessageResult | null {
  const base = { minOffset, maxOffset, messages: [] as Buffer[] }
  if (maxOffset === 0) return { status: 'NO_MESSAGE_IN_QUEUE', nextBeginOffset: 0, ...base }
  if (offset < minOffset) return { status: 'OFFSET_TOO_SMALL', nextBeginOffset: minOffset, ...base }
  if (offset === maxOffset) return { status: 'OFFSET_OVERFLOW_ONE', nextBeginOffset: offset, ...base }
  if (offset > maxOffset) return { status: 'OFFSET_OVERFLOW_BADLY', nextBeginOffset: maxOffset, ...base }
  return null
}

/** Entries selected for one pull and how many entries were scanned (including filtered and filler ones). */
export interface BatchPlan {
  selected: ConsumeQueueEntry[]
  scanned: number
}

/**
 * Chooses which of `entries` (starting at the query offset) one pull returns.
 * Stops before an entry when the batch already has `maxMsgNums` messages, or when adding it would exceed
 * `maxTotalBytes` — but never before the first message (RocketMQ DefaultMessageStore.isTheBatchFull).
 * Entries the filter rejects and filler entries are skipped but counted in `scanned`.
 */
export function planBatch(entries: ConsumeQueueEntries | readonly ConsumeQueueEntry[], query: NormalizedGetMessageQuery): BatchPlan {
  const selected: ConsumeQueueEntry[] = []
  let totalBytes = 0
  let scanned = 0
  for (let i = 0; i < entries.length; i++) {
    const entry = entries.at(i)!
    if (selected.length > 0 && (selected.length >= query.maxMsgNums || totalBytes + entry.size > query.maxTotalBytes)) break
    scanned++
    if (isFillerEntry(entry)) continue
    if (query.tagsCodeFilter !== undefined && !query.tagsCodeFilter(entry.tagsCode)) continue
    selected.push(entry)
    totalBytes += entry.size
  }
  return { selected, scanned }
}

/**
 * Builds the in-range result: FOUND when at least one record was read, else NO_MATCHED_MESSAGE
 * (MESSAGE_WAS_REMOVING when entries matched but their records are gone). nextBeginOffset = offset + scanned.
 */
export function inRangeResult(
  query: NormalizedGetMessageQuery,
  plan: BatchPlan,
  records: ReadonlyArray<Buffer | null>,
  minOffset: number,
  maxOffset: number,
): GetMessageResult {
  const messages = records.filter((r): r is Buffer => r !== null)
  const status = messages.length > 0 ? 'FOUND' : plan.selected.length > 0 ? 'MESSAGE_WAS_REMOVING' : 'NO_MATCHED_MESSAGE'
  return { status, nextBeginOffset: query.offset + plan.scanned, minOffset, maxOffset, messages }
}

/**
 * Offset of the message stored closest to `timestamp` among logical offsets [low, high] (inclusive).
 * RocketMQ 4.9 ConsumeQueue.getOffsetInQueueByTime: binary search; an exact hit wins, otherwise the
 * neighbour whose store time is closer (ties → the earlier one); before everything → `low`,
 * after everything → `high`. Returns 0 when `storeTimeAt` answers < 0 (unreadable) or the range is empty.
 */
export async function searchOffsetByTime(
  low: number,
  high: number,
  timestamp: number,
  storeTimeAt: (offset: number) => Promise<number>,
): Promise<number> {
  if (high < low) return 0
  let leftOffset = -1
  let rightOffset = -1
  let leftValue = -1
  let rightValue = -1
  while (high >= low) {
    const mid = Math.floor((low + high) / 2)
    const storeTime = await storeTimeAt(mid)
    if (storeTime < 0) return 0
    if (storeTime === timestamp) return mid
    if (storeTime > timestamp) {
      high = mid - 1
      rightOffset = mid
      rightValue = storeTime
    } else {
      low = mid + 1
      leftOffset = mid
      leftValue = storeTime
    }
  }
  if (leftValue === -1) return rightOffset
  if (rightValue === -1) return leftOffset
  return Math.abs(timestamp - leftValue) > Math.abs(timestamp - rightValue) ? rightOffset : leftOffset
}
