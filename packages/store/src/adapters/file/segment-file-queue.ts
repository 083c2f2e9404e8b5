import type { Logger } from '@cometmq/protocol'
import fs from 'node:fs'
import { join } from 'node:path'
import { StoreError } from '../../store-error.js'
import { SEGMENT_FILE_NAME, SegmentFile } from './segment-file.js'
import type { FsyncFunction } from './segment-file.js'

/**
 * A run of appended bytes of one file, in memory: queue offsets [start, start + length). Bytes are only ever
 * added after `length`, never changed, so subarrays handed to readers stay valid (and are never reused).
 */
interface Chunk {
  readonly segment: SegmentFile
  /** Queue offset of `bytes[0]` (= segment.fileFromOffset + position in the file). */
  readonly start: number
  /** Capacity; allocated once, never recycled. */
  readonly bytes: Buffer
  /** Bytes appended. */
  length: number
  /** Bytes of [0, length) written to the file. */
  committed: number
  /** No more appends (the file was cut inside this chunk, or the next bytes go elsewhere). */
  sealed: boolean
}

/** How a SegmentFileQueue buffers appends. */
export interface WriteBufferOptions {
  /** Capacity of a new chunk in bytes (larger when one append needs more; smaller when the file has less room left). */
  chunkSize: number
  /**
   * Bytes of chunk capacity kept in memory once written, to serve reads of recent data (0: a chunk is
   * released as soon as it is written). Unwritten bytes are always kept, whatever the budget.
   */
  retainBytes: number
  /** Called when bytes are appended and no write is pending yet: the owner arranges a `commit()` soon. */
  onPending?: (queue: SegmentFileQueue) => void
}

/** Default: 4 KiB chunks, nothing kept once written, no owner notified (bytes are written by commit, flush or closeAll). */
const DEFAULT_BUFFER: WriteBufferOptions = { chunkSize: 4096, retainBytes: 0 }

/**
 * The ordered files of one log in one directory (RocketMQ MappedFileQueue): file k covers byte offsets
 * [first + k × fileSize, first + (k + 1) × fileSize). Appends go to the last file; a full file is followed
 * by a new one named after its start offset. The directory is created on the first append and fsynced
 * with the next flush after a file is created.
 *
 * Write buffer: `append()` copies bytes into in-memory chunks (RocketMQ's transient write buffer); `commit()`
 * writes what is pending with one positional write per chunk. The owner calls commit() once per event-loop
 * turn (see `onPending`); append() commits by itself when it starts a new chunk, so at most about one chunk
 * is ever pending; `flush()` and `closeAll()` commit before they fsync/close. Reads see buffered bytes:
 * `read()` serves them from memory and only the rest from the file. Written chunks are kept up to
 * `retainBytes` as a cache of the newest bytes (oldest dropped first).
 */
export class SegmentFileQueue {
  readonly segments: SegmentFile[] = []
  #dirReady = false
  #dirDirty = false
  readonly #buffer: WriteBufferOptions
  /** In-memory chunks, ordered by start; the unwritten ones are always a suffix. */
  #chunks: Chunk[] = []
  /** Sum of the chunks' capacities, bytes. */
  #chunkBytes = 0
  /** True from the first append after a commit until the next successful commit. */
  #pending = false

  constructor(
    readonly dir: string,
    readonly fileSize: number,
    private readonly logger: Logger,
    buffer: WriteBufferOptions = DEFAULT_BUFFER,
  ) {
    this.#buffer = buffer
  }

  /**
   * Opens every `<20-digit>` file of the directory (missing directory = empty log). Files before the last
   * get `wrotePosition = fileSize` (full); the last keeps its physical size until recovery says otherwise.
   * @throws StoreError STORE_CORRUPT when names are not consecutive multiples of fileSize, or a file is too big.
   */
  async load(): Promise<void> {
    let names: string[]
    try {
      names = (await fs.promises.readdir(this.dir)).filter((n) => SEGMENT_FILE_NAME.test(n))
      this.#dirReady = true
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
      throw err
    }
    names.sort()
    for (const name of names) {
      const from = Number(name)
      const expected = this.segments.length === 0 ? from : this.segments[0]!.fileFromOffset + this.segments.length * this.fileSize
      if (from % this.fileSize !== 0 || from !== expected) {
        this.closeAll()
        throw new StoreError('STORE_CORRUPT', `${join(this.dir, name)}: expected a file starting at ${expected} (file size ${this.fileSize})`)
      }
      const segment = await SegmentFile.open(join(this.dir, name), from, this.fileSize)
      this.segments.push(segment)
      if (segment.physicalSize > this.fileSize) {
        this.closeAll()
        throw new StoreError('STORE_CORRUPT', `${segment.path} is ${segment.physicalSize} bytes, larger than the configured file size ${this.fileSize}`)
      }
    }
    for (let i = 0; i < this.segments.length - 1; i++) {
      const s = this.segments[i]!
      s.wrotePosition = s.flushedPosition = this.fileSize
    }
  }

  get first(): SegmentFile | undefined {
    return this.segments[0]
  }

  get last(): SegmentFile | undefined {
    return this.segments[this.segments.length - 1]
  }

  /** Offset of the first retained byte; 0 when empty. */
  get minOffset(): number {
    return this.first?.fileFromOffset ?? 0
  }

  /** Offset one past the last appended byte (written or buffered); 0 when empty. */
  get maxOffset(): number {
    const last = this.last
    return last ? last.fileFromOffset + last.wrotePosition : 0
  }

  /** The file covering `offset`, if retained. */
  findSegment(offset: number): SegmentFile | undefined {
    const first = this.first
    if (!first || offset < first.fileFromOffset) return undefined
    return this.segments[Math.floor((offset - first.fileFromOffset) / this.fileSize)]
  }

  /** Index in `segments` of the file covering `offset`, clamped to the existing files (-1 when empty). */
  indexOf(offset: number): number {
    const first = this.first
    if (!first) return -1
    const i = Math.floor((offset - first.fileFromOffset) / this.fileSize)
    return Math.max(0, Math.min(this.segments.length - 1, i))
  }

  /** The last file when it has room, else a newly created next file. Throws the fs error. */
  segmentForAppend(): SegmentFile {
    const last = this.last
    if (last && !last.isFull) return last
    if (!this.#dirReady) {
      fs.mkdirSync(this.dir, { recursive: true })
      this.#dirReady = true
    }
    const segment = SegmentFile.create(this.dir, last ? last.fileFromOffset + this.fileSize : 0, this.fileSize)
    this.segments.push(segment)
    this.#dirDirty = true
    return segment
  }

  /**
   * Appends `length` bytes at the end of `segment` (the last file, with room for them): `fill(bytes, at)`
   * writes them into `bytes[at, at + length)` of the write buffer. Nothing reaches the file before the next
   * commit. Never throws for I/O: a failed early commit leaves the bytes pending for the next commit.
   */
  appendWith(segment: SegmentFile, length: number, fill: (bytes: Buffer, at: number) => void): void {
    const chunk = this.#chunkFor(segment, length)
    fill(chunk.bytes, chunk.length)
    chunk.length += length
    segment.appended(length)
    if (!this.#pending) {
      this.#pending = true
      this.#buffer.onPending?.(this)
    }
  }

  /** appendWith() copying `bytes`. */
  append(segment: SegmentFile, bytes: Buffer): void {
    this.appendWith(segment, bytes.length, (target, at) => target.set(bytes, at))
  }

  /** The tail chunk when `length` more bytes of `segment` fit, else a new chunk (after committing the old one). */
  #chunkFor(segment: SegmentFile, length: number): Chunk {
    const tail = this.#chunks[this.#chunks.length - 1]
    if (tail && tail.segment === segment && !tail.sealed && tail.length + length <= tail.bytes.length) return tail
    if (tail) {
      tail.sealed = true
      if (tail.committed < tail.length) {
        try {
          this.commit()
        } catch (err) {
          this.logger.debug('early write failed; retried with the next commit', { dir: this.dir, error: (err as Error).message })
        }
      }
    }
    const position = segment.physicalSize
    const capacity = Math.max(length, Math.min(this.#buffer.chunkSize, this.fileSize - position))
    this.#trim()
    const chunk: Chunk = { segment, start: segment.fileFromOffset + position, bytes: Buffer.allocUnsafe(capacity), length: 0, committed: 0, sealed: false }
    this.#chunks.push(chunk)
    this.#chunkBytes += capacity
    return chunk
  }

  /** Bytes appended but not yet written to a file. */
  get pendingBytes(): number {
    let pending = 0
    for (let i = this.#chunks.length - 1; i >= 0; i--) {
      const chunk = this.#chunks[i]!
      if (chunk.committed === chunk.length) break
      pending += chunk.length - chunk.committed
    }
    return pending
  }

  /**
   * Writes every pending byte to its file (one positional write per chunk, in order), then drops written
   * chunks beyond the retain budget. Returns the bytes written.
   * @throws the fs error; bytes not written stay pending (and readable) for the next commit.
   */
  commit(): number {
    const chunks = this.#chunks
    let first = chunks.length
    while (first > 0 && chunks[first - 1]!.committed < chunks[first - 1]!.length) first--
    let written = 0
    for (let i = first; i < chunks.length; i++) {
      const chunk = chunks[i]!
      const segment = chunk.segment
      const before = segment.committedPosition
      if (chunk.start + chunk.committed !== segment.fileFromOffset + before) {
        throw new Error(`write buffer out of step with ${segment.path}: chunk at ${chunk.start + chunk.committed}, file at ${segment.fileFromOffset + before}`)
      }
      try {
        segment.write(chunk.bytes, chunk.committed, chunk.length)
      } finally {
        chunk.committed += segment.committedPosition - before
        written += segment.committedPosition - before
      }
    }
    this.#pending = false
    this.#trim()
    return written
  }

  /** Drops the oldest written chunks while the chunks' capacity exceeds the retain budget. */
  #trim(): void {
    let drop = 0
    while (drop < this.#chunks.length && this.#chunkBytes > this.#buffer.retainBytes) {
      const chunk = this.#chunks[drop]!
      if (chunk.committed < chunk.length) break
      this.#chunkBytes -= chunk.bytes.length
      drop++
    }
    if (drop > 0) this.#chunks.splice(0, drop)
  }

  /** Index of the last chunk starting at or before `offset` (-1 when none). */
  #chunkIndex(offset: number): number {
    const chunks = this.#chunks
    let low = 0
    let high = chunks.length - 1
    let found = -1
    while (low <= high) {
      const mid = (low + high) >>> 1
      if (chunks[mid]!.start <= offset) {
        found = mid
        low = mid + 1
      } else {
        high = mid - 1
      }
    }
    return found
  }

  /**
   * Bytes [offset, offset + length) straight from memory (a subarray of the write buffer or cache, no copy)
   * when they lie in one chunk; undefined otherwise. The caller must treat the bytes as read-only.
   */
  cached(offset: number, length: number): Buffer | undefined {
    const chunk = this.#chunks[this.#chunkIndex(offset)]
    if (!chunk || offset + length > chunk.start + chunk.length) return undefined
    return chunk.bytes.subarray(offset - chunk.start, offset - chunk.start + length)
  }

  /**
   * Up to `length` bytes at queue offset `offset` (within one file), fewer when the file's appended bytes end
   * first; empty when no file covers `offset`. Buffered and cached bytes come from memory (no copy when they
   * lie in one chunk); the rest is read from the file, with fs.readSync when `sync` (bytes expected in the
   * OS page cache), else on the thread pool.
   */
  async read(offset: number, length: number, sync = false): Promise<Buffer> {
    const plan = this.#plan(offset, length)
    if (!plan) return EMPTY
    if (plan.fromFile === 0) return this.#fromMemory(offset, plan.total)
    const out = Buffer.allocUnsafe(plan.total)
    this.#copyFromMemory(out, plan.fromFile, offset + plan.fromFile, plan.total - plan.fromFile)
    const got = sync ? plan.segment.readIntoSync(out, 0, plan.position, plan.fromFile) : await plan.segment.readInto(out, 0, plan.position, plan.fromFile)
    return got === plan.fromFile ? out : out.subarray(0, got)
  }

  /** read() with fs.readSync for the file part. */
  readSync(offset: number, length: number): Buffer {
    const plan = this.#plan(offset, length)
    if (!plan) return EMPTY
    if (plan.fromFile === 0) return this.#fromMemory(offset, plan.total)
    const out = Buffer.allocUnsafe(plan.total)
    this.#copyFromMemory(out, plan.fromFile, offset + plan.fromFile, plan.total - plan.fromFile)
    const got = plan.segment.readIntoSync(out, 0, plan.position, plan.fromFile)
    return got === plan.fromFile ? out : out.subarray(0, got)
  }

  /** Which file covers `offset`, how many bytes exist, and how many of the first ones come from the file. */
  #plan(offset: number, length: number): { segment: SegmentFile; position: number; total: number; fromFile: number } | undefined {
    const segment = this.findSegment(offset)
    if (!segment) return undefined
    const position = offset - segment.fileFromOffset
    const total = Math.max(0, Math.min(length, segment.physicalSize - position))
    if (total === 0) return undefined
    // Memory holds a contiguous suffix of the file's appended bytes: from its first chunk to physicalSize.
    const firstChunk = this.#chunks[this.#chunkIndex(segment.fileFromOffset - 1) + 1]
    const memoryFrom = firstChunk?.segment === segment ? firstChunk.start : segment.fileFromOffset + segment.physicalSize
    const fromFile = Math.max(0, Math.min(total, memoryFrom - offset))
    return { segment, position, total, fromFile }
  }

  /** `length` bytes at `offset`, all in memory: a subarray when in one chunk, else a copy. */
  #fromMemory(offset: number, length: number): Buffer {
    return this.cached(offset, length) ?? this.#copyFromMemory(Buffer.allocUnsafe(length), 0, offset, length)
  }

  /** Copies `length` in-memory bytes at `offset` into `out[at...]`; returns `out`. */
  #copyFromMemory(out: Buffer, at: number, offset: number, length: number): Buffer {
    let i = this.#chunkIndex(offset)
    let copied = 0
    while (copied < length) {
      const chunk = this.#chunks[i++]!
      const from = offset + copied - chunk.start
      const n = Math.min(length - copied, chunk.length - from)
      chunk.bytes.copy(out, at + copied, from, from + n)
      copied += n
    }
    return out
  }

  /**
   * Makes `offset` the end: later files are deleted, the file containing `offset` is cut, and a last file
   * ending exactly at `offset` is marked full. A file that starts exactly at `offset` is deleted. Buffered
   * bytes past `offset` are discarded. Returns whether bytes or files were removed.
   */
  truncateTo(offset: number): boolean {
    this.#truncateChunks(offset)
    let changed = false
    while (this.segments.length > 0 && this.last!.fileFromOffset >= offset) {
      const removed = this.segments.pop()!
      this.logger.warn('deleting file after recovery point', { file: removed.path, commitLogOffset: offset })
      removed.destroy()
      this.#dirDirty = changed = true
    }
    const last = this.last
    if (last && offset < last.fileFromOffset + this.fileSize && last.physicalSize > offset - last.fileFromOffset) {
      this.logger.warn('truncating file after recovery point', { file: last.path, position: offset - last.fileFromOffset })
      last.truncate(offset - last.fileFromOffset)
      changed = true
    } else if (last && offset < last.fileFromOffset + this.fileSize) {
      last.wrotePosition = offset - last.fileFromOffset
    } else if (last && offset === last.fileFromOffset + this.fileSize) {
      last.markFull() // a commit-log file ended by a BLANK filler is physically shorter but full
    }
    return changed
  }

  /**
   * Retention (RocketMQ MappedFileQueue.deleteExpiredFileByTime/ByOffset): takes the `count` oldest files out
   * of the queue (at most all but the last) and drops their cached bytes, so reads below the new `minOffset`
   * find nothing from now on. The files are not closed or deleted: the caller does that with
   * `destroyWhenIdle()` once it has advanced whatever else points at them. Returns the files taken out.
   */
  removeHead(count: number): SegmentFile[] {
    const removed = this.segments.splice(0, Math.max(0, Math.min(count, this.segments.length - 1)))
    if (removed.length === 0) return removed
    const gone = new Set(removed)
    let drop = 0
    while (drop < this.#chunks.length && gone.has(this.#chunks[drop]!.segment)) this.#chunkBytes -= this.#chunks[drop++]!.bytes.length
    if (drop > 0) this.#chunks.splice(0, drop)
    this.#dirDirty = true
    return removed
  }

  /** Drops chunk bytes at or after `offset`; the chunk holding `offset` is sealed so its memory is never rewritten. */
  #truncateChunks(offset: number): void {
    while (this.#chunks.length > 0) {
      const tail = this.#chunks[this.#chunks.length - 1]!
      if (tail.start + tail.length <= offset) break
      if (tail.start >= offset) {
        this.#chunks.pop()
        this.#chunkBytes -= tail.bytes.length
        continue
      }
      tail.length = offset - tail.start
      tail.committed = Math.min(tail.committed, tail.length)
      tail.sealed = true
      break
    }
    if (this.pendingBytes === 0) this.#pending = false
  }

  /**
   * Writes the buffer, then fsyncs every file with unflushed bytes (and the directory after creations/deletions).
   * Everything appended before the call is durable when it resolves. Returns fsync calls made.
   * @throws the write or fsync error.
   */
  async flush(fsync: FsyncFunction): Promise<number> {
    this.commit()
    let calls = 0
    if (this.#dirDirty) {
      this.#dirDirty = false
      calls += await this.#syncDirectory(fsync)
    }
    for (const segment of [...this.segments]) {
      if (await segment.sync(fsync)) calls++
    }
    return calls
  }

  async #syncDirectory(fsync: FsyncFunction): Promise<number> {
    let fd: number | undefined
    try {
      fd = fs.openSync(this.dir, 'r')
      await fsync(fd)
      return 1
    } catch (err) {
      this.logger.debug('directory fsync not possible', { dir: this.dir, error: (err as Error).message })
      return 0
    } finally {
      if (fd !== undefined) fs.closeSync(fd)
    }
  }

  /** Writes the buffer (a failure is logged), drops it and closes every descriptor. */
  closeAll(): void {
    try {
      this.commit()
    } catch (err) {
      this.logger.error('buffered bytes could not be written before closing', { dir: this.dir, bytes: this.pendingBytes, error: (err as Error).message })
    }
    this.#chunks = []
    this.#chunkBytes = 0
    this.#pending = false
    for (const segment of this.segments) segment.close()
  }
}

const EMPTY = Buffer.alloc(0)
