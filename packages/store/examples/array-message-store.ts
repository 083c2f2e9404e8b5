/**
 * ArrayMessageStore: the worked minimal adapter of docs/storage-adapters.md. It keeps everything in JS arrays,
 * favours obviousness over speed (queries scan), and passes the whole conformance suite
 * (tests/docs/array-message-store.test.ts in the repo). Not permanent, no commit-log reads.
 */
import { MessageSysFlag, decodeMessageRecord, encodeMessageRecord } from '@cometmq/protocol'
import type { MessageExt } from '@cometmq/protocol'
import {
  MessageStore,
  inRangeResult,
  indexKeysOf,
  isPreparedOrRollback,
  maxEntriesToScan,
  outOfRangeResult,
  planBatch,
  recordAt,
  searchOffsetByTime,
} from '@cometmq/store'
import type {
  ConsumeQueueEntry,
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
} from '@cometmq/store'

/** One stored record and what queries and retention need to know about it. */
interface StoredRecord {
  offset: number
  bytes: Buffer
  topic: string
  keys: string[]
  storeTimestamp: number
}

/** A ConsumeQueue: `entries[i]` is logical offset `minOffset + i`. */
interface Queue {
  minOffset: number
  entries: Array<ConsumeQueueEntry & { storeTimestamp: number }>
}

export class ArrayMessageStore extends MessageStore {
  #records: StoredRecord[] = [] // commit log, oldest first
  #maxPhyOffset = 0
  #queues = new Map<string, Queue>() // key `${topic}\u0000${queueId}`

  constructor(config: Partial<MessageStoreConfig> = {}) {
    // the manifest: data does not survive close(); no readCommitLog()
    super({ permanence: false, commitLogRead: false }, { ...config, storePathRootDir: config.storePathRootDir ?? '' })
  }

  // No files: nothing to watch for disk usage (a test may still inject config.diskUsage).
  protected override _storageDir(): string | null {
    return null
  }

  protected override async _open(): Promise<void> {
    this.#records = []
    this.#maxPhyOffset = 0
    this.#queues = new Map()
  }

  protected override async _close(): Promise<void> {
    await this._open()
  }

  #queue(topic: string, queueId: number): Queue | undefined {
    return this.#queues.get(`${topic}\u0000${queueId}`)
  }

  protected override async _putMessage(put: NormalizedPut): Promise<PutMessageResult> {
    const storeTimestamp = Date.now()
    let queue: Queue | undefined
    if (!isPreparedOrRollback(put.sysFlag)) {
      const key = `${put.topic}\u0000${put.queueId}`
      queue = this.#queues.get(key) ?? { minOffset: 0, entries: [] }
      this.#queues.set(key, queue)
    }
    const firstQueueOffset = queue ? queue.minOffset + queue.entries.length : 0
    const wroteOffset = this.#maxPhyOffset
    const commitLogOffsets: number[] = []
    const events: MessageArrivedEvent[] = []
    put.records.forEach((record, i) => {
      const offset = this.#maxPhyOffset
      const queueOffset = queue ? firstQueueOffset + i : 0
      // the stored bytes are RocketMQ's record format, so a PULL body is these buffers concatenated
      const bytes = encodeMessageRecord(recordAt(record.input, queueOffset, offset, storeTimestamp))
      // RocketMQ indexes PREPARED records but not ROLLBACK ones (IndexService.buildIndex)
      const rollback = MessageSysFlag.getTransactionValue(put.sysFlag) === MessageSysFlag.TRANSACTION_ROLLBACK_TYPE
      this.#records.push({ offset, bytes, topic: put.topic, keys: rollback ? [] : indexKeysOf(record.input.propertiesString), storeTimestamp })
      this.#maxPhyOffset += bytes.length
      commitLogOffsets.push(offset)
      if (queue) {
        queue.entries.push({ commitLogOffset: offset, size: bytes.length, tagsCode: record.tagsCode, storeTimestamp })
        events.push({ topic: put.topic, queueId: put.queueId, queueOffset, tagsCode: record.tagsCode, storeTimestamp })
      }
    })
    // visible now: tell long-polling pulls
    this._notifyMessageArrived(events)
    return {
      status: 'PUT_OK',
      appendResult: { wroteOffset, wroteBytes: this.#maxPhyOffset - wroteOffset, storeTimestamp, queueOffset: firstQueueOffset, msgNum: put.records.length, commitLogOffsets },
    }
  }

  protected override async _getMessage(query: NormalizedGetMessageQuery): Promise<GetMessageResult> {
    const queue = this.#queue(query.topic, query.queueId)
    const minOffset = queue?.minOffset ?? 0
    const maxOffset = queue ? queue.minOffset + queue.entries.length : 0
    // RocketMQ's status / nextBeginOffset rules for offsets outside [min, max)
    const outOfRange = outOfRangeResult(query.offset, minOffset, maxOffset)
    if (outOfRange || !queue) return outOfRange ?? outOfRangeResult(0, 0, 0)!
    const from = query.offset - minOffset
    const entries = queue.entries.slice(from, from + Math.min(maxEntriesToScan(query.maxMsgNums), maxOffset - query.offset))
    // maxMsgNums, maxTotalBytes and the tag filter, as RocketMQ applies them
    const plan = planBatch(entries, query)
    const records = plan.selected.map((entry) => this.#find(entry.commitLogOffset)?.bytes ?? null)
    return inRangeResult(query, plan, records, minOffset, maxOffset)
  }

  /** Binary search of the commit log by offset. */
  #find(offset: number): StoredRecord | undefined {
    let low = 0
    let high = this.#records.length - 1
    while (low <= high) {
      const mid = (low + high) >> 1
      const record = this.#records[mid]!
      if (record.offset === offset) return record
      if (record.offset < offset) low = mid + 1
      else high = mid - 1
    }
    return undefined
  }

  protected override _getMaxOffsetInQueue(topic: string, queueId: number): number {
    const queue = this.#queue(topic, queueId)
    return queue ? queue.minOffset + queue.entries.length : 0
  }

  protected override _getMinOffsetInQueue(topic: string, queueId: number): number {
    return this.#queue(topic, queueId)?.minOffset ?? 0
  }

  protected override async _getOffsetInQueueByTime(topic: string, queueId: number, timestampMs: number): Promise<number> {
    const queue = this.#queue(topic, queueId)
    if (!queue) return 0
    const max = queue.minOffset + queue.entries.length - 1
    return searchOffsetByTime(queue.minOffset, max, timestampMs, async (offset) => queue.entries[offset - queue.minOffset]?.storeTimestamp ?? -1)
  }

  protected override async _getEarliestMessageTime(topic: string, queueId: number): Promise<number> {
    return this.#queue(topic, queueId)?.entries[0]?.storeTimestamp ?? -1
  }

  protected override async _lookMessageByOffset(commitLogOffset: number): Promise<MessageExt | null> {
    const record = this.#find(commitLogOffset)
    return record ? decodeMessageRecord(record.bytes) : null
  }

  protected override async _selectOneMessageByOffset(commitLogOffset: number): Promise<Buffer | null> {
    return this.#find(commitLogOffset)?.bytes ?? null
  }

  protected override _getMaxPhyOffset(): number {
    return this.#maxPhyOffset
  }

  protected override _getMinPhyOffset(): number {
    return this.#records[0]?.offset ?? this.#maxPhyOffset
  }

  protected override async _queryMessage(query: QueryMessageQuery): Promise<QueryMessageResult> {
    const messages: Buffer[] = []
    // newest first; an exact match on topic and key, no hash index to re-check
    for (let i = this.#records.length - 1; i >= 0 && messages.length < query.maxNum; i--) {
      const record = this.#records[i]!
      if (record.topic !== query.topic || record.storeTimestamp < query.beginTimestamp || record.storeTimestamp > query.endTimestamp) continue
      if (record.keys.includes(query.key)) messages.push(record.bytes)
    }
    let newest: StoredRecord | undefined
    for (let i = this.#records.length - 1; i >= 0 && !newest; i--) if (this.#records[i]!.keys.length > 0) newest = this.#records[i]
    return { messages, indexLastUpdateTimestamp: newest?.storeTimestamp ?? 0, indexLastUpdatePhyoffset: newest?.offset ?? 0 }
  }

  /** Segment of an offset: segments are `mappedFileSizeCommitLog` bytes, as the file adapter's files. */
  #segment(offset: number): number {
    return Math.floor(offset / this.config.mappedFileSizeCommitLog)
  }

  protected override async _deleteExpired(request: RetentionRequest): Promise<RetentionReport> {
    const newestSegment = this.#segment(this.#maxPhyOffset - 1)
    const minBefore = this._getMinPhyOffset()
    let deletedSegments = 0
    while (this.#records.length > 0 && deletedSegments < request.maxSegments) {
      const segment = this.#segment(this.#records[0]!.offset)
      if (segment >= newestSegment) break // never the newest segment
      const end = this.#records.findIndex((record) => this.#segment(record.offset) !== segment)
      const inSegment = this.#records.slice(0, end)
      const newestTime = Math.max(...inSegment.map((record) => record.storeTimestamp))
      if (!request.force && newestTime >= request.expiredBefore) break // oldest first: stop at the first live one
      this.#records = this.#records.slice(end)
      deletedSegments++
    }
    // queues forget entries whose records are gone: min offsets advance
    const minPhyOffset = this._getMinPhyOffset()
    for (const queue of this.#queues.values()) {
      const keep = queue.entries.findIndex((entry) => entry.commitLogOffset >= minPhyOffset)
      const drop = keep < 0 ? queue.entries.length : keep
      queue.entries = queue.entries.slice(drop)
      queue.minOffset += drop
    }
    return { deletedSegments, deletedBytes: minPhyOffset - minBefore, minPhyOffset }
  }
}
