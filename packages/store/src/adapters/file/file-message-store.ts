import { MessageSysFlag, decodeMessageRecord, encodeMessageRecord } from '@cometmq/protocol'
import type { MessageExt } from '@cometmq/protocol'
import fs from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { inRangeResult, maxEntriesToScan, outOfRangeResult, planBatch, searchOffsetByTime } from '../../get-message-plan.js'
import { indexKeysOf, recordMatchesKey } from '../../index-keys.js'
import { MessageStore } from '../../message-store.js'
import { StoreError } from '../../store-error.js'
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
import { CommitLog } from './commit-log.js'
import { CommitScheduler } from './commit-scheduler.js'
import type { DeferFunction } from './commit-scheduler.js'
import type { ConsumeQueue } from './consume-queue.js'
import { ConsumeQueueTable } from './consume-queue-table.js'
import { GroupCommitService } from './group-commit-service.js'
import { IndexService } from './index-service.js'
import { recoverStore } from './recovery.js'
import type { RecoveryReport } from './recovery.js'
import { fdatasync } from './segment-file.js'
import type { FsyncFunction } from './segment-file.js'
import type { SegmentFileQueue } from './segment-file-queue.js'
import { StoreCheckpoint } from './store-checkpoint.js'
import { ABORT_FILE_NAME, acquireStoreLock } from './store-lock.js'

/** Injection points for tests and instrumentation. */
export interface FileStoreHooks {
  /** Replaces fdatasync(2) for every commit-log, ConsumeQueue, directory and checkpoint sync. */
  fsync?: FsyncFunction
  /** Replaces setImmediate for scheduling the once-per-event-loop-turn write of buffered bytes. */
  defer?: DeferFunction
}

/** ConsumeQueue write-buffer chunk, bytes (200 entries): the most entries buffered per queue before a write is forced. */
const CONSUME_QUEUE_CHUNK_SIZE = 200 * 20

/** Memory the "in memory" ratio applies to, bytes: physical memory, or the cgroup limit when lower. */
function memoryBytes(): number {
  const constrained = process.constrainedMemory?.() ?? 0
  return constrained > 0 ? Math.min(constrained, os.totalmem()) : os.totalmem()
}

interface OpenState {
  commitLog: CommitLog
  queues: ConsumeQueueTable
  /** The key index; null with messageIndexEnable false. */
  index: IndexService | null
  checkpoint: StoreCheckpoint
  flusher: GroupCommitService
  scheduler: CommitScheduler
  releaseLock: () => void
  timers: NodeJS.Timeout[]
  flushedStoreTimestamp: number
  consumeQueueFlush: Promise<void> | null
  /** Commit-log minimum the ConsumeQueue and index files were last cleaned up to (-1: not since open). */
  cleanedMinPhyOffset: number
}

/** Topics become directory names; these would escape `<root>/consumequeue`. */
function isPathSafeTopic(topic: string): boolean {
  return topic !== '.' && topic !== '..' && !/[/\\\0]/.test(topic)
}

/**
 * MessageStore on RocketMQ's file layout (protocol doc §4.5–4.8): `<storePathCommitLog>/<20-digit offset>`
 * commit-log files, `<root>/consumequeue/<topic>/<queueId>/<20-digit byte offset>` ConsumeQueue files,
 * `<root>/checkpoint`, `<root>/abort` (present while open), `<root>/lock` (pid of the owner).
 *
 * - Appends are synchronous copies into in-memory write buffers on the JS thread (one append path, no
 *   interleaving); each put is dispatched to its ConsumeQueue right after the append, then `onMessageArrived`
 *   fires. The buffers (commit log, and each ConsumeQueue) are written with one positional write each per
 *   event-loop turn (`CommitScheduler`), earlier when a 1 MiB commit-log chunk (200 ConsumeQueue entries) fills,
 *   and always before any fsync and on close.
 * - A put resolves once its bytes were written to the files (OS page cache): a process crash (SIGKILL) loses
 *   no acknowledged message under either flush type. ASYNC_FLUSH: the commit log is fsynced every
 *   `flushIntervalCommitLog` ms (a machine crash may lose that much). SYNC_FLUSH: a put with waitStoreMsgOK
 *   resolves after an fsync covering it (group commit), or FLUSH_DISK_TIMEOUT after `syncFlushTimeout` ms.
 *   A failed write answers UNKNOWN_ERROR (the bytes stay buffered and are retried; new puts are refused
 *   while writes keep failing).
 * - Each put is also indexed at put time (unless `messageIndexEnable` is false): IndexFiles under `<root>/index`
 *   (protocol doc §4.7, see `IndexService`), entries written with the other buffers once per turn.
 * - ConsumeQueues, the IndexFiles and the checkpoint are fsynced every `flushIntervalConsumeQueue` ms. Timers are unref'd.
 * - Retention (`deleteExpiredFiles`, the base class timer) deletes whole commit-log files oldest first, then the
 *   ConsumeQueue and IndexFiles that only point below the new minimum; queue min offsets follow
 *   (see `_deleteExpired`).
 * - open() recovers: see `recoverStore`. Reads: buffered and the newest `commitLogCacheSize` bytes of the
 *   commit log come from memory; other bytes within `accessMessageInMemoryMaxRatio` % of memory from the end
 *   are read with fs.readSync (page cache), older ones with async positional reads.
 * `supports`: permanence true, commitLogRead true.
 */
export class FileMessageStore extends MessageStore {
  #state: OpenState | null = null
  #lastRecovery: RecoveryReport | null = null
  readonly #fsync: FsyncFunction
  readonly #defer: DeferFunction | undefined

  /** @throws StoreError BAD_ARGUMENT on an invalid config (storePathRootDir must be non-empty). Touches no files. */
  constructor(config: MessageStoreConfig, hooks: FileStoreHooks = {}) {
    super({ permanence: true, commitLogRead: true }, config)
    if (this.config.storePathRootDir === '') throw new StoreError('BAD_ARGUMENT', 'config.storePathRootDir must not be empty')
    this.#fsync = hooks.fsync ?? fdatasync
    this.#defer = hooks.defer
  }

  /** What the last open() recovered (null before the first open). */
  get lastRecovery(): RecoveryReport | null {
    return this.#lastRecovery
  }

  #open(): OpenState {
    if (!this.#state) throw new StoreError('STORE_NOT_OPEN', 'message store is not open')
    return this.#state
  }

  protected override async _open(): Promise<void> {
    const config = this.config
    const root = config.storePathRootDir
    await fs.promises.mkdir(root, { recursive: true })
    const releaseLock = acquireStoreLock(root)
    const abortPath = join(root, ABORT_FILE_NAME)
    const scheduler = new CommitScheduler(this.logger, this.#defer)
    const onPending = (files: SegmentFileQueue): void => scheduler.add(files)
    const commitLog = new CommitLog(config.storePathCommitLog, config.mappedFileSizeCommitLog, this.logger, {
      cacheBytes: config.commitLogCacheSize,
      hotWindowBytes: Math.floor((memoryBytes() * config.accessMessageInMemoryMaxRatio) / 100),
      onPending,
    })
    const queues = new ConsumeQueueTable(join(root, 'consumequeue'), config.mappedFileSizeConsumeQueue, this.logger, {
      chunkSize: CONSUME_QUEUE_CHUNK_SIZE,
      retainBytes: 0,
      onPending,
    })
    const index = config.messageIndexEnable
      ? new IndexService(join(root, 'index'), { slotNum: config.maxHashSlotNum, indexNum: config.maxIndexNum, logger: this.logger, onPending: (target) => scheduler.add(target) })
      : null
    let checkpoint: StoreCheckpoint | undefined
    try {
      const abnormal = fs.existsSync(abortPath)
      if (abnormal) this.logger.warn('abort file found: the last run did not close cleanly', { root })
      // retention watches the filesystem of the commit log (_storageDir), which must exist before the first put
      await fs.promises.mkdir(config.storePathCommitLog, { recursive: true })
      checkpoint = await StoreCheckpoint.open(join(root, 'checkpoint'))
      await commitLog.files.load()
      await queues.load()
      const previous = { ...checkpoint.data }
      const report = await recoverStore(commitLog, queues, previous, config.computeTagsCode, this.logger, abnormal, index)
      await commitLog.files.flush(this.#fsync)
      await queues.flush(this.#fsync)
      const indexed = index ? await index.flush(this.#fsync) : false
      const end = report.commitLogEnd
      const timestamp = commitLog.lastStoreTimestamp
      await checkpoint.write(
        {
          physicMsgTimestamp: timestamp,
          logicsMsgTimestamp: timestamp,
          // with the index disabled, the old values say where re-indexing starts once it is enabled again
          indexMsgTimestamp: indexed ? timestamp : previous.indexMsgTimestamp,
          commitLogFlushedOffset: end,
          consumeQueueSafeOffset: end,
          indexSafeOffset: indexed ? end : Math.min(previous.indexSafeOffset, end),
        },
        this.#fsync,
      )
      await fs.promises.writeFile(abortPath, '')
      this.#lastRecovery = report
    } catch (err) {
      scheduler.stop()
      checkpoint?.close()
      commitLog.files.closeAll()
      queues.closeAll()
      index?.closeAll()
      releaseLock()
      throw err
    }
    const state: OpenState = {
      commitLog,
      queues,
      index,
      checkpoint,
      scheduler,
      releaseLock,
      timers: [],
      flushedStoreTimestamp: commitLog.lastStoreTimestamp,
      consumeQueueFlush: null,
      cleanedMinPhyOffset: -1,
      flusher: new GroupCommitService(
        async () => {
          const result = await commitLog.flush(this.#fsync)
          state.flushedStoreTimestamp = result.storeTimestamp
          return result.offset
        },
        commitLog.maxOffset,
        this.logger,
      ),
    }
    state.timers.push(
      setInterval(() => state.flusher.wakeup(), config.flushIntervalCommitLog),
      setInterval(() => void this.#flushConsumeQueues(state), config.flushIntervalConsumeQueue),
    )
    for (const timer of state.timers) timer.unref()
    this.#state = state
    this.logger.info('message store opened', { root, commitLogOffset: commitLog.maxOffset, ...this.#lastRecovery })
  }

  /**
   * Writes every buffer (commit log first, so no ConsumeQueue or index entry reaches the disk before its record),
   * fsyncs every ConsumeQueue and the IndexFiles (IndexService.flush, whose synchronous part runs here, at the
   * moment `safeOffset` is taken), then records in the checkpoint how far they (and the commit log) are durable.
   */
  #flushConsumeQueues(state: OpenState): Promise<void> {
    if (state.consumeQueueFlush) return state.consumeQueueFlush
    state.scheduler.run()
    const safeOffset = state.commitLog.maxOffset // every record below it is dispatched and indexed (both synchronous)
    const logicsMsgTimestamp = state.commitLog.lastStoreTimestamp
    const indexFlush = state.index
      ? state.index.flush(this.#fsync).catch((err: unknown) => {
          this.logger.error('index flush failed', { error: (err as Error).message })
          return false
        })
      : Promise.resolve(false)
    state.consumeQueueFlush = (async () => {
      try {
        await state.queues.flush(this.#fsync)
        const indexed = await indexFlush
        const previous = state.checkpoint.data
        const indexSafeOffset = indexed ? safeOffset : previous.indexSafeOffset
        if (
          previous.consumeQueueSafeOffset === safeOffset &&
          previous.commitLogFlushedOffset === state.flusher.flushedOffset &&
          previous.indexSafeOffset === indexSafeOffset
        ) {
          return
        }
        await state.checkpoint.write(
          {
            physicMsgTimestamp: state.flushedStoreTimestamp,
            logicsMsgTimestamp,
            indexMsgTimestamp: indexed ? logicsMsgTimestamp : previous.indexMsgTimestamp,
            commitLogFlushedOffset: state.flusher.flushedOffset,
            consumeQueueSafeOffset: safeOffset,
            indexSafeOffset,
          },
          this.#fsync,
        )
      } catch (err) {
        this.logger.error('consume queue flush failed', { error: (err as Error).message })
      } finally {
        state.consumeQueueFlush = null
      }
    })()
    return state.consumeQueueFlush
  }

  protected override async _close(): Promise<void> {
    const state = this.#open()
    for (const timer of state.timers) clearInterval(timer)
    try {
      await state.flusher.flushUntil(state.commitLog.maxOffset)
      state.flusher.stop()
      await state.consumeQueueFlush
      await this.#flushConsumeQueues(state)
    } finally {
      state.scheduler.stop()
      state.checkpoint.close()
      state.commitLog.files.closeAll()
      state.queues.closeAll()
      state.index?.closeAll()
      this.#state = null
      await fs.promises.rm(join(this.config.storePathRootDir, ABORT_FILE_NAME), { force: true })
      state.releaseLock()
      this.logger.info('message store closed', { root: this.config.storePathRootDir })
    }
  }

  protected override async _putMessage(put: NormalizedPut): Promise<PutMessageResult> {
    const state = this.#open()
    if (!isPathSafeTopic(put.topic)) return { status: 'MESSAGE_ILLEGAL', remark: `topic ${JSON.stringify(put.topic)} is not a valid directory name` }
    if (state.scheduler.failing && !state.scheduler.run()) {
      return { status: 'UNKNOWN_ERROR', remark: 'the store cannot write its files (see the store log); nothing was stored' }
    }
    const storeTimestamp = Date.now()
    const queue = isPreparedOrRollback(put.sysFlag) ? undefined : state.queues.getOrCreate(put.topic, put.queueId)
    const firstQueueOffset = queue ? queue.maxOffset : 0
    const sizes: number[] = []
    const outcome = state.commitLog.append((wroteOffset) => {
      sizes.length = 0
      let commitLogOffset = wroteOffset
      const parts = put.records.map((record, i) => {
        const queueOffset = queue ? firstQueueOffset + i : 0
        const bytes = encodeMessageRecord(recordAt(record.input, queueOffset, commitLogOffset, storeTimestamp))
        sizes.push(bytes.length)
        commitLogOffset += bytes.length
        return bytes
      })
      return parts.length === 1 ? parts[0]! : Buffer.concat(parts)
    })
    if (!outcome.ok) return { status: outcome.status, remark: outcome.remark }
    state.commitLog.lastStoreTimestamp = storeTimestamp
    state.commitLog.noteStored(outcome.wroteOffset, storeTimestamp)
    const commitLogOffsets: number[] = []
    sizes.reduce((offset, size) => (commitLogOffsets.push(offset), offset + size), outcome.wroteOffset)
    const appendResult: AppendMessageResult = {
      wroteOffset: outcome.wroteOffset,
      wroteBytes: outcome.wroteBytes,
      storeTimestamp,
      queueOffset: firstQueueOffset,
      msgNum: put.records.length,
      commitLogOffsets,
    }
    const events: MessageArrivedEvent[] = []
    let dispatchError: Error | null = null
    if (queue) {
      try {
        put.records.forEach((record, i) => {
          const queueOffset = firstQueueOffset + i
          queue.putEntry(queueOffset, commitLogOffsets[i]!, sizes[i]!, record.tagsCode)
          events.push({ topic: put.topic, queueId: put.queueId, queueOffset, tagsCode: record.tagsCode, storeTimestamp })
        })
      } catch (err) {
        dispatchError = err as Error
      }
    }
    // Index right after the ConsumeQueue dispatch (ROLLBACK records are not indexed; PREPARED ones are).
    const index = state.index
    if (index && MessageSysFlag.getTransactionValue(put.sysFlag) !== MessageSysFlag.TRANSACTION_ROLLBACK_TYPE) {
      for (let i = 0; i < put.records.length; i++) {
        const keys = indexKeysOf(put.records[i]!.input.propertiesString)
        if (keys.length > 0) index.put(put.topic, keys, commitLogOffsets[i]!, storeTimestamp)
      }
    }
    if (dispatchError) {
      this.logger.error('consume queue write failed', { topic: put.topic, queueId: put.queueId, error: dispatchError.message })
      return { status: 'UNKNOWN_ERROR', appendResult, remark: `consume queue write failed: ${dispatchError.message}` }
    }
    if (events.length > 0) this._notifyMessageArrived(events)
    if (this.config.flushDiskType === 'SYNC_FLUSH' && put.waitStoreMsgOK) {
      // the flush writes the buffer before its fsync
      if (!(await state.flusher.waitForFlush(outcome.wroteOffset + outcome.wroteBytes, this.config.syncFlushTimeout))) {
        this.logger.warn('sync flush timed out', { commitLogOffset: outcome.wroteOffset, timeoutMs: this.config.syncFlushTimeout })
        return { status: 'FLUSH_DISK_TIMEOUT', appendResult }
      }
      return { status: 'PUT_OK', appendResult }
    }
    if (this.config.flushDiskType === 'SYNC_FLUSH') state.flusher.wakeup()
    if (!(await state.scheduler.written())) {
      return { status: 'UNKNOWN_ERROR', appendResult, remark: 'stored in memory, but writing the store files failed (retried later; see the store log)' }
    }
    return { status: 'PUT_OK', appendResult }
  }

  protected override async _getMessage(query: NormalizedGetMessageQuery): Promise<GetMessageResult> {
    const state = this.#open()
    const queue = state.queues.get(query.topic, query.queueId)
    const minOffset = queue?.minOffset ?? 0
    const maxOffset = queue?.maxOffset ?? 0
    const outOfRange = outOfRangeResult(query.offset, minOffset, maxOffset)
    if (outOfRange || !queue) return outOfRange ?? { status: 'NO_MESSAGE_IN_QUEUE', nextBeginOffset: 0, minOffset, maxOffset, messages: [] }
    const hotFrom = state.commitLog.hotFrom
    const scanLimit = Math.min(maxEntriesToScan(query.maxMsgNums), maxOffset - query.offset)
    // Without a filter maxMsgNums entries usually suffice (a filler entry or the byte cap may need more):
    // read those first and the whole scan range only when the plan used them all without filling up.
    const first = query.tagsCodeFilter ? scanLimit : Math.min(scanLimit, query.maxMsgNums)
    let entries = await queue.readEntries(query.offset, first, hotFrom)
    if (entries.length === 0) {
      return { status: 'OFFSET_FOUND_NULL', nextBeginOffset: queue.rollNextFile(query.offset), minOffset, maxOffset, messages: [] }
    }
    let plan = planBatch(entries, query)
    if (first < scanLimit && entries.length === first && plan.scanned === first && plan.selected.length < query.maxMsgNums) {
      entries = await queue.readEntries(query.offset, scanLimit, hotFrom)
      plan = planBatch(entries, query)
    }
    const records = await state.commitLog.readRecords(plan.selected)
    return inRangeResult(query, plan, records, minOffset, maxOffset)
  }

  protected override _getMaxOffsetInQueue(topic: string, queueId: number): number {
    return this.#open().queues.get(topic, queueId)?.maxOffset ?? 0
  }

  protected override _getMinOffsetInQueue(topic: string, queueId: number): number {
    return this.#open().queues.get(topic, queueId)?.minOffset ?? 0
  }

  async #storeTimeAt(topic: string, queueId: number, queueOffset: number): Promise<number> {
    const state = this.#open()
    const entry = await state.queues.get(topic, queueId)?.readEntry(queueOffset)
    return entry ? state.commitLog.pickupStoreTimestamp(entry.commitLogOffset, entry.size) : -1
  }

  protected override async _getOffsetInQueueByTime(topic: string, queueId: number, timestampMs: number): Promise<number> {
    const queue = this.#open().queues.get(topic, queueId)
    if (!queue) return 0
    return searchOffsetByTime(queue.minOffset, queue.maxOffset - 1, timestampMs, (i) => this.#storeTimeAt(topic, queueId, i))
  }

  protected override async _getEarliestMessageTime(topic: string, queueId: number): Promise<number> {
    const queue = this.#open().queues.get(topic, queueId)
    if (!queue || queue.maxOffset <= queue.minOffset) return -1
    return this.#storeTimeAt(topic, queueId, queue.minOffset)
  }

  protected override async _lookMessageByOffset(commitLogOffset: number): Promise<MessageExt | null> {
    const bytes = await this.#open().commitLog.readRecord(commitLogOffset)
    return bytes ? decodeMessageRecord(bytes) : null
  }

  protected override async _selectOneMessageByOffset(commitLogOffset: number): Promise<Buffer | null> {
    return this.#open().commitLog.readRecord(commitLogOffset)
  }

  protected override _getMaxPhyOffset(): number {
    return this.#open().commitLog.maxOffset
  }

  protected override _getMinPhyOffset(): number {
    return this.#open().commitLog.minOffset
  }

  protected override async _readCommitLog(fromOffset: number, maxBytes: number): Promise<Buffer> {
    return this.#open().commitLog.readRaw(fromOffset, maxBytes)
  }

  /**
   * Key lookup through the IndexFiles (IndexService.query); every hit's record is read from the commit log and
   * kept only when `recordMatchesKey` confirms it (hash collisions, records deleted by retention or cut by
   * recovery drop out). indexLastUpdate* describe the newest indexed message.
   */
  protected override async _queryMessage(query: QueryMessageQuery): Promise<QueryMessageResult> {
    const state = this.#open()
    const index = state.index
    if (!index) return { messages: [], indexLastUpdateTimestamp: 0, indexLastUpdatePhyoffset: 0 }
    const { topic, key, beginTimestamp, endTimestamp } = query
    const messages = await index.query(topic, key, query.maxNum, beginTimestamp, endTimestamp, async (phyOffset) => {
      const record = await state.commitLog.readRecord(phyOffset)
      return record && recordMatchesKey(record, topic, key, beginTimestamp, endTimestamp) ? record : null
    })
    const last = index.lastUpdate
    return { messages, indexLastUpdateTimestamp: last.timestamp, indexLastUpdatePhyoffset: last.phyOffset }
  }

  /**
   * One retention run (RocketMQ DefaultMessageStore.CleanCommitLogService + CleanConsumeQueueService):
   * 1. picks the oldest commit-log files, never the newest, at most `maxSegments`: while the file's newest store
   *    time is before `expiredBefore` (CommitLog.newestStoreTimestamp: exact for files written or rescanned since
   *    open, else bounded by the next file's first record; RocketMQ uses the file's mtime), or any with `force`;
   * 2. takes them out of the commit log at once: from here on getMinPhyOffset, reads, readCommitLog and
   *    lookMessageByOffset see the new minimum; moves every queue's minOffset to its first entry at or above
   *    it (getMessage below it: OFFSET_TOO_SMALL; RocketMQ ConsumeQueue.correctMinOffset);
   * 3. only then unlinks the files, oldest first, each once its pending reads are done: a crash leaves a
   *    contiguous run of files, and open() derives every min offset again from the files left, so nothing else
   *    needs persisting first;
   * 4. per ConsumeQueue, deletes the files whose entries all point below the new minimum (never the last);
   * 5. deletes IndexFiles (never the newest) whose newest entry points below the new minimum.
   * deletedBytes counts whole file spans (a BLANK-ended file is physically shorter).
   */
  protected override async _deleteExpired(request: RetentionRequest): Promise<RetentionReport> {
    const state = this.#open()
    const commitLog = state.commitLog
    const before = commitLog.minOffset
    const limit = Math.min(request.maxSegments, commitLog.files.segments.length - 1)
    let count = 0
    while (count < limit) {
      if (!request.force) {
        const newest = await commitLog.newestStoreTimestamp(count)
        if (newest < 0 || newest >= request.expiredBefore) break
      }
      count++
    }
    if (count === 0) {
      // nothing new to delete, but a crash (or a failure) after an earlier run's unlinks may have left
      // ConsumeQueue/index files below the minimum: clean them up, as RocketMQ's CleanConsumeQueueService does
      if (state.cleanedMinPhyOffset < before && before > 0) await this.#cleanBelow(state, [...state.queues.all()], before)
      return { deletedSegments: 0, deletedBytes: 0, minPhyOffset: before }
    }
    // Every queue's new min offset is found while the records are still readable, then the files leave the commit
    // log and all min offsets move in the same synchronous step: no reader sees a min pointing at a deleted record.
    const newMinPhyOffset = commitLog.files.segments[count]!.fileFromOffset
    const queues = [...state.queues.all()]
    const newMins: number[] = []
    for (const queue of queues) newMins.push(await queue.findMinOffset(newMinPhyOffset))
    const removed = commitLog.files.removeHead(count)
    const minPhyOffset = commitLog.minOffset
    queues.forEach((queue, i) => queue.setMinOffset(newMins[i]!))
    for (const segment of removed) await segment.destroyWhenIdle()
    this.logger.info('commit log files deleted', { files: removed.length, minPhyOffset, force: request.force })
    await this.#cleanBelow(state, queues, minPhyOffset)
    return { deletedSegments: removed.length, deletedBytes: minPhyOffset - before, minPhyOffset }
  }

  /** Deletes ConsumeQueue files and IndexFiles that only point below `minPhyOffset` (steps 4 and 5). */
  async #cleanBelow(state: OpenState, queues: readonly ConsumeQueue[], minPhyOffset: number): Promise<void> {
    for (const queue of queues) await queue.deleteExpired(minPhyOffset)
    if (state.index) await state.index.deleteBefore(minPhyOffset)
    state.cleanedMinPhyOffset = minPhyOffset
  }

  /** Retention watches the filesystem holding the commit log (RocketMQ: storePathCommitLog). */
  protected override _storageDir(): string {
    return this.config.storePathCommitLog
  }
}
