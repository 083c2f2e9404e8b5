import fs from 'node:fs'
import { join } from 'node:path'

/** fsync-like function: makes every byte written to `fd` so far durable. Injected in tests. */
export type FsyncFunction = (fd: number) => Promise<void>

/** Default FsyncFunction: fdatasync(2) (data plus the metadata needed to read it back, e.g. file size). */
export const fdatasync: FsyncFunction = (fd) =>
  new Promise((resolve, reject) => {
    fs.fdatasync(fd, (err) => (err ? reject(err) : resolve()))
  })

/** File name of a segment: its start offset, 20 digits zero-padded. Source: RocketMQ UtilAll.offset2FileName. */
export function segmentFileName(fileFromOffset: number): string {
  return String(fileFromOffset).padStart(20, '0')
}

/** Names accepted as segment files. */
export const SEGMENT_FILE_NAME = /^\d{20}$/

function readAsync(fd: number, buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.read(fd, buffer, offset, length, position, (err, bytesRead) => (err ? reject(err) : resolve(bytesRead)))
  })
}

/**
 * One fixed-capacity file of a commit log or ConsumeQueue (RocketMQ MappedFile, without mmap).
 * Nothing is pre-allocated: bytes are written with positional writes and the file grows as it fills.
 * The file does not buffer by itself: its SegmentFileQueue keeps appended bytes in a write buffer and hands
 * them to `write()`; the positions below follow RocketMQ's wrote/committed/flushed positions (all in bytes
 * from the start of the file):
 *
 * - `wrotePosition`: logical bytes used, including bytes still in the write buffer; = `fileSize` once full
 *   (after a commit-log BLANK filler the file is physically shorter than `fileSize`).
 * - `physicalSize`: bytes appended so far, written or still buffered (the file's size once the buffer is written).
 * - `committedPosition`: bytes written to the file with write(2) (in the OS page cache; survive a process crash).
 * - `flushedPosition`: logical bytes known durable (fsynced).
 *
 * Invariant: flushedPosition ≤ wrotePosition, committedPosition ≤ physicalSize ≤ wrotePosition ≤ fileSize.
 */
export class SegmentFile {
  wrotePosition: number
  flushedPosition: number
  physicalSize: number
  committedPosition: number
  /**
   * Commit-log files: store time (ms) of the newest record appended or scanned by recovery since open; -1 when
   * unknown (a file written before the last open and not rescanned). Retention uses it.
   */
  newestStoreTimestamp = -1
  #fd: number
  #forceSync = false
  /** Async reads and fsyncs in flight (RocketMQ ReferenceResource): the descriptor stays open until they end. */
  #users = 0
  #onIdle: Array<() => void> = []

  private constructor(
    readonly path: string,
    readonly fileFromOffset: number,
    readonly fileSize: number,
    fd: number,
    physicalSize: number,
  ) {
    this.#fd = fd
    this.physicalSize = physicalSize
    this.committedPosition = physicalSize
    this.wrotePosition = physicalSize
    this.flushedPosition = physicalSize
  }

  /** Creates (or empties) `<dir>/<20-digit offset>` synchronously. Throws the fs error. */
  static create(dir: string, fileFromOffset: number, fileSize: number): SegmentFile {
    const path = join(dir, segmentFileName(fileFromOffset))
    const fd = fs.openSync(path, 'w+')
    return new SegmentFile(path, fileFromOffset, fileSize, fd, 0)
  }

  /** Opens an existing file read-write; every position starts at its physical size. */
  static async open(path: string, fileFromOffset: number, fileSize: number): Promise<SegmentFile> {
    const fd = await new Promise<number>((resolve, reject) => fs.open(path, 'r+', (err, f) => (err ? reject(err) : resolve(f))))
    const size = fs.fstatSync(fd).size
    return new SegmentFile(path, fileFromOffset, fileSize, fd, size)
  }

  /** The file descriptor (for fsync). */
  get fd(): number {
    return this.#fd
  }

  /** True when no more bytes may be appended. */
  get isFull(): boolean {
    return this.wrotePosition >= this.fileSize
  }

  /** Records `length` bytes appended to the write buffer at `physicalSize` (the queue holds the bytes). */
  appended(length: number): void {
    this.physicalSize += length
    if (this.physicalSize > this.wrotePosition) this.wrotePosition = this.physicalSize
  }

  /**
   * Writes `bytes[from, to)` at `committedPosition` with synchronous positional writes (page cache; no fsync)
   * and advances `committedPosition` by what was written, also when a write throws part-way.
   * @throws the fs error.
   */
  write(bytes: Buffer, from: number, to: number): void {
    let done = from
    while (done < to) {
      const n = fs.writeSync(this.#fd, bytes, done, to - done, this.committedPosition)
      if (n <= 0) throw new Error(`write to ${this.path} made no progress`)
      this.committedPosition += n
      done += n
    }
  }

  /** Marks the rest of the file as consumed (after a BLANK filler). */
  markFull(): void {
    this.wrotePosition = this.fileSize
  }

  /** Bytes to read at `position` from the file: at most `length`, never past `committedPosition`. */
  #readable(position: number, length: number): number {
    return Math.max(0, Math.min(length, this.committedPosition - position))
  }

  /** Reads up to `length` bytes at `position` from the file (thread pool); shorter when the written part ends first. */
  async read(position: number, length: number): Promise<Buffer> {
    const wanted = this.#readable(position, length)
    const buffer = Buffer.allocUnsafe(wanted)
    const done = await this.readInto(buffer, 0, position, wanted)
    return done === wanted ? buffer : buffer.subarray(0, done)
  }

  /** Reads `length` bytes at `position` into `buffer[at...]` (thread pool); resolves with the bytes read (fewer at end of file). */
  async readInto(buffer: Buffer, at: number, position: number, length: number): Promise<number> {
    if (this.#fd < 0) return 0 // deleted by retention while the caller was planning the read
    this.#users++
    try {
      let done = 0
      while (done < length) {
        const n = await readAsync(this.#fd, buffer, at + done, length - done, position + done)
        if (n === 0) break
        done += n
      }
      return done
    } finally {
      this.#release()
    }
  }

  #release(): void {
    if (--this.#users > 0) return
    const waiters = this.#onIdle
    this.#onIdle = []
    for (const resume of waiters) resume()
  }

  /** Like readInto with fs.readSync on the JS thread: for bytes expected in the OS page cache. */
  readIntoSync(buffer: Buffer, at: number, position: number, length: number): number {
    if (this.#fd < 0) return 0
    let done = 0
    while (done < length) {
      const n = fs.readSync(this.#fd, buffer, at + done, length - done, position + done)
      if (n === 0) break
      done += n
    }
    return done
  }

  /**
   * fsyncs when written bytes are not yet durable; returns whether an fsync ran. Covers `committedPosition`
   * only: the queue writes its buffer first. A file whose bytes are all written counts as flushed up to
   * `wrotePosition` (which includes a BLANK-ended file's unused rest).
   */
  async sync(fsync: FsyncFunction): Promise<boolean> {
    const target = this.committedPosition >= this.physicalSize ? this.wrotePosition : this.committedPosition
    if ((this.flushedPosition >= target && !this.#forceSync) || this.#fd < 0) return false
    this.#forceSync = false
    this.#users++
    try {
      await fsync(this.#fd)
    } finally {
      this.#release()
    }
    if (target > this.flushedPosition) this.flushedPosition = target
    return true
  }

  /**
   * Cuts the file to `position` bytes and moves every position back to it. Bytes at or after
   * `committedPosition` were never written, so the file is ftruncated only when `position` is below it.
   */
  truncate(position: number): void {
    if (position < this.committedPosition) {
      fs.ftruncateSync(this.#fd, position)
      this.committedPosition = position
      this.#forceSync = true
    }
    this.physicalSize = position
    this.wrotePosition = position
    this.flushedPosition = Math.min(this.flushedPosition, position)
  }

  /** Makes the next sync() fsync even if nothing was written (bytes a crashed process left in the page cache). */
  markUnsynced(): void {
    this.#forceSync = true
  }

  /** Closes the descriptor. Idempotent. */
  close(): void {
    if (this.#fd < 0) return
    fs.closeSync(this.#fd)
    this.#fd = -1
  }

  /** Closes and deletes the file. */
  destroy(): void {
    this.close()
    fs.rmSync(this.path, { force: true })
  }

  /**
   * Closes and deletes the file once no async read or fsync uses its descriptor (a closed descriptor number
   * can be reused by the next open, so closing under a pending read could make it read another file).
   * The caller has already removed the file from its queue, so no new read starts.
   */
  async destroyWhenIdle(): Promise<void> {
    while (this.#users > 0) await new Promise<void>((resume) => this.#onIdle.push(resume))
    this.destroy() // no await between the check and the close
  }
}
