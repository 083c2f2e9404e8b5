import type { Logger, MessageExt } from '@cometmq/protocol'
import fs from 'node:fs'
import { DELETE_FILE_BATCH_MAX, MAX_QUERY_MESSAGE_NUM, resolveStoreConfig } from './store-config.js'
import { StoreError } from './store-error.js'
import type {
  GetMessageQuery,
  GetMessageResult,
  MessageArrivedEvent,
  MessageStoreConfig,
  NormalizedGetMessageQuery,
  NormalizedPut,
  PutMessageInput,
  PutMessageResult,
  PutMessagesInput,
  QueryMessageQuery,
  QueryMessageResult,
  ResolvedStoreConfig,
  RetentionReport,
  RetentionRequest,
  StoreSupports,
} from './types.js'
import { checkInt, checkQueueId, checkTopic, normalizeGetQuery, normalizePut, normalizePutBatch } from './validate-input.js'

/** Lifecycle of a store: new → opening → open → closing → closed (→ opening again on reopen). */
export type StoreStatus = 'new' | 'opening' | 'open' | 'closing' | 'closed'

/** Listener of `onMessageArrived`. A throw (or a rejected promise) is logged and ignored. */
export type MessageArrivedListener = (event: MessageArrivedEvent) => void

/**
 * The MessageStore contract (abstract-level style): every public method validates its arguments and the
 * open/closed state, normalises options, then calls a protected `_hook`. Adapters implement only hooks
 * and declare optional features in `supports`; the shared suite `@cometmq/store/conformance` checks them.
 *
 * State errors (StoreError): `STORE_NOT_OPEN` before open() completes, `STORE_CLOSED` once close() starts,
 * `BAD_ARGUMENT` for wrong argument types. Expected outcomes are statuses (PutMessageStatus, GetMessageStatus).
 * close() waits for in-flight async operations before calling `_close()`.
 */
export abstract class MessageStore {
  /** Resolved config with RocketMQ defaults (§9.2). */
  protected readonly config: ResolvedStoreConfig
  /** Child logger `store`. */
  protected readonly logger: Logger
  /** Optional features of this adapter; frozen, never changes. */
  readonly supports: StoreSupports
  #status: StoreStatus = 'new'
  #opening: Promise<void> | null = null
  #closing: Promise<void> | null = null
  readonly #inFlight = new Set<Promise<unknown>>()
  readonly #listeners = new Set<MessageArrivedListener>()
  #retentionTimer: NodeJS.Timeout | null = null
  #retentionRun: Promise<RetentionReport> | null = null
  #diskUsage: number | null = null
  #diskFull = false

  /** @throws StoreError BAD_ARGUMENT on an invalid config value. */
  protected constructor(supports: StoreSupports, config: MessageStoreConfig) {
    this.supports = Object.freeze({ permanence: supports.permanence, commitLogRead: supports.commitLogRead })
    this.config = resolveStoreConfig(config)
    this.logger = this.config.logger
  }

  /** Current lifecycle status. */
  get status(): StoreStatus {
    return this.#status
  }

  /**
   * Opens (and recovers) the store. Idempotent; concurrent calls share one open. Reopening after close() is allowed.
   * @throws StoreError STORE_LOCKED | STORE_CORRUPT (adapter-specific), or the underlying I/O error; the store stays closed.
   */
  async open(): Promise<void> {
    if (this.#status === 'open') return
    if (this.#status === 'opening' && this.#opening) return this.#opening
    if (this.#status === 'closing' && this.#closing) await this.#closing.catch(() => undefined)
    const previous = this.#status
    this.#status = 'opening'
    this.#opening = (async () => {
      try {
        await this._open()
        // measured before the store is open, so no put slips past a full disk and close() never races the timer
        this.#diskFull = false
        await this.#checkDisk().catch((err: unknown) => this.logger.warn('disk usage check failed', { error: String(err) }))
        this.#status = 'open'
        this.#retentionTimer = setInterval(() => void this.#retentionTick(), this.config.cleanResourceInterval)
        this.#retentionTimer.unref()
      } catch (err) {
        this.#status = previous
        throw err
      } finally {
        this.#opening = null
      }
    })()
    return this.#opening
  }

  /** Flushes and closes. Idempotent; a no-op on a never-opened store. Waits for in-flight operations first. */
  async close(): Promise<void> {
    if (this.#status === 'new' || this.#status === 'closed') return
    if (this.#status === 'closing' && this.#closing) return this.#closing
    if (this.#status === 'opening' && this.#opening) await this.#opening.catch(() => undefined)
    if (this.#status !== 'open') return
    this.#status = 'closing'
    if (this.#retentionTimer) clearInterval(this.#retentionTimer)
    this.#retentionTimer = null
    this.#closing = (async () => {
      try {
        await this.#retentionRun?.catch(() => undefined)
        await Promise.allSettled([...this.#inFlight])
        await this._close()
      } finally {
        this.#status = 'closed'
        this.#closing = null
      }
    })()
    return this.#closing
  }

  /**
   * Appends one message. Statuses: PUT_OK; FLUSH_DISK_TIMEOUT (SYNC_FLUSH, stored but fsync late);
   * MESSAGE_ILLEGAL (body > maxMessageSize, topic > 127 bytes, record larger than a commit-log file);
   * PROPERTIES_SIZE_EXCEEDED (properties > 32767 bytes); CREATE_MAPPED_FILE_FAILED / UNKNOWN_ERROR on I/O errors.
   * PREPARED/ROLLBACK transactional records get queueOffset 0 and no ConsumeQueue entry.
   * @throws StoreError STORE_NOT_OPEN | STORE_CLOSED | BAD_ARGUMENT
   */
  async putMessage(input: PutMessageInput): Promise<PutMessageResult> {
    this.#assertOpen()
    const normalized = normalizePut(input, this.config)
    if (!('records' in normalized)) return normalized
    if (this.#diskFull) return this.#diskFullResult()
    return this.#track(this._putMessage(normalized))
  }

  /**
   * Appends a batch to one queue as one append: consecutive queue offsets, contiguous records.
   * Same statuses as putMessage; any illegal message makes the whole batch MESSAGE_ILLEGAL (nothing stored).
   * @throws StoreError STORE_NOT_OPEN | STORE_CLOSED | BAD_ARGUMENT (also for an empty batch)
   */
  async putMessages(input: PutMessagesInput): Promise<PutMessageResult> {
    this.#assertOpen()
    const normalized = normalizePutBatch(input, this.config)
    if (!('records' in normalized)) return normalized
    if (this.#diskFull) return this.#diskFullResult()
    return this.#track(this._putMessage(normalized))
  }

  /**
   * Reads up to `maxMsgNums` raw records from one ConsumeQueue. Statuses and nextBeginOffset per §7.5:
   * FOUND, NO_MATCHED_MESSAGE, NO_MESSAGE_IN_QUEUE (also for an unknown queue), OFFSET_TOO_SMALL,
   * OFFSET_OVERFLOW_ONE, OFFSET_OVERFLOW_BADLY, MESSAGE_WAS_REMOVING, OFFSET_FOUND_NULL.
   * @throws StoreError STORE_NOT_OPEN | STORE_CLOSED | BAD_ARGUMENT
   */
  async getMessage(query: GetMessageQuery): Promise<GetMessageResult> {
    this.#assertOpen()
    return this.#track(this._getMessage(normalizeGetQuery(query)))
  }

  /** Next logical offset to be assigned in the queue (entries ever written); 0 for an unknown queue. */
  getMaxOffsetInQueue(topic: string, queueId: number): number {
    this.#assertOpen()
    return this._getMaxOffsetInQueue(checkTopic(topic), checkQueueId(queueId))
  }

  /** First live logical offset of the queue; 0 for an unknown queue. */
  getMinOffsetInQueue(topic: string, queueId: number): number {
    this.#assertOpen()
    return this._getMinOffsetInQueue(checkTopic(topic), checkQueueId(queueId))
  }

  /**
   * Logical offset whose store time is closest to `timestampMs` (4.9 semantics: exact hit wins, else the
   * closer neighbour; before all → min, after all → last message). 0 for an empty queue.
   */
  async getOffsetInQueueByTime(topic: string, queueId: number, timestampMs: number): Promise<number> {
    this.#assertOpen()
    return this.#track(this._getOffsetInQueueByTime(checkTopic(topic), checkQueueId(queueId), checkInt('timestampMs', timestampMs)))
  }

  /** Store timestamp (ms) of the message at the queue's min offset; -1 when the queue is empty. */
  async getEarliestMessageTime(topic: string, queueId: number): Promise<number> {
    this.#assertOpen()
    return this.#track(this._getEarliestMessageTime(checkTopic(topic), checkQueueId(queueId)))
  }

  /** Decoded record starting at `commitLogOffset`; null when no record starts there. */
  async lookMessageByOffset(commitLogOffset: number): Promise<MessageExt | null> {
    this.#assertOpen()
    return this.#track(this._lookMessageByOffset(checkInt('commitLogOffset', commitLogOffset)))
  }

  /** Raw record bytes starting at `commitLogOffset`; null when no record starts there. */
  async selectOneMessageByOffset(commitLogOffset: number): Promise<Buffer | null> {
    this.#assertOpen()
    return this.#track(this._selectOneMessageByOffset(checkInt('commitLogOffset', commitLogOffset)))
  }

  /** Commit-log offset one past the last written byte (after a BLANK filler: the next file's start). */
  getMaxPhyOffset(): number {
    this.#assertOpen()
    return this._getMaxPhyOffset()
  }

  /** Commit-log offset of the oldest retained byte. */
  getMinPhyOffset(): number {
    this.#assertOpen()
    return this._getMinPhyOffset()
  }

  /**
   * Raw commit-log bytes from `fromOffset`, at most `maxBytes`, never past the end of the file holding
   * `fromOffset` (HA transfer unit). Space after a BLANK filler reads as zeros, as in a pre-allocated file.
   * Empty buffer at the end of the log. Optional: `supports.commitLogRead`.
   * @throws StoreError STORE_NOT_SUPPORTED | STORE_NOT_OPEN | STORE_CLOSED | BAD_ARGUMENT (offset outside [min, max])
   */
  async readCommitLog(fromOffset: number, maxBytes: number): Promise<Buffer> {
    this.#assertOpen()
    if (!this.supports.commitLogRead) {
      throw new StoreError('STORE_NOT_SUPPORTED', `${this.constructor.name} does not implement readCommitLog()`)
    }
    checkInt('fromOffset', fromOffset, this._getMinPhyOffset(), this._getMaxPhyOffset())
    return this.#track(this._readCommitLog(fromOffset, checkInt('maxBytes', maxBytes, 1)))
  }

  /**
   * Messages of `query.topic` carrying `query.key` (a `KEYS` word or the `UNIQ_KEY`) stored within the time
   * window, newest first, at most min(maxNum, 64). Empty when `messageIndexEnable` is false. Works for messages
   * still retained (deleted segments take their index entries with them).
   * @throws StoreError STORE_NOT_OPEN | STORE_CLOSED | BAD_ARGUMENT
   */
  async queryMessage(query: QueryMessageQuery): Promise<QueryMessageResult> {
    this.#assertOpen()
    if (typeof query !== 'object' || query === null) throw new StoreError('BAD_ARGUMENT', 'query must be an object')
    const topic = checkTopic(query.topic)
    if (typeof query.key !== 'string' || query.key.length === 0) throw new StoreError('BAD_ARGUMENT', `key must be a non-empty string, got ${String(query.key)}`)
    const normalized: QueryMessageQuery = {
      topic,
      key: query.key,
      maxNum: Math.min(MAX_QUERY_MESSAGE_NUM, checkInt('maxNum', query.maxNum, 1)),
      beginTimestamp: checkInt('beginTimestamp', query.beginTimestamp),
      endTimestamp: checkInt('endTimestamp', query.endTimestamp),
    }
    if (!this.config.messageIndexEnable) return { messages: [], indexLastUpdateTimestamp: 0, indexLastUpdatePhyoffset: 0 }
    return this.#track(this._queryMessage(normalized))
  }

  /**
   * Runs retention now, whatever the `deleteWhen` hour: deletes commit-log segments (oldest first, never the
   * newest one) whose newest message is older than `fileReservedTime` hours before `now`, or with `force` the
   * oldest segments whether expired or not; queue min offsets, min commit-log offset and index entries advance
   * with them. Then re-measures disk usage (lifting a write refusal when space was freed).
   * `now` (ms, default Date.now()) lets callers evaluate expiry at another time. Runs never overlap.
   * @throws StoreError STORE_NOT_OPEN | STORE_CLOSED | BAD_ARGUMENT
   */
  async deleteExpiredFiles(options: { now?: number; force?: boolean } = {}): Promise<RetentionReport> {
    this.#assertOpen()
    const now = options.now === undefined ? Date.now() : checkInt('now', options.now)
    if (options.force !== undefined && typeof options.force !== 'boolean') throw new StoreError('BAD_ARGUMENT', 'force must be a boolean')
    return this.#track(
      this.#runRetention(async () => {
        const ratio = await this.#checkDisk()
        const force = options.force ?? this.#underPressure(ratio)
        return { expiredBefore: now - this.config.fileReservedTime * 3_600_000, force, maxSegments: Number.MAX_SAFE_INTEGER }
      }),
    )
  }

  /** Disk usage (%) measured by the last check (open, every cleanResourceInterval, deleteExpiredFiles); null without a disk. */
  get diskUsage(): number | null {
    return this.#diskUsage
  }

  /** True while puts are refused because disk usage is above `diskSpaceWarningLevelRatio`. */
  get diskFull(): boolean {
    return this.#diskFull
  }

  /** Directory whose filesystem usage retention watches; null for adapters without files. Default: storePathRootDir. */
  protected _storageDir(): string | null {
    return this.config.storePathRootDir === '' ? null : this.config.storePathRootDir
  }

  #underPressure(ratio: number | null): boolean {
    return ratio !== null && this.config.cleanFileForciblyEnable && ratio >= this.config.diskMaxUsedSpaceRatio
  }

  /** Measures disk usage and sets/lifts the write refusal. */
  async #checkDisk(): Promise<number | null> {
    const dir = this._storageDir()
    let ratio: number | null = null
    if (this.config.diskUsage) ratio = await this.config.diskUsage(dir ?? '')
    else if (dir !== null) {
      // RocketMQ UtilAll.getDiskPartitionSpaceUsedPercent: (total - free) / total with Java File.getFreeSpace (f_bfree)
      const stats = await fs.promises.statfs(dir)
      ratio = stats.blocks > 0 ? ((stats.blocks - stats.bfree) / stats.blocks) * 100 : 0
    }
    this.#diskUsage = ratio
    const full = ratio !== null && ratio >= this.config.diskSpaceWarningLevelRatio
    if (full !== this.#diskFull) {
      if (full) this.logger.error('disk is full: refusing puts', { diskUsage: ratio, diskSpaceWarningLevelRatio: this.config.diskSpaceWarningLevelRatio })
      else this.logger.info('disk space recovered: accepting puts again', { diskUsage: ratio })
    }
    this.#diskFull = full
    return ratio
  }

  #diskFullResult(): PutMessageResult {
    const ratio = this.#diskUsage === null ? '?' : this.#diskUsage.toFixed(1)
    return {
      status: 'SERVICE_NOT_AVAILABLE',
      remark: `the broker's disk is full: usage ${ratio}% is above diskSpaceWarningLevelRatio ${this.config.diskSpaceWarningLevelRatio}%; puts are refused until retention frees space`,
    }
  }

  /** Serialises retention runs: a run waits for the previous one. */
  #runRetention(plan: () => Promise<RetentionRequest | null>): Promise<RetentionReport> {
    const previous = this.#retentionRun ?? Promise.resolve()
    const run = previous
      .catch(() => undefined)
      .then(async () => {
        const request = await plan()
        if (request === null || this.#status !== 'open') return { deletedSegments: 0, deletedBytes: 0, minPhyOffset: this.#status === 'open' ? this._getMinPhyOffset() : 0 }
        const report = await this._deleteExpired(request)
        if (report.deletedSegments > 0) {
          this.logger.info('retention deleted segments', { ...report, force: request.force })
          await this.#checkDisk()
        }
        return report
      })
    this.#retentionRun = run
    const clear = (): void => {
      if (this.#retentionRun === run) this.#retentionRun = null
    }
    run.then(clear, clear)
    return run
  }

  /** Timer tick: disk check, then delete expired segments at a deleteWhen hour, or any old segment under disk pressure. */
  async #retentionTick(): Promise<void> {
    if (this.#status !== 'open' || this.#retentionRun) return
    await this.#runRetention(async () => {
      const ratio = await this.#checkDisk()
      const now = Date.now()
      const pressure = this.#underPressure(ratio)
      if (!pressure && !this.config.deleteWhen.includes(new Date(now).getHours())) return null
      return { expiredBefore: now - this.config.fileReservedTime * 3_600_000, force: pressure, maxSegments: DELETE_FILE_BATCH_MAX }
    }).catch((err: unknown) => this.logger.error('retention run failed', { error: err instanceof Error ? err.message : String(err) }))
  }

  /**
   * Registers a listener called synchronously once per message after it becomes visible to getMessage.
   * Allowed in any state. Returns an unsubscribe function.
   */
  onMessageArrived(listener: MessageArrivedListener): () => void {
    if (typeof listener !== 'function') throw new StoreError('BAD_ARGUMENT', 'listener must be a function')
    this.#listeners.add(listener)
    return () => {
      this.#listeners.delete(listener)
    }
  }

  /** Adapters call this after dispatching messages to their ConsumeQueue. Listener failures are logged only. */
  protected _notifyMessageArrived(events: readonly MessageArrivedEvent[]): void {
    if (this.#listeners.size === 0) return
    for (const event of events) {
      for (const listener of this.#listeners) {
        try {
          const result: unknown = listener(event)
          if (result instanceof Promise) result.catch((err: unknown) => this.#listenerFailed(err))
        } catch (err) {
          this.#listenerFailed(err)
        }
      }
    }
  }

  #listenerFailed(err: unknown): void {
    this.logger.warn('onMessageArrived listener threw', { error: err instanceof Error ? err.message : String(err) })
  }

  #assertOpen(): void {
    const status = this.#status
    if (status === 'open') return
    if (status === 'closing' || status === 'closed') throw new StoreError('STORE_CLOSED', 'message store is closed')
    throw new StoreError('STORE_NOT_OPEN', 'message store is not open')
  }

  #track<T>(promise: Promise<T>): Promise<T> {
    this.#inFlight.add(promise)
    const remove = (): void => {
      this.#inFlight.delete(promise)
    }
    promise.then(remove, remove)
    return promise
  }

  // ---- hooks: arguments arrive validated; adapters override only these ----
  protected abstract _open(): Promise<void>
  protected abstract _close(): Promise<void>
  /** One put (single message or batch) of validated records to one queue. */
  protected abstract _putMessage(put: NormalizedPut): Promise<PutMessageResult>
  protected abstract _getMessage(query: NormalizedGetMessageQuery): Promise<GetMessageResult>
  protected abstract _getMaxOffsetInQueue(topic: string, queueId: number): number
  protected abstract _getMinOffsetInQueue(topic: string, queueId: number): number
  protected abstract _getOffsetInQueueByTime(topic: string, queueId: number, timestampMs: number): Promise<number>
  protected abstract _getEarliestMessageTime(topic: string, queueId: number): Promise<number>
  protected abstract _lookMessageByOffset(commitLogOffset: number): Promise<MessageExt | null>
  protected abstract _selectOneMessageByOffset(commitLogOffset: number): Promise<Buffer | null>
  protected abstract _getMaxPhyOffset(): number
  protected abstract _getMinPhyOffset(): number
  /** Key lookup with `maxNum` already capped at 64; see queryMessage. Must re-check matches exactly (recordMatchesKey). */
  protected abstract _queryMessage(query: QueryMessageQuery): Promise<QueryMessageResult>
  /** One retention run; see RetentionRequest. Must never delete the newest segment. */
  protected abstract _deleteExpired(request: RetentionRequest): Promise<RetentionReport>
  protected async _readCommitLog(_fromOffset: number, _maxBytes: number): Promise<Buffer> {
    throw new StoreError('STORE_NOT_SUPPORTED', `${this.constructor.name} does not implement readCommitLog()`)
  }
}
