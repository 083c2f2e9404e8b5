import type { Logger, MessageExt } from '@cometmq/protocol'
import { resolveStoreConfig } from './store-config.js'
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
  ResolvedStoreConfig,
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
        this.#status = 'open'
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
    this.#closing = (async () => {
      try {
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
  protected async _readCommitLog(_fromOffset: number, _maxBytes: number): Promise<Buffer> {
    throw new StoreError('STORE_NOT_SUPPORTED', `${this.constructor.name} does not implement readCommitLog()`)
  }
}
