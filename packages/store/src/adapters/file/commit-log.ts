import type { Logger } from '@cometmq/protocol'
import type { ConsumeQueueEntry } from '../../get-message-plan.js'
import type { PutMessageStatus } from '../../types.js'
import { END_FILE_MIN_BLANK_LENGTH, MIN_RECORD_SIZE, STORE_TIMESTAMP_HEADER_BYTES, checkRecordAt, encodeBlank, readStoreTimestamp } from './record-layout.js'
import { SegmentFileQueue } from './segment-file-queue.js'
import type { FsyncFunction } from './segment-file.js'

/** Outcome of one append: where the bytes went, or why nothing was written. */
export type AppendOutcome =
  | { ok: true; wroteOffset: number; wroteBytes: number }
  | { ok: false; status: PutMessageStatus; remark: string }

/** Async reads closer than this (bytes) are merged into one read: a thread-pool round trip costs more than copying the gap. */
const READ_MERGE_GAP = 64 * 1024
/**
 * fs.readSync reads closer than this (bytes) are merged: only adjacent records. Measured (store-bench, 1 KB
 * records over 8 queues): one small pread per record costs less CPU than copying and allocating the gaps.
 */
const READ_MERGE_GAP_SYNC = 0
/** Largest merged read, bytes. */
const READ_MERGE_MAX = 1024 * 1024
/** First read of a record whose size is unknown (lookMessageByOffset), bytes. */
const RECORD_PROBE_BYTES = 4096
/** Capacity of a commit-log write-buffer chunk, bytes: the most that is buffered before a write is forced. */
export const COMMIT_LOG_CHUNK_SIZE = 1024 * 1024

/** How a CommitLog buffers writes and serves reads. */
export interface CommitLogOptions {
  /** Bytes of the newest written commit log kept in memory to serve reads (at least one chunk is kept). */
  cacheBytes: number
  /**
   * Reads of bytes within this many bytes of the end of the log (bytes) use fs.readSync, on the assumption
   * that the OS page cache holds them (RocketMQ accessMessageInMemoryMaxRatio); older bytes are read on the
   * thread pool. 0: never read synchronously.
   */
  hotWindowBytes: number
  /** Called when bytes are buffered and no write is pending (see SegmentFileQueue). */
  onPending?: (files: SegmentFileQueue) => void
}

/**
 * The commit log: every record of every topic, appended to files of `fileSize` bytes named by start offset
 * (protocol doc §4.5). A record never straddles files: when record + 8 bytes does not fit, an 8-byte BLANK
 * filler `[int remaining][int 0xCBD43194]` ends the file and the record starts the next one.
 * Appends are synchronous copies into the write buffer of `files` (one writer: the JS thread); the owner has
 * the buffer written once per event-loop turn. Reads come from memory for buffered and recently written bytes
 * (`cacheBytes`), with fs.readSync within `hotWindowBytes` of the end, else with async positional reads.
 */
export class CommitLog {
  readonly files: SegmentFileQueue
  /** Store time of the newest record appended (ms), for the checkpoint. */
  lastStoreTimestamp = 0
  readonly #hotWindowBytes: number

  constructor(dir: string, readonly fileSize: number, logger: Logger, options: CommitLogOptions = { cacheBytes: 0, hotWindowBytes: 0 }) {
    this.files = new SegmentFileQueue(dir, fileSize, logger, {
      chunkSize: COMMIT_LOG_CHUNK_SIZE,
      retainBytes: Math.max(options.cacheBytes, COMMIT_LOG_CHUNK_SIZE),
      onPending: options.onPending,
    })
    this.#hotWindowBytes = options.hotWindowBytes
  }

  /** One past the last appended byte (a BLANK-ended file counts as full). */
  get maxOffset(): number {
    return this.files.maxOffset
  }

  get minOffset(): number {
    return this.files.minOffset
  }

  /** Commit-log offset from which bytes count as hot (read with fs.readSync); above maxOffset when none are. */
  get hotFrom(): number {
    return this.#hotWindowBytes > 0 ? this.maxOffset - this.#hotWindowBytes : Number.POSITIVE_INFINITY
  }

  /**
   * Appends the bytes produced by `encodeAt(wroteOffset)` (one record or a whole batch) to the write buffer.
   * `encodeAt` may be called twice when the current file is too full (BLANK filler, then the next file).
   * @returns MESSAGE_ILLEGAL when the bytes can never fit a file; CREATE_MAPPED_FILE_FAILED / UNKNOWN_ERROR when a file cannot be created.
   */
  append(encodeAt: (wroteOffset: number) => Buffer): AppendOutcome {
    let segment
    try {
      segment = this.files.segmentForAppend()
    } catch (err) {
      return { ok: false, status: 'CREATE_MAPPED_FILE_FAILED', remark: (err as Error).message }
    }
    let bytes = encodeAt(segment.fileFromOffset + segment.wrotePosition)
    if (bytes.length + END_FILE_MIN_BLANK_LENGTH > this.fileSize) {
      return { ok: false, status: 'MESSAGE_ILLEGAL', remark: `${bytes.length} bytes do not fit a commit-log file of ${this.fileSize} bytes` }
    }
    try {
      if (segment.wrotePosition + bytes.length + END_FILE_MIN_BLANK_LENGTH > this.fileSize) {
        this.files.append(segment, encodeBlank(this.fileSize - segment.wrotePosition))
        segment.markFull()
        try {
          segment = this.files.segmentForAppend()
        } catch (err) {
          return { ok: false, status: 'CREATE_MAPPED_FILE_FAILED', remark: (err as Error).message }
        }
        bytes = encodeAt(segment.fileFromOffset)
      }
      const wroteOffset = segment.fileFromOffset + segment.wrotePosition
      this.files.append(segment, bytes)
      return { ok: true, wroteOffset, wroteBytes: bytes.length }
    } catch (err) {
      return { ok: false, status: 'UNKNOWN_ERROR', remark: (err as Error).message }
    }
  }

  /** Records that a record stored at `storeTimestamp` (ms) starts at `offset` (for retention). */
  noteStored(offset: number, storeTimestamp: number): void {
    const segment = this.files.findSegment(offset)
    if (segment && storeTimestamp > segment.newestStoreTimestamp) segment.newestStoreTimestamp = storeTimestamp
  }

  /**
   * Store time (ms) of the newest record of `segments[index]`, or an upper bound of it; -1 when unknown.
   * Exact for a file appended to or scanned by recovery since open. Otherwise the store time of the first
   * record of the next file: it was appended after every record of this file, so (with a clock that does not
   * step back) it is ≥ their store times. A file's last record cannot be found without scanning the whole file
   * (records are chained by their sizes from the file start), which would cost a 1 GiB read per file; RocketMQ
   * uses the file's mtime instead, which copying or touching the store changes. The bound errs towards keeping
   * a file longer (until the next file's first message expires), never towards deleting it early.
   */
  async newestStoreTimestamp(index: number): Promise<number> {
    const segments = this.files.segments
    const segment = segments[index]
    if (!segment) return -1
    if (segment.newestStoreTimestamp >= 0) return segment.newestStoreTimestamp
    const next = segments[index + 1]
    if (!next) return -1
    return this.pickupStoreTimestamp(next.fileFromOffset, STORE_TIMESTAMP_HEADER_BYTES)
  }

  /** `size` bytes at `offset` (memory, page cache or disk), or null when they are not (all) in the log. */
  async read(offset: number, size: number): Promise<Buffer | null> {
    const segment = this.files.findSegment(offset)
    if (!segment) return null
    const position = offset - segment.fileFromOffset
    if (position + size > segment.wrotePosition) return null
    const bytes = await this.files.read(offset, size, offset >= this.hotFrom)
    return bytes.length === size ? bytes : null
  }

  /**
   * Reads the records of `entries` (ascending commit-log offsets): from memory when buffered or cached (no
   * copy), else from the files, merging nearby records into one read (sync reads merge less).
   * @returns one Buffer (or null when gone) per entry, in order. The Buffers may share memory with the cache: read-only.
   */
  async readRecords(entries: readonly ConsumeQueueEntry[]): Promise<Array<Buffer | null>> {
    const out: Array<Buffer | null> = new Array<Buffer | null>(entries.length).fill(null)
    const hotFrom = this.hotFrom
    const spans: Array<{ start: number; end: number; members: number[] }> = []
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!
      const cached = this.files.cached(entry.commitLogOffset, entry.size)
      if (cached) {
        out[i] = cached
        continue
      }
      const span = spans[spans.length - 1]
      const end = entry.commitLogOffset + entry.size
      const gap = span && span.start >= hotFrom ? READ_MERGE_GAP_SYNC : READ_MERGE_GAP
      const sameFile = span && Math.floor(span.start / this.fileSize) === Math.floor(entry.commitLogOffset / this.fileSize)
      if (span && sameFile && entry.commitLogOffset >= span.end && entry.commitLogOffset - span.end <= gap && end - span.start <= READ_MERGE_MAX) {
        span.end = end
        span.members.push(i)
      } else {
        spans.push({ start: entry.commitLogOffset, end, members: [i] })
      }
    }
    const place = (span: { start: number; members: number[] }, bytes: Buffer | null): void => {
      if (!bytes) return
      for (const i of span.members) {
        const e = entries[i]!
        out[i] = bytes.subarray(e.commitLogOffset - span.start, e.commitLogOffset - span.start + e.size)
      }
    }
    await Promise.all(spans.map(async (span) => place(span, await this.read(span.start, span.end - span.start))))
    return out
  }

  /** The whole record starting at `offset`, or null when no valid record starts there. */
  async readRecord(offset: number): Promise<Buffer | null> {
    const segment = this.files.findSegment(offset)
    if (!segment) return null
    const position = offset - segment.fileFromOffset
    const available = segment.wrotePosition - position
    if (position < 0 || available < MIN_RECORD_SIZE) return null
    const sync = offset >= this.hotFrom
    let bytes = await this.files.read(offset, Math.min(RECORD_PROBE_BYTES, available), sync)
    if (bytes.length < MIN_RECORD_SIZE) return null
    const totalSize = bytes.readInt32BE(0)
    if (totalSize < MIN_RECORD_SIZE || totalSize > available) return null
    if (totalSize > bytes.length) bytes = await this.files.read(offset, totalSize, sync)
    const check = checkRecordAt(bytes, 0, Math.min(totalSize, bytes.length), offset, false)
    return check.kind === 'record' ? bytes.subarray(0, totalSize) : null
  }

  /** STORETIMESTAMP (ms) of the record at `offset` of `size` bytes; -1 when unreadable. Source: CommitLog.pickupStoreTimestamp. */
  async pickupStoreTimestamp(offset: number, size: number): Promise<number> {
    const bytes = await this.read(offset, Math.min(size, STORE_TIMESTAMP_HEADER_BYTES))
    return bytes ? readStoreTimestamp(bytes) : -1
  }

  /** Raw bytes from `offset` up to the end of its file's written part (zeros after a BLANK filler), at most `maxBytes`. */
  async readRaw(offset: number, maxBytes: number): Promise<Buffer> {
    const segment = this.files.findSegment(offset)
    if (!segment) return Buffer.alloc(0)
    const position = offset - segment.fileFromOffset
    const length = Math.max(0, Math.min(maxBytes, segment.wrotePosition - position))
    const bytes = await this.files.read(offset, length, offset >= this.hotFrom)
    if (bytes.length === length) return bytes
    const padded = Buffer.alloc(length)
    bytes.copy(padded)
    return padded
  }

  /**
   * Writes the buffer and fsyncs unflushed files; returns the offset now durable (everything appended before
   * the call) and the store time of the newest durable record.
   */
  async flush(fsync: FsyncFunction): Promise<{ offset: number; storeTimestamp: number; fsyncs: number }> {
    const offset = this.maxOffset
    const storeTimestamp = this.lastStoreTimestamp
    const fsyncs = await this.files.flush(fsync)
    return { offset, storeTimestamp, fsyncs }
  }
}
