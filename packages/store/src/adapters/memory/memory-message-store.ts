import { MessageSysFlag, decodeMessageRecord, encodeMessageRecord } from '@cometmq/protocol'
import type { MessageExt } from '@cometmq/protocol'
import { inRangeResult, maxEntriesToScan, outOfRangeResult, planBatch, searchOffsetByTime } from '../../get-message-plan.js'
import type { ConsumeQueueEntry } from '../../get-message-plan.js'
import { indexKeysOf, recordMatchesKey } from '../../index-keys.js'
import { MessageStore } from '../../message-store.js'
import type {
  AppendMessageResult,
  GetMessageResult,
  MessageArrivedEvent,
  MessageStoreConfig,
  NormalizedGetMessageQuery,
  NormalizedPut,
  PutMessageResult,
  QueryMessageQuery,
  QueryMessageResult,
  RetentionReport,
  RetentionRequest,
} from '../../types.js'
import { recordAt } from '../../record-input.js'
import { isPreparedOrRollback } from '../../validate-input.js'

interface MemoryEntry extends ConsumeQueueEntry {
  storeTimestamp: number
}

/** Leading items dropped before an array is compacted (amortises the copy over at least this many drops). */
const COMPACT_AFTER = 1024

/**
 * An append-only array whose oldest items are dropped by advancing a head index: dropping a prefix costs
 * O(dropped) (plus an amortised compaction copy), never an O(n) shift per item.
 */
class PrefixDropArray<T> {
  #items: T[] = []
  #head = 0

  get length(): number {
    return this.#items.length - this.#head
  }

  /** Item `i` counted from the oldest retained one; undefined outside [0, length). */
  at(i: number): T | undefined {
    return i < 0 ? undefined : this.#items[this.#head + i]
  }

  push(item: T): void {
    this.#items.push(item)
  }

  /** Drops leading items while `test` holds; returns how many were dropped. */
  dropWhile(test: (item: T) => boolean): number {
    const start = this.#head
    while (this.#head < this.#items.length && test(this.#items[this.#head]!)) this.#head++
    const dropped = this.#head - start
    this.#compact()
    return dropped
  }

  /** Drops the oldest item, if any. */
  dropFirst(): void {
    if (this.#head < this.#items.length) this.#items[this.#head++] = undefined as T
    this.#compact()
  }

  #compact(): void {
    if (this.#head >= COMPACT_AFTER && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head)
      this.#head = 0
    }
  }
}

/** One ConsumeQueue: logical offsets [minOffset, maxOffset); entries before minOffset were dropped with their segment. */
class MemoryConsumeQueue {
  readonly #entries = new PrefixDropArray<MemoryEntry>()
  #minOffset = 0

  get minOffset(): number {
    return this.#minOffset
  }

  /** Next logical offset to assign (entries ever written). */
  get maxOffset(): number {
    return this.#minOffset + this.#entries.length
  }

  /** Entry at logical `offset`, undefined outside [minOffset, maxOffset). */
  at(offset: number): MemoryEntry | undefined {
    return this.#entries.at(offset - this.#minOffset)
  }

  push(entry: MemoryEntry): void {
    this.#entries.push(entry)
  }

  /** Min offset advances to the first entry at/after `minPhyOffset` (RocketMQ ConsumeQueue.correctMinOffset). */
  dropBefore(minPhyOffset: number): void {
    this.#minOffset += this.#entries.dropWhile((e) => e.commitLogOffset < minPhyOffset)
  }
}

/**
 * Commit-log offsets of the messages carrying one `topic` + key, oldest first. A key carried by one message
 * (every UNIQ_KEY) is kept as a bare number: no array per message.
 */
type KeyPostings = number | PrefixDropArray<number>

/**
 * A commit-log segment of the memory store: the records whose start offset lies in
 * [index × segmentSize, (index + 1) × segmentSize). Records are back to back, so a record may end past the span.
 */
interface MemorySegment {
  readonly index: number
  /** Commit-log offset of the segment's first record. */
  readonly firstOffset: number
  /** Newest store time (ms) of its records: the segment expires `fileReservedTime` hours after it. */
  newestStoreTimestamp: number
  readonly recordOffsets: number[]
  /** ConsumeQueues holding entries of this segment (advanced when it is dropped). */
  readonly queues: Set<MemoryConsumeQueue>
  /** Key-index keys (`topic\0key`) with postings in this segment, repeats allowed (pruned when it is dropped). */
  readonly indexKeys: string[]
}

/**
 * In-memory MessageStore: the reference adapter for broker unit tests. Records are the same bytes the file
 * adapter writes (`encodeMessageRecord`), laid out back to back from commit-log offset 0 with no BLANK fillers.
 * `supports`: permanence false (close() drops everything), commitLogRead false. Path and flush keys are ignored;
 * there is no disk (`config.diskUsage`, when given, still drives the disk-full refusal).
 *
 * Memory is bounded: records are grouped in segments of S = min(mappedFileSizeCommitLog, memoryStoreMaxBytes / 4)
 * bytes of commit-log offsets (a record belongs to the segment holding its start offset). After every put, while
 * the retained record bytes exceed `memoryStoreMaxBytes` and more than one segment exists, the oldest segment is
 * dropped with its ConsumeQueue and key-index entries (queue min offsets and getMinPhyOffset advance), so at most
 * max(memoryStoreMaxBytes, S + one record) bytes stay. A batch larger than the budget can drop its own first records.
 * Retention (`deleteExpiredFiles`, the base-class timer) drops segments the same way, oldest first, never the newest.
 *
 * queryMessage uses an exact in-memory key index (`topic\0key` → commit-log offsets), built at put time when
 * `messageIndexEnable` (PREPARED records indexed, ROLLBACK not, as RocketMQ IndexService.buildIndex).
 * Returned record Buffers are shared with the store: treat them as read-only.
 */
export class MemoryMessageStore extends MessageStore {
  /** Segment span S in bytes; see the class docstring. */
  readonly #segmentSize: number
  #records = new Map<number, Buffer>()
  #maxPhyOffset = 0
  #queues = new Map<string, Map<number, MemoryConsumeQueue>>()
  #segments = new PrefixDropArray<MemorySegment>()
  #keyIndex = new Map<string, KeyPostings>()
  #indexLastUpdateTimestamp = 0
  #indexLastUpdatePhyoffset = 0

  /** @param config storePathRootDir may be omitted. @throws StoreError BAD_ARGUMENT on an invalid value. */
  constructor(config: Partial<MessageStoreConfig> = {}) {
    super({ permanence: false, commitLogRead: false }, { ...config, storePathRootDir: config.storePathRootDir ?? '' })
    this.#segmentSize = Math.min(this.config.mappedFileSizeCommitLog, Math.floor(this.config.memoryStoreMaxBytes / 4))
  }

  protected override async _open(): Promise<void> {
    this.#reset()
  }

  protected override async _close(): Promise<void> {
    this.#reset()
  }

  /** No files: disk usage comes only from an injected `config.diskUsage`. */
  protected override _storageDir(): string | null {
    return null
  }

  #reset(): void {
    this.#records = new Map()
    this.#maxPhyOffset = 0
    this.#queues = new Map()
    this.#segments = new PrefixDropArray()
    this.#keyIndex = new Map()
    this.#indexLastUpdateTimestamp = 0
    this.#indexLastUpdatePhyoffset = 0
  }

  #queue(topic: string, queueId: number): MemoryConsumeQueue | undefined {
    return this.#queues.get(topic)?.get(queueId)
  }

  #queueForWrite(topic: string, queueId: number): MemoryConsumeQueue {
    let byId = this.#queues.get(topic)
    if (!byId) this.#queues.set(topic, (byId = new Map()))
    let queue = byId.get(queueId)
    if (!queue) byId.set(queueId, (queue = new MemoryConsumeQueue()))
    return queue
  }

  /** The segment a record starting at `commitLogOffset` belongs to (created when it is the first one). */
  #segmentFor(commitLogOffset: number, storeTimestamp: number): MemorySegment {
    const index = Math.floor(commitLogOffset / this.#segmentSize)
    let segment = this.#segments.at(this.#segments.length - 1)
    if (segment === undefined || segment.index !== index) {
      segment = { index, firstOffset: commitLogOffset, newestStoreTimestamp: storeTimestamp, recordOffsets: [], queues: new Set(), indexKeys: [] }
      this.#segments.push(segment)
    }
    if (storeTimestamp > segment.newestStoreTimestamp) segment.newestStoreTimestamp = storeTimestamp
    return segment
  }

  protected override async _putMessage(put: NormalizedPut): Promise<PutMessageResult> {
    const storeTimestamp = Date.now()
    const transactional = isPreparedOrRollback(put.sysFlag)
    const indexed = this.config.messageIndexEnable && MessageSysFlag.getTransactionValue(put.sysFlag) !== MessageSysFlag.TRANSACTION_ROLLBACK_TYPE
    const queue = transactional ? undefined : this.#queueForWrite(put.topic, put.queueId)
    const firstQueueOffset = queue ? queue.maxOffset : 0
    const wroteOffset = this.#maxPhyOffset
    const commitLogOffsets: number[] = []
    const events: MessageArrivedEvent[] = []
    put.records.forEach((record, i) => {
      const commitLogOffset = this.#maxPhyOffset
      const queueOffset = queue ? firstQueueOffset + i : 0
      const bytes = encodeMessageRecord(recordAt(record.input, queueOffset, commitLogOffset, storeTimestamp))
      const segment = this.#segmentFor(commitLogOffset, storeTimestamp)
      this.#records.set(commitLogOffset, bytes)
      segment.recordOffsets.push(commitLogOffset)
      this.#maxPhyOffset += bytes.length
      commitLogOffsets.push(commitLogOffset)
      if (queue) {
        queue.push({ commitLogOffset, size: bytes.length, tagsCode: record.tagsCode, storeTimestamp })
        segment.queues.add(queue)
        events.push({ topic: put.topic, queueId: put.queueId, queueOffset, tagsCode: record.tagsCode, storeTimestamp })
      }
      if (indexed) this.#index(put.topic, record.input.propertiesString, commitLogOffset, storeTimestamp, segment)
    })
    const appendResult: AppendMessageResult = {
      wroteOffset,
      wroteBytes: this.#maxPhyOffset - wroteOffset,
      storeTimestamp,
      queueOffset: firstQueueOffset,
      msgNum: put.records.length,
      commitLogOffsets,
    }
    this.#enforceBudget()
    this._notifyMessageArrived(events)
    return { status: 'PUT_OK', appendResult }
  }

  /** Adds the record's KEYS words and UNIQ_KEY to the key index. */
  #index(topic: string, propertiesString: string, commitLogOffset: number, storeTimestamp: number, segment: MemorySegment): void {
    const keys = indexKeysOf(propertiesString)
    if (keys.length === 0) return
    for (const key of keys) {
      const indexKey = `${topic}\u0000${key}`
      const postings = this.#keyIndex.get(indexKey)
      if (postings === undefined) this.#keyIndex.set(indexKey, commitLogOffset)
      else if (typeof postings === 'number') {
        const list = new PrefixDropArray<number>()
        list.push(postings)
        list.push(commitLogOffset)
        this.#keyIndex.set(indexKey, list)
      } else postings.push(commitLogOffset)
      segment.indexKeys.push(indexKey)
    }
    this.#indexLastUpdateTimestamp = storeTimestamp
    this.#indexLastUpdatePhyoffset = commitLogOffset
  }

  /** Drops oldest segments while the retained bytes exceed memoryStoreMaxBytes (the newest one always stays). */
  #enforceBudget(): void {
    const budget = this.config.memoryStoreMaxBytes
    while (this.#segments.length > 1 && this.#maxPhyOffset - this._getMinPhyOffset() > budget) {
      const dropped = this.#dropOldestSegment()
      this.logger.debug('memory store over budget: dropped the oldest segment', {
        droppedBytes: dropped,
        minPhyOffset: this._getMinPhyOffset(),
        retainedBytes: this.#maxPhyOffset - this._getMinPhyOffset(),
        memoryStoreMaxBytes: budget,
      })
    }
  }

  /**
   * Drops the oldest segment (callers keep at least one): its records, its ConsumeQueue entries (min offsets
   * advance to the first entry at/after the new min commit-log offset) and its key-index postings.
   * @returns commit-log bytes dropped (the span up to the next segment's first record).
   */
  #dropOldestSegment(): number {
    const segment = this.#segments.at(0)!
    this.#segments.dropFirst()
    for (const offset of segment.recordOffsets) this.#records.delete(offset)
    const minPhyOffset = this._getMinPhyOffset()
    for (const queue of segment.queues) queue.dropBefore(minPhyOffset)
    for (const indexKey of segment.indexKeys) {
      const postings = this.#keyIndex.get(indexKey)
      if (postings === undefined) continue
      if (typeof postings !== 'number') postings.dropWhile((offset) => offset < minPhyOffset)
      const gone = typeof postings === 'number' ? postings < minPhyOffset : postings.length === 0
      if (gone) this.#keyIndex.delete(indexKey)
    }
    return minPhyOffset - segment.firstOffset
  }

  protected override async _getMessage(query: NormalizedGetMessageQuery): Promise<GetMessageResult> {
    const queue = this.#queue(query.topic, query.queueId)
    if (!queue) return outOfRangeResult(query.offset, 0, 0)!
    const { minOffset, maxOffset } = queue
    const outOfRange = outOfRangeResult(query.offset, minOffset, maxOffset)
    if (outOfRange) return outOfRange
    const from = query.offset
    const entries = { length: Math.min(maxEntriesToScan(query.maxMsgNums), maxOffset - from), at: (i: number) => queue.at(from + i)! }
    const plan = planBatch(entries, query)
    const records = plan.selected.map((e) => this.#records.get(e.commitLogOffset) ?? null)
    return inRangeResult(query, plan, records, minOffset, maxOffset)
  }

  protected override _getMaxOffsetInQueue(topic: string, queueId: number): number {
    return this.#queue(topic, queueId)?.maxOffset ?? 0
  }

  protected override _getMinOffsetInQueue(topic: string, queueId: number): number {
    return this.#queue(topic, queueId)?.minOffset ?? 0
  }

  protected override async _getOffsetInQueueByTime(topic: string, queueId: number, timestampMs: number): Promise<number> {
    const queue = this.#queue(topic, queueId)
    if (!queue) return 0
    return searchOffsetByTime(queue.minOffset, queue.maxOffset - 1, timestampMs, async (o) => queue.at(o)?.storeTimestamp ?? -1)
  }

  protected override async _getEarliestMessageTime(topic: string, queueId: number): Promise<number> {
    const queue = this.#queue(topic, queueId)
    return queue?.at(queue.minOffset)?.storeTimestamp ?? -1
  }

  protected override async _lookMessageByOffset(commitLogOffset: number): Promise<MessageExt | null> {
    const bytes = this.#records.get(commitLogOffset)
    return bytes ? decodeMessageRecord(bytes) : null
  }

  protected override async _selectOneMessageByOffset(commitLogOffset: number): Promise<Buffer | null> {
    return this.#records.get(commitLogOffset) ?? null
  }

  protected override _getMaxPhyOffset(): number {
    return this.#maxPhyOffset
  }

  /** Offset of the oldest retained record; 0 on an empty store. */
  protected override _getMinPhyOffset(): number {
    return this.#segments.at(0)?.firstOffset ?? this.#maxPhyOffset
  }

  protected override async _queryMessage(query: QueryMessageQuery): Promise<QueryMessageResult> {
    const postings = this.#keyIndex.get(`${query.topic}\u0000${query.key}`)
    const messages: Buffer[] = []
    const count = postings === undefined ? 0 : typeof postings === 'number' ? 1 : postings.length
    // newest first; offsets of dropped segments are pruned, and a missing record is skipped anyway
    for (let i = count - 1; i >= 0 && messages.length < query.maxNum; i--) {
      const offset = typeof postings === 'number' ? postings : postings!.at(i)!
      const record = this.#records.get(offset)
      if (record && recordMatchesKey(record, query.topic, query.key, query.beginTimestamp, query.endTimestamp)) messages.push(record)
    }
    return { messages, indexLastUpdateTimestamp: this.#indexLastUpdateTimestamp, indexLastUpdatePhyoffset: this.#indexLastUpdatePhyoffset }
  }

  protected override async _deleteExpired(request: RetentionRequest): Promise<RetentionReport> {
    let deletedSegments = 0
    let deletedBytes = 0
    while (deletedSegments < request.maxSegments && this.#segments.length > 1) {
      const oldest = this.#segments.at(0)!
      if (!request.force && oldest.newestStoreTimestamp >= request.expiredBefore) break
      const bytes = this.#dropOldestSegment()
      deletedSegments++
      deletedBytes += bytes
      this.logger.debug('memory store retention dropped a segment', {
        droppedBytes: bytes,
        newestStoreTimestamp: oldest.newestStoreTimestamp,
        expiredBefore: request.expiredBefore,
        force: request.force,
        minPhyOffset: this._getMinPhyOffset(),
      })
    }
    return { deletedSegments, deletedBytes, minPhyOffset: this._getMinPhyOffset() }
  }
}
