import type { Logger } from '@cometmq/protocol'
import { FILLER_ENTRY_SIZE, isFillerEntry } from '../../get-message-plan.js'
import type { ConsumeQueueEntries, ConsumeQueueEntry } from '../../get-message-plan.js'
import { CQ_STORE_UNIT_SIZE } from '../../store-config.js'
import { SegmentFileQueue } from './segment-file-queue.js'
import type { WriteBufferOptions } from './segment-file-queue.js'
import type { FsyncFunction, SegmentFile } from './segment-file.js'
import { readLong, writeLong } from '../../int64.js'

/** Encodes one 20-byte entry: commitLogOffset int64 · size int32 · tagsCode int64 (big-endian). */
export function encodeEntry(commitLogOffset: number, size: number, tagsCode: number): Buffer {
  const bytes = Buffer.allocUnsafe(CQ_STORE_UNIT_SIZE)
  writeEntry(bytes, 0, commitLogOffset, size, tagsCode)
  return bytes
}

/** Writes one 20-byte entry at `bytes[at...]`. */
function writeEntry(bytes: Buffer, at: number, commitLogOffset: number, size: number, tagsCode: number): void {
  writeLong(bytes, at, commitLogOffset)
  bytes.writeInt32BE(size, at + 8)
  writeLong(bytes, at + 12, tagsCode)
}



/** Decodes the entry at `position` of `bytes`. */
export function decodeEntry(bytes: Buffer, position: number): ConsumeQueueEntry {
  return { commitLogOffset: readLong(bytes, position), size: bytes.readInt32BE(position + 8), tagsCode: readLong(bytes, position + 12) }
}

/** Entries backed by the bytes read from a ConsumeQueue file; each is decoded when asked for. */
class EntryView implements ConsumeQueueEntries {
  readonly length: number
  constructor(private readonly bytes: Buffer) {
    this.length = Math.floor(bytes.length / CQ_STORE_UNIT_SIZE)
  }
  at(index: number): ConsumeQueueEntry {
    return decodeEntry(this.bytes, index * CQ_STORE_UNIT_SIZE)
  }
}

const EMPTY_VIEW = new EntryView(Buffer.alloc(0))

/** RocketMQ ConsumeQueue recovery rule: an entry is real when offset ≥ 0 and size > 0 (zeros end the queue). */
function isValidEntry(entry: ConsumeQueueEntry): boolean {
  return entry.commitLogOffset >= 0 && entry.size > 0
}

/**
 * One ConsumeQueue: `<root>/consumequeue/<topic>/<queueId>/<20-digit start byte offset>` files of 20-byte
 * entries (protocol doc §4.6). Logical offset i is at byte i × 20 of the queue's virtual file space.
 * Entries are appended to the write buffer of `files` (written by the owner once per event-loop turn).
 * Reads use fs.readSync for a file whose entries point into the commit log's hot window (their pages were
 * written or read recently), else async reads.
 */
export class ConsumeQueue {
  readonly files: SegmentFileQueue
  /** Per file: the highest commit-log offset an entry written or read through this object points to. */
  readonly #newestLogOffset = new WeakMap<SegmentFile, number>()
  /** Logical offset of the first entry whose record is still in the commit log (0 until retention runs). */
  #minLogicOffset = 0

  constructor(
    readonly topic: string,
    readonly queueId: number,
    dir: string,
    fileSize: number,
    private readonly logger: Logger,
    buffer?: WriteBufferOptions,
  ) {
    this.files = new SegmentFileQueue(dir, fileSize, logger, buffer)
  }

  /** Next logical offset (entries ever written). */
  get maxOffset(): number {
    return this.files.maxOffset / CQ_STORE_UNIT_SIZE
  }

  /**
   * First live logical offset: the first entry of the first retained file, or later once retention has
   * removed the records of the first entries (RocketMQ ConsumeQueue.minLogicOffset, see `correctMinOffset`).
   */
  get minOffset(): number {
    return Math.min(this.maxOffset, Math.max(this.files.minOffset / CQ_STORE_UNIT_SIZE, this.#minLogicOffset))
  }

  /**
   * Opens the files and finds the true end (RocketMQ ConsumeQueue.recover): a file before the last that is
   * not full ends the queue (later files are deleted); in the last file, a partial entry or the first entry
   * with size ≤ 0 or offset < 0 ends it. Everything after the end is truncated.
   */
  async load(): Promise<void> {
    await this.files.load()
    const segments = this.files.segments
    const shortIndex = segments.findIndex((s, i) => i < segments.length - 1 && s.physicalSize !== s.fileSize)
    if (shortIndex >= 0) {
      const short = segments[shortIndex]!
      this.files.truncateTo(short.fileFromOffset + short.fileSize)
      short.wrotePosition = short.physicalSize
    }
    const last = this.files.last
    if (!last) return
    const bytes = await last.read(0, last.physicalSize)
    let end = 0
    while (end + CQ_STORE_UNIT_SIZE <= bytes.length && isValidEntry(decodeEntry(bytes, end))) end += CQ_STORE_UNIT_SIZE
    if (end > 0) {
      const lastEntry = decodeEntry(bytes, end - CQ_STORE_UNIT_SIZE)
      if (!isFillerEntry(lastEntry)) this.#newestLogOffset.set(last, lastEntry.commitLogOffset)
    }
    if (end !== last.physicalSize || last.wrotePosition !== end) {
      this.logger.warn('consume queue end recovered', { topic: this.topic, queueId: this.queueId, queueOffset: (last.fileFromOffset + end) / CQ_STORE_UNIT_SIZE })
      this.files.truncateTo(last.fileFromOffset + end)
      if (end === 0 && this.files.last === last) last.wrotePosition = 0
    }
  }

  /**
   * Drops trailing entries whose record is not wholly below `commitLogEnd` (and fillers before them).
   * Source: RocketMQ ConsumeQueue.truncateDirtyLogicFiles. Returns the number of entries dropped.
   */
  async truncateBeyond(commitLogEnd: number): Promise<number> {
    let end = this.maxOffset
    const min = this.minOffset
    while (end > min) {
      const entry = await this.readEntry(end - 1)
      if (entry && !isFillerEntry(entry) && entry.commitLogOffset + entry.size <= commitLogEnd) break
      end--
    }
    const dropped = this.maxOffset - end
    if (dropped > 0) {
      this.logger.warn('consume queue entries beyond the commit log dropped', { topic: this.topic, queueId: this.queueId, dropped })
      this.files.truncateTo(end * CQ_STORE_UNIT_SIZE)
    }
    return dropped
  }

  /**
   * Writes the entry of logical offset `queueOffset`. An offset below maxOffset is a duplicate and ignored
   * (returns false); a gap above it is padded with filler entries `(0, Integer.MAX_VALUE, 0)` first.
   * Appends to the write buffer; throws only when a new file cannot be created.
   */
  putEntry(queueOffset: number, commitLogOffset: number, size: number, tagsCode: number): boolean {
    if (queueOffset < this.maxOffset) return false
    if (queueOffset > this.maxOffset) {
      this.logger.warn('consume queue gap padded with filler entries', { topic: this.topic, queueId: this.queueId, queueOffset, from: this.maxOffset })
      while (this.maxOffset < queueOffset) {
        this.files.appendWith(this.files.segmentForAppend(), CQ_STORE_UNIT_SIZE, (bytes, at) => writeEntry(bytes, at, 0, FILLER_ENTRY_SIZE, 0))
      }
    }
    const segment = this.files.segmentForAppend()
    this.files.appendWith(segment, CQ_STORE_UNIT_SIZE, (bytes, at) => writeEntry(bytes, at, commitLogOffset, size, tagsCode))
    this.#newestLogOffset.set(segment, commitLogOffset)
    return true
  }

  /**
   * Up to `maxCount` entries from `queueOffset`, never past the end of the file holding it. Empty when the
   * file is gone. The file is read with fs.readSync when its entries are known to point at or after
   * commit-log offset `hotFrom` (default: never), else on the thread pool.
   */
  async readEntries(queueOffset: number, maxCount: number, hotFrom = Number.POSITIVE_INFINITY): Promise<ConsumeQueueEntries> {
    const byteOffset = queueOffset * CQ_STORE_UNIT_SIZE
    const segment = this.files.findSegment(byteOffset)
    if (!segment) return EMPTY_VIEW
    const position = byteOffset - segment.fileFromOffset
    const length = Math.min(maxCount * CQ_STORE_UNIT_SIZE, segment.wrotePosition - position)
    if (length <= 0) return EMPTY_VIEW
    const newest = this.#newestLogOffset.get(segment)
    const view = new EntryView(await this.files.read(byteOffset, length, newest !== undefined && newest >= hotFrom))
    if (view.length > 0) {
      const lastEntry = view.at(view.length - 1)
      if (!isFillerEntry(lastEntry) && lastEntry.commitLogOffset > (newest ?? -1)) this.#newestLogOffset.set(segment, lastEntry.commitLogOffset)
    }
    return view
  }

  /** The entry at `queueOffset`, or undefined. */
  async readEntry(queueOffset: number): Promise<ConsumeQueueEntry | undefined> {
    const view = await this.readEntries(queueOffset, 1)
    return view.length > 0 ? view.at(0) : undefined
  }

  /**
   * Moves `minOffset` to the first entry whose record starts at or after commit-log offset `minPhyOffset`
   * (maxOffset when there is none). Source: RocketMQ ConsumeQueue.correctMinOffset, which scans the first
   * file; this binary-searches the queue instead (entries' commit-log offsets only grow; a filler entry counts
   * as the next real entry), so a store with thousands of queues opens with ~20 small reads per queue.
   */
  async correctMinOffset(minPhyOffset: number): Promise<void> {
    this.setMinOffset(await this.findMinOffset(minPhyOffset))
  }

  /**
   * The min offset `correctMinOffset` would set, without setting it: the first entry at or after the current
   * min whose commit-log offset is ≥ `minPhyOffset` (min offsets only grow, so the search starts there).
   */
  async findMinOffset(minPhyOffset: number): Promise<number> {
    let low = this.minOffset
    let high = this.maxOffset
    while (low < high) {
      const mid = Math.floor((low + high) / 2)
      if ((await this.#realOffsetFrom(mid, high)) >= minPhyOffset) high = mid
      else low = mid + 1
    }
    return low
  }

  /** Sets the first live logical offset (never lowers it). */
  setMinOffset(queueOffset: number): void {
    this.#minLogicOffset = Math.max(this.#minLogicOffset, queueOffset)
  }

  /** Commit-log offset of the first non-filler entry in [queueOffset, end); +Infinity when there is none. */
  async #realOffsetFrom(queueOffset: number, end: number): Promise<number> {
    for (let at = queueOffset; at < end; ) {
      const view = await this.readEntries(at, Math.min(64, end - at))
      if (view.length === 0) return Number.POSITIVE_INFINITY
      for (let i = 0; i < view.length; i++) {
        const entry = view.at(i)
        if (!isFillerEntry(entry)) return entry.commitLogOffset
      }
      at += view.length
    }
    return Number.POSITIVE_INFINITY
  }

  /**
   * Retention: deletes the files before the last whose every entry points below commit-log offset
   * `minPhyOffset` (RocketMQ ConsumeQueue.deleteExpiredFile: the last entry of a file is below it; the last
   * file is always kept, so maxOffset survives), then corrects `minOffset`. The files leave the queue and
   * `minOffset` advances before they are unlinked (after pending reads). Returns the files deleted.
   */
  async deleteExpired(minPhyOffset: number): Promise<number> {
    const segments = this.files.segments
    let count = 0
    while (count < segments.length - 1 && (await this.#lastRealOffset(segments[count]!)) < minPhyOffset) count++
    // the min offset was already advanced (findMinOffset/setMinOffset) before the commit-log files went away
    const removed = this.files.removeHead(count)
    for (const segment of removed) await segment.destroyWhenIdle()
    return removed.length
  }

  /** Commit-log offset of the last non-filler entry of `segment`; -1 when it holds only fillers. */
  async #lastRealOffset(segment: SegmentFile): Promise<number> {
    const end = segment.fileFromOffset + segment.wrotePosition
    const last = await this.files.read(end - CQ_STORE_UNIT_SIZE, CQ_STORE_UNIT_SIZE)
    if (last.length === CQ_STORE_UNIT_SIZE && !isFillerEntry(decodeEntry(last, 0))) return decodeEntry(last, 0).commitLogOffset
    const bytes = await this.files.read(segment.fileFromOffset, segment.wrotePosition)
    for (let at = bytes.length - CQ_STORE_UNIT_SIZE; at >= 0; at -= CQ_STORE_UNIT_SIZE) {
      const entry = decodeEntry(bytes, at)
      if (!isFillerEntry(entry)) return entry.commitLogOffset
    }
    return -1
  }

  /** First logical offset of the file after the one holding `queueOffset`. Source: ConsumeQueue.rollNextFile. */
  rollNextFile(queueOffset: number): number {
    const perFile = this.files.fileSize / CQ_STORE_UNIT_SIZE
    return queueOffset + perFile - (queueOffset % perFile)
  }

  flush(fsync: FsyncFunction): Promise<number> {
    return this.files.flush(fsync)
  }

  close(): void {
    this.files.closeAll()
  }
}
