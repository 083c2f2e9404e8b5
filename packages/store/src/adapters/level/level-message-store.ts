import { MessageSysFlag, RecordLayout, decodeMessageRecord, encodeMessageRecord } from '@cometmq/protocol'
import type { MessageExt } from '@cometmq/protocol'
import { ClassicLevel } from 'classic-level'
import fs from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { inRangeResult, maxEntriesToScan, outOfRangeResult, planBatch, searchOffsetByTime } from '../../get-message-plan.js'
import { indexKeysOf } from '../../index-keys.js'
import { writeLong } from '../../int64.js'
import { MessageStore } from '../../message-store.js'
import { recordAt } from '../../record-input.js'
import { StoreError } from '../../store-error.js'
import type {
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
import { isPreparedOrRollback } from '../../validate-input.js'
import { GroupCommit } from './group-commit.js'
import type { DeferFunction } from './group-commit.js'
import {
  HEAD_KEY,
  LAYOUT_VERSION,
  commitLogKey,
  consumeQueueKey,
  encodeBlank,
  encodeConsumeQueueUnit,
  encodeIndexValue,
  indexByOffsetKey,
  indexKey,
  indexName,
  isBlank,
  packMeta,
  segmentKey,
} from './level-keys.js'
import { queryIndex, readCommitLogBytes } from './level-reads.js'
import { loadCommittedLog } from './level-recovery.js'
import type { LevelRecoveryReport } from './level-recovery.js'
import { deleteExpiredSegments } from './level-retention.js'
import { findQueue, queueFor, readUnit, readUnits, toStoreError } from './level-state.js'
import type { CommittedLog, LevelBatch, LevelDb, QueueState } from './level-state.js'

/** Name of the LevelDB directory under storePathRootDir. */
export const LEVEL_DIR_NAME = 'level'

/**
 * LevelDB options (classic-level). A 64 MiB memtable (LevelDB default 4 MiB) and 32 MiB table files (default
 * 2 MiB): every put writes four key spaces at once, so each level-0 file overlaps all of level 1 and a small
 * memtable means constant merging. Measured (1 KiB messages, batches of 32): 4 MiB → 25k, 16 MiB → 39k,
 * 64 MiB → 75k messages/s over the first million. Up to two memtables (128 MiB) may be in memory; close()
 * flushes the memtable so reopening replays no log. Snappy compression stays on (cheap; bodies often compress).
 */
const LEVELDB_OPTIONS = { writeBufferSize: 64 * 1024 * 1024, maxFileSize: 32 * 1024 * 1024 } as const

const EMPTY = Buffer.alloc(0)
/** A key range holding no key of any key space (all start with ≥ 0x01). */
const MEMTABLE_FLUSH_RANGE = [Buffer.from([0x00]), Buffer.from([0x00, 0x00])] as const
const END_FILE_MIN_BLANK_LENGTH = RecordLayout.END_FILE_MIN_BLANK_LENGTH

/** Injection points for tests and benchmarks. */
export interface LevelStoreHooks {
  /** Replaces setImmediate for scheduling the once-per-event-loop-turn group commit. */
  defer?: DeferFunction
}

interface PendingPut {
  resolve: (result: PutMessageResult) => void
  result: PutMessageResult & { appendResult: NonNullable<PutMessageResult['appendResult']> }
  events: MessageArrivedEvent[]
  waitsForSync: boolean
  startedAt: number
}

/** Puts of one event-loop turn (or of one in-flight write), written as one LevelDB batch. */
interface PutGroup {
  /** LevelDB chained batch: each put adds its keys right away (far cheaper than an operations array). */
  batch: LevelBatch
  puts: PendingPut[]
  /** Written with `{ sync: true }` (a SYNC_FLUSH put waits on it, or the ASYNC_FLUSH interval elapsed). */
  sync: boolean
  endPhyOffset: number
  lastStoreTimestamp: number
  /** Queue → maxOffset after this group. */
  queueHeads: Map<QueueState, number>
  /** Segment start → newest store time in this group. */
  segments: Map<number, number>
  indexLast: { timestamp: number; phyOffset: number } | null
}

interface OpenState {
  db: LevelDb
  location: string
  log: CommittedLog
  writer: GroupCommit<PutGroup>
  /** Offset the next record gets (≥ log.maxPhyOffset while a batch is being written). */
  nextPhyOffset: number
  /** Store time of the newest assigned record; store times never decrease along the log. */
  assignedStoreTimestamp: number
  /** A committed batch is not yet fsynced (ASYNC_FLUSH). */
  unsynced: boolean
  flushTimer: NodeJS.Timeout
}

/**
 * MessageStore in one LevelDB database (classic-level) at `<storePathRootDir>/level`. Key layout: see
 * `level-keys.ts` and README.md in this folder:
 *
 *   0x01 'H' / 'L'                      commit-log head (max offset, newest store time) / low water (min offset)
 *   0x02 segmentStart                   per-segment newest store time (retention)
 *   0x03 / 0x04 topic·queueId           queue max / min offset
 *   0x10 commitLogOffset                record bytes exactly as the file adapter writes them (or a BLANK filler)
 *   0x20 topic·queueId·queueOffset      28-byte ConsumeQueue unit (commitLogOffset, size, tagsCode, storeTimestamp)
 *   0x30 topic·key·commitLogOffset      index entry → storeTimestamp;  0x31 commitLogOffset·topic·key → (empty)
 *
 * - Commit-log offsets are assigned synchronously on the JS thread; records lie back to back in logical
 *   segments of `mappedFileSizeCommitLog` bytes, and like RocketMQ's CommitLog a record never straddles two:
 *   an 8-byte BLANK filler ends a segment that cannot hold the next put, so readCommitLog() streams the
 *   same bytes, at the same offsets, as the file adapter.
 * - Each put (records + ConsumeQueue units + index entries + metadata) is part of one atomic LevelDB batch;
 *   puts of one event-loop turn share a batch (group commit), one batch in flight at a time. A put resolves,
 *   and becomes visible to reads and onMessageArrived, once its batch is written: LevelDB has appended it
 *   to its log (OS page cache), so a process crash loses nothing acknowledged.
 *   SYNC_FLUSH: a batch holding a put with waitStoreMsgOK is written `{ sync: true }` (fsync); a put whose
 *   batch took longer than syncFlushTimeout answers FLUSH_DISK_TIMEOUT (stored). ASYNC_FLUSH: the next batch
 *   after every `flushIntervalCommitLog` ms is a sync one (an empty one when idle), bounding machine-crash loss.
 * - Memory: a few numbers per queue and per segment; nothing per message. open() reads the metadata keys
 *   and checks them against the last record, rebuilding them from the keys if they disagree
 *   (`level-recovery.ts`); close() flushes LevelDB's memtable so the next open replays no log.
 * - Retention deletes whole logical segments: one atomic batch moves the low-water keys, then the keys below
 *   are removed (`level-retention.ts`); an interrupted run is finished on the next open.
 * - Store times are max(Date.now(), previous store time), so they never decrease along the log; time
 *   searches and queryMessage's window rely on it.
 * - The LevelDB LOCK file locks the store: a second store on the directory fails to open with STORE_LOCKED.
 * `supports`: permanence true, commitLogRead true.
 */
export class LevelMessageStore extends MessageStore {
  #state: OpenState | null = null
  #lastRecovery: LevelRecoveryReport | null = null
  readonly #defer: DeferFunction | undefined

  /** @throws StoreError BAD_ARGUMENT on an invalid config (storePathRootDir must be non-empty). Touches no files. */
  constructor(config: MessageStoreConfig, hooks: LevelStoreHooks = {}) {
    super({ permanence: true, commitLogRead: true }, config)
    if (this.config.storePathRootDir === '') throw new StoreError('BAD_ARGUMENT', 'config.storePathRootDir must not be empty')
    this.#defer = hooks.defer
  }

  /** What the last open() found (null before the first open). */
  get lastRecovery(): LevelRecoveryReport | null {
    return this.#lastRecovery
  }

  #open(): OpenState {
    if (!this.#state) throw new StoreError('STORE_NOT_OPEN', 'message store is not open')
    return this.#state
  }

  /** The LevelDB directory's parent: retention watches this filesystem. */
  protected override _storageDir(): string {
    return this.config.storePathRootDir
  }

  protected override async _open(): Promise<void> {
    const root = this.config.storePathRootDir
    const location = join(root, LEVEL_DIR_NAME)
    await fs.promises.mkdir(root, { recursive: true })
    const db: LevelDb = new ClassicLevel<Buffer, Buffer>(location, { keyEncoding: 'buffer', valueEncoding: 'buffer', ...LEVELDB_OPTIONS })
    try {
      await db.open()
    } catch (err) {
      throw toStoreError(err, location)
    }
    let loaded: Awaited<ReturnType<typeof loadCommittedLog>>
    try {
      loaded = await loadCommittedLog(db, this.config.mappedFileSizeCommitLog, this.logger, this.config.flushDiskType === 'SYNC_FLUSH')
    } catch (err) {
      await db.close().catch(() => undefined)
      throw toStoreError(err, location)
    }
    const log = loaded.log
    const state: OpenState = {
      db,
      location,
      log,
      writer: new GroupCommit<PutGroup>(
        () => this.#newGroup(state),
        (group) => this.#writeGroup(state, group),
        this.#defer,
      ),
      nextPhyOffset: log.maxPhyOffset,
      assignedStoreTimestamp: log.lastStoreTimestamp,
      unsynced: false,
      flushTimer: setInterval(() => {
        // ASYNC_FLUSH: make the next batch (an empty one when idle) an fsync of LevelDB's log
        if (state.unsynced) state.writer.collecting.sync = true
      }, this.config.flushIntervalCommitLog),
    }
    state.flushTimer.unref()
    this.#state = state
    this.#lastRecovery = loaded.report
    this.logger.info('message store opened', { location, minPhyOffset: log.minPhyOffset, maxPhyOffset: log.maxPhyOffset, ...loaded.report })
  }

  protected override async _close(): Promise<void> {
    const state = this.#open()
    clearInterval(state.flushTimer)
    try {
      if (state.unsynced) state.writer.collecting.sync = true
      await state.writer.drain()
      // Flush LevelDB's memtable to a table file (compactRange always does, and an empty key range compacts
      // nothing else), so the next open need not replay up to writeBufferSize bytes of log.
      await state.db.compactRange(MEMTABLE_FLUSH_RANGE[0], MEMTABLE_FLUSH_RANGE[1])
    } finally {
      this.#state = null
      await state.db.close()
      this.logger.info('message store closed', { location: state.location })
    }
  }

  #newGroup(state: OpenState): PutGroup {
    return {
      batch: state.db.batch(),
      puts: [],
      sync: false,
      endPhyOffset: state.nextPhyOffset,
      lastStoreTimestamp: state.assignedStoreTimestamp,
      queueHeads: new Map(),
      segments: new Map(),
      indexLast: null,
    }
  }

  protected override async _putMessage(put: NormalizedPut): Promise<PutMessageResult> {
    const state = this.#open()
    const segmentSize = this.config.mappedFileSizeCommitLog
    const storeTimestamp = Math.max(Date.now(), state.assignedStoreTimestamp)
    const transactional = isPreparedOrRollback(put.sysFlag)
    const existing = transactional ? undefined : findQueue(state.log, put.topic, put.queueId)
    const firstQueueOffset = existing?.nextOffset ?? 0
    const records: Buffer[] = []
    let wroteBytes = 0
    for (let i = 0; i < put.records.length; i++) {
      // PHYSICALOFFSET is patched in below, once the segment is known (BODYCRC does not cover it)
      const bytes = encodeMessageRecord(recordAt(put.records[i]!.input, transactional ? 0 : firstQueueOffset + i, 0, storeTimestamp))
      records.push(bytes)
      wroteBytes += bytes.length
    }
    if (wroteBytes + END_FILE_MIN_BLANK_LENGTH > segmentSize) {
      return { status: 'MESSAGE_ILLEGAL', remark: `${wroteBytes} bytes do not fit a commit-log segment of ${segmentSize} bytes (mappedFileSizeCommitLog)` }
    }
    const queue = transactional ? undefined : (existing ?? queueFor(state.log, put.topic, put.queueId))
    const group = state.writer.collecting
    let wroteOffset = state.nextPhyOffset
    const position = wroteOffset % segmentSize
    if (position + wroteBytes + END_FILE_MIN_BLANK_LENGTH > segmentSize) {
      group.batch.put(commitLogKey(wroteOffset), encodeBlank(segmentSize - position))
      wroteOffset += segmentSize - position
    }
    const indexed = this.config.messageIndexEnable && MessageSysFlag.getTransactionValue(put.sysFlag) !== MessageSysFlag.TRANSACTION_ROLLBACK_TYPE
    const commitLogOffsets: number[] = []
    const events: MessageArrivedEvent[] = []
    let offset = wroteOffset
    for (let i = 0; i < records.length; i++) {
      const bytes = records[i]!
      const record = put.records[i]!
      writeLong(bytes, RecordLayout.PHYSICAL_OFFSET_POSITION, offset)
      group.batch.put(commitLogKey(offset), bytes)
      commitLogOffsets.push(offset)
      if (queue) {
        const queueOffset = firstQueueOffset + i
        const unit = encodeConsumeQueueUnit(offset, bytes.length, record.tagsCode, storeTimestamp)
        group.batch.put(consumeQueueKey(queue.keys.entryPrefix, queueOffset), unit)
        events.push({ topic: put.topic, queueId: put.queueId, queueOffset, tagsCode: record.tagsCode, storeTimestamp })
      }
      if (indexed) {
        // RocketMQ IndexService.buildIndex: every KEYS word and the UNIQ_KEY, per topic; rollbacks are not indexed
        const keys = indexKeysOf(record.input.propertiesString)
        if (keys.length > 0) {
          const value = encodeIndexValue(storeTimestamp)
          for (const key of keys) {
            const name = indexName(put.topic, key)
            group.batch.put(indexKey(name, offset), value)
            group.batch.put(indexByOffsetKey(name, offset), EMPTY)
          }
          group.indexLast = { timestamp: storeTimestamp, phyOffset: offset }
        }
      }
      offset += bytes.length
    }
    state.nextPhyOffset = offset
    state.assignedStoreTimestamp = storeTimestamp
    group.endPhyOffset = offset
    group.lastStoreTimestamp = storeTimestamp
    group.segments.set(wroteOffset - (wroteOffset % segmentSize), storeTimestamp)
    if (queue) {
      queue.nextOffset = firstQueueOffset + records.length
      group.queueHeads.set(queue, queue.nextOffset)
    }
    const waitsForSync = this.config.flushDiskType === 'SYNC_FLUSH' && put.waitStoreMsgOK
    if (waitsForSync) group.sync = true
    const appendResult = { wroteOffset, wroteBytes, storeTimestamp, queueOffset: firstQueueOffset, msgNum: records.length, commitLogOffsets }
    return new Promise((resolve) => {
      group.puts.push({ resolve, result: { status: 'PUT_OK', appendResult }, events, waitsForSync, startedAt: performance.now() })
    })
  }

  /** Writes one group as one batch, then makes it visible and settles its puts. Never rejects. */
  async #writeGroup(state: OpenState, group: PutGroup): Promise<void> {
    const log = state.log
    const indexLast = group.indexLast ?? { timestamp: log.indexLastUpdateTimestamp, phyOffset: log.indexLastUpdatePhyoffset }
    const head = {
      version: LAYOUT_VERSION,
      segmentSize: this.config.mappedFileSizeCommitLog,
      maxPhyOffset: group.endPhyOffset,
      lastStoreTimestamp: group.lastStoreTimestamp,
      indexLastUpdateTimestamp: indexLast.timestamp,
      indexLastUpdatePhyoffset: indexLast.phyOffset,
    }
    const batch = group.batch
    try {
      batch.put(HEAD_KEY, packMeta(head))
      for (const [start, newest] of group.segments) batch.put(segmentKey(start), packMeta({ newestStoreTimestamp: newest }))
      for (const [queue, maxOffset] of group.queueHeads) batch.put(queue.keys.headKey, packMeta({ maxOffset }))
      await batch.write({ sync: group.sync })
    } catch (err) {
      this.#failWrites(state, group, err)
      return
    }
    state.unsynced = !group.sync
    log.maxPhyOffset = group.endPhyOffset
    log.lastStoreTimestamp = group.lastStoreTimestamp
    log.indexLastUpdateTimestamp = indexLast.timestamp
    log.indexLastUpdatePhyoffset = indexLast.phyOffset
    for (const [start, newest] of group.segments) {
      const last = log.segments[log.segments.length - 1]
      if (last?.start === start) last.newestStoreTimestamp = newest
      else log.segments.push({ start, newestStoreTimestamp: newest })
    }
    for (const [queue, maxOffset] of group.queueHeads) queue.maxOffset = maxOffset
    const now = performance.now()
    for (const put of group.puts) {
      this._notifyMessageArrived(put.events)
      if (put.waitsForSync && now - put.startedAt > this.config.syncFlushTimeout) {
        this.logger.warn('sync flush timed out', { commitLogOffset: put.result.appendResult.wroteOffset, timeoutMs: this.config.syncFlushTimeout })
        put.resolve({ status: 'FLUSH_DISK_TIMEOUT', appendResult: put.result.appendResult })
      } else {
        put.resolve(put.result)
      }
    }
  }

  /**
   * A batch failed: neither it nor the group collected on top of it (its offsets follow the failed ones) is
   * stored. Both groups' puts answer UNKNOWN_ERROR and offset assignment restarts from the committed state.
   */
  #failWrites(state: OpenState, group: PutGroup, err: unknown): void {
    const error = toStoreError(err, state.location)
    const message = error instanceof Error ? error.message : String(error)
    this.logger.error('LevelDB batch write failed; its puts were not stored', { error: message, commitLogOffset: state.log.maxPhyOffset })
    const failed = [group]
    const next = state.writer.takeCollecting()
    if (next) {
      failed.push(next)
      void next.batch.close().catch(() => undefined)
    }
    state.nextPhyOffset = state.log.maxPhyOffset
    state.assignedStoreTimestamp = state.log.lastStoreTimestamp
    for (const g of failed) for (const queue of g.queueHeads.keys()) queue.nextOffset = queue.maxOffset
    for (const g of failed) {
      for (const put of g.puts) put.resolve({ status: 'UNKNOWN_ERROR', remark: `LevelDB write failed, nothing of this put was stored: ${message}` })
    }
  }

  protected override async _getMessage(query: NormalizedGetMessageQuery): Promise<GetMessageResult> {
    const { db, log } = this.#open()
    const queue = findQueue(log, query.topic, query.queueId)
    const minOffset = queue?.minOffset ?? 0
    const maxOffset = queue?.maxOffset ?? 0
    const outOfRange = outOfRangeResult(query.offset, minOffset, maxOffset)
    if (outOfRange || !queue) return outOfRange ?? { status: 'NO_MESSAGE_IN_QUEUE', nextBeginOffset: 0, minOffset, maxOffset, messages: [] }
    const scanLimit = Math.min(maxEntriesToScan(query.maxMsgNums), maxOffset - query.offset)
    // Without a filter maxMsgNums units usually suffice; read the whole scan range only when they did not.
    const first = query.tagsCodeFilter ? scanLimit : Math.min(scanLimit, query.maxMsgNums)
    let units = await readUnits(db, queue, query.offset, first)
    if (units.length === 0) {
      // a retention run deleted them meanwhile
      return (
        outOfRangeResult(query.offset, queue.minOffset, queue.maxOffset) ?? {
          status: 'OFFSET_FOUND_NULL',
          nextBeginOffset: queue.minOffset,
          minOffset: queue.minOffset,
          maxOffset: queue.maxOffset,
          messages: [],
        }
      )
    }
    let plan = planBatch(units, query)
    if (first < scanLimit && units.length === first && plan.scanned === first && plan.selected.length < query.maxMsgNums) {
      units = await readUnits(db, queue, query.offset, scanLimit)
      plan = planBatch(units, query)
    }
    const values = plan.selected.length > 0 ? await db.getMany(plan.selected.map((unit) => commitLogKey(unit.commitLogOffset))) : []
    return inRangeResult(query, plan, values.map((value) => value ?? null), minOffset, maxOffset)
  }

  protected override _getMaxOffsetInQueue(topic: string, queueId: number): number {
    return findQueue(this.#open().log, topic, queueId)?.maxOffset ?? 0
  }

  protected override _getMinOffsetInQueue(topic: string, queueId: number): number {
    return findQueue(this.#open().log, topic, queueId)?.minOffset ?? 0
  }

  protected override async _getOffsetInQueueByTime(topic: string, queueId: number, timestampMs: number): Promise<number> {
    const { db, log } = this.#open()
    const queue = findQueue(log, topic, queueId)
    if (!queue) return 0
    return searchOffsetByTime(queue.minOffset, queue.maxOffset - 1, timestampMs, async (i) => (await readUnit(db, queue, i))?.storeTimestamp ?? -1)
  }

  protected override async _getEarliestMessageTime(topic: string, queueId: number): Promise<number> {
    const { db, log } = this.#open()
    const queue = findQueue(log, topic, queueId)
    if (!queue || queue.minOffset >= queue.maxOffset) return -1
    return (await readUnit(db, queue, queue.minOffset))?.storeTimestamp ?? -1
  }

  protected override async _lookMessageByOffset(commitLogOffset: number): Promise<MessageExt | null> {
    const bytes = await this._selectOneMessageByOffset(commitLogOffset)
    return bytes ? decodeMessageRecord(bytes) : null
  }

  protected override async _selectOneMessageByOffset(commitLogOffset: number): Promise<Buffer | null> {
    const { db, log } = this.#open()
    if (commitLogOffset < log.minPhyOffset || commitLogOffset >= log.maxPhyOffset) return null
    const value = await db.get(commitLogKey(commitLogOffset))
    return value === undefined || isBlank(value) ? null : value
  }

  protected override _getMaxPhyOffset(): number {
    return this.#open().log.maxPhyOffset
  }

  protected override _getMinPhyOffset(): number {
    return this.#open().log.minPhyOffset
  }

  protected override async _readCommitLog(fromOffset: number, maxBytes: number): Promise<Buffer> {
    const { db, log } = this.#open()
    return readCommitLogBytes(db, log, this.config.mappedFileSizeCommitLog, fromOffset, maxBytes)
  }

  protected override async _queryMessage(query: QueryMessageQuery): Promise<QueryMessageResult> {
    const { db, log } = this.#open()
    return queryIndex(db, log, query)
  }

  protected override async _deleteExpired(request: RetentionRequest): Promise<RetentionReport> {
    const { db, log } = this.#open()
    return deleteExpiredSegments(db, log, request, this.config.mappedFileSizeCommitLog, this.config.flushDiskType === 'SYNC_FLUSH')
  }
}
