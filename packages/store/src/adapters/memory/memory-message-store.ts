import { decodeMessageRecord, encodeMessageRecord } from '@cometmq/protocol'
import type { MessageExt } from '@cometmq/protocol'
import { inRangeResult, maxEntriesToScan, outOfRangeResult, planBatch, searchOffsetByTime } from '../../get-message-plan.js'
import type { ConsumeQueueEntry } from '../../get-message-plan.js'
import { MessageStore } from '../../message-store.js'
import type {
  AppendMessageResult,
  GetMessageResult,
  MessageArrivedEvent,
  MessageStoreConfig,
  NormalizedGetMessageQuery,
  NormalizedPut,
  PutMessageResult,
} from '../../types.js'
import { recordAt } from '../../record-input.js'
import { isPreparedOrRollback } from '../../validate-input.js'

interface MemoryEntry extends ConsumeQueueEntry {
  storeTimestamp: number
}

/**
 * In-memory MessageStore: the reference adapter for broker unit tests. Records are the same bytes the file
 * adapter writes (`encodeMessageRecord`), laid out back to back from commit-log offset 0 with no BLANK fillers.
 * `supports`: permanence false (close() drops everything), commitLogRead false. Path and flush keys are ignored.
 * Returned record Buffers are shared with the store: treat them as read-only.
 */
export class MemoryMessageStore extends MessageStore {
  #records = new Map<number, Buffer>()
  #maxPhyOffset = 0
  #queues = new Map<string, Map<number, MemoryEntry[]>>()

  /** @param config storePathRootDir may be omitted. @throws StoreError BAD_ARGUMENT on an invalid value. */
  constructor(config: Partial<MessageStoreConfig> = {}) {
    super({ permanence: false, commitLogRead: false }, { ...config, storePathRootDir: config.storePathRootDir ?? '' })
  }

  protected override async _open(): Promise<void> {
    this.#reset()
  }

  protected override async _close(): Promise<void> {
    this.#reset()
  }

  #reset(): void {
    this.#records = new Map()
    this.#maxPhyOffset = 0
    this.#queues = new Map()
  }

  #queue(topic: string, queueId: number): MemoryEntry[] | undefined {
    return this.#queues.get(topic)?.get(queueId)
  }

  #queueForWrite(topic: string, queueId: number): MemoryEntry[] {
    let byId = this.#queues.get(topic)
    if (!byId) this.#queues.set(topic, (byId = new Map()))
    let queue = byId.get(queueId)
    if (!queue) byId.set(queueId, (queue = []))
    return queue
  }

  protected override async _putMessage(put: NormalizedPut): Promise<PutMessageResult> {
    const storeTimestamp = Date.now()
    const transactional = isPreparedOrRollback(put.sysFlag)
    const queue = transactional ? undefined : this.#queueForWrite(put.topic, put.queueId)
    const firstQueueOffset = queue ? queue.length : 0
    const wroteOffset = this.#maxPhyOffset
    const commitLogOffsets: number[] = []
    const events: MessageArrivedEvent[] = []
    put.records.forEach((record, i) => {
      const commitLogOffset = this.#maxPhyOffset
      const queueOffset = queue ? firstQueueOffset + i : 0
      const bytes = encodeMessageRecord(recordAt(record.input, queueOffset, commitLogOffset, storeTimestamp))
      this.#records.set(commitLogOffset, bytes)
      this.#maxPhyOffset += bytes.length
      commitLogOffsets.push(commitLogOffset)
      if (queue) {
        queue.push({ commitLogOffset, size: bytes.length, tagsCode: record.tagsCode, storeTimestamp })
        events.push({ topic: put.topic, queueId: put.queueId, queueOffset, tagsCode: record.tagsCode, storeTimestamp })
      }
    })
    const appendResult: AppendMessageResult = {
      wroteOffset,
      wroteBytes: this.#maxPhyOffset - wroteOffset,
      storeTimestamp,
      queueOffset: firstQueueOffset,
      msgNum: put.records.length,
      commitLogOffsets,
    }
    this._notifyMessageArrived(events)
    return { status: 'PUT_OK', appendResult }
  }

  protected override async _getMessage(query: NormalizedGetMessageQuery): Promise<GetMessageResult> {
    const queue = this.#queue(query.topic, query.queueId) ?? []
    const maxOffset = queue.length
    const outOfRange = outOfRangeResult(query.offset, 0, maxOffset)
    if (outOfRange) return outOfRange
    const from = query.offset
    const entries = { length: Math.min(maxEntriesToScan(query.maxMsgNums), maxOffset - from), at: (i: number) => queue[from + i]! }
    const plan = planBatch(entries, query)
    const records = plan.selected.map((e) => this.#records.get(e.commitLogOffset) ?? null)
    return inRangeResult(query, plan, records, 0, maxOffset)
  }

  protected override _getMaxOffsetInQueue(topic: string, queueId: number): number {
    return this.#queue(topic, queueId)?.length ?? 0
  }

  protected override _getMinOffsetInQueue(): number {
    return 0
  }

  protected override async _getOffsetInQueueByTime(topic: string, queueId: number, timestampMs: number): Promise<number> {
    const queue = this.#queue(topic, queueId) ?? []
    return searchOffsetByTime(0, queue.length - 1, timestampMs, async (i) => queue[i]?.storeTimestamp ?? -1)
  }

  protected override async _getEarliestMessageTime(topic: string, queueId: number): Promise<number> {
    return this.#queue(topic, queueId)?.[0]?.storeTimestamp ?? -1
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

  protected override _getMinPhyOffset(): number {
    return 0
  }
}
