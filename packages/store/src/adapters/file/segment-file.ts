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
 *
 * - `wrotePosition`: logical bytes used (bytes), = `fileSize` once full (after a commit-log BLANK filler
 *   the file is physically shorter than `fileSize`).
 * - `physicalSize`: bytes actually in the file.
 * - `flushedPosition`: logical bytes known durable.
 */
export class SegmentFile {
  wrotePosition: number
  flushedPosition: number
  physicalSize: number
  #fd: number
  #forceSync = false

  private constructor(
    readonly path: string,
    readonly fileFromOffset: number,
    readonly fileSize: number,
    fd: number,
    physicalSize: number,
  ) {
    this.#fd = fd
    this.physicalSize = physicalSize
    this.wrotePosition = physicalSize
    this.flushedPosition = physicalSize
  }

  /** Creates (or empties) `<dir>/<20-digit offset>` synchronously. Throws the fs error. */
  static create(dir: string, fileFromOffset: number, fileSize: number): SegmentFile {
    const path = join(dir, segmentFileName(fileFromOffset))
    const fd = fs.openSync(path, 'w+')
    return new SegmentFile(path, fileFromOffset, fileSize, fd, 0)
  }

  /** Opens an existing file read-write; `wrotePosition` starts at its physical size. */
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

  /** Appends `bytes` at `wrotePosition` with synchronous positional writes (page cache; no fsync). */
  appendSync(bytes: Buffer): void {
    let done = 0
    while (done < bytes.length) {
      done += fs.writeSync(this.#fd, bytes, done, bytes.length - done, this.wrotePosition + done)
    }
    this.wrotePosition += bytes.length
    if (this.wrotePosition > this.physicalSize) this.physicalSize = this.wrotePosition
  }

  /** Marks the rest of the file as consumed (after a BLANK filler). */
  markFull(): void {
    this.wrotePosition = this.fileSize
  }

  /** Reads up to `length` bytes at `position`; shorter when the physical file ends first. */
  async read(position: number, length: number): Promise<Buffer> {
    const wanted = Math.max(0, Math.min(length, this.physicalSize - position))
    const buffer = Buffer.allocUnsafe(wanted)
    let done = 0
    while (done < wanted) {
      const n = await readAsync(this.#fd, buffer, done, wanted - done, position + done)
      if (n === 0) break
      done += n
    }
    return done === wanted ? buffer : buffer.subarray(0, done)
  }

  /** fsyncs when bytes were written since the last sync; returns whether an fsync ran. */
  async sync(fsync: FsyncFunction): Promise<boolean> {
    if (this.flushedPosition >= this.wrotePosition && !this.#forceSync) return false
    const target = this.wrotePosition
    this.#forceSync = false
    await fsync(this.#fd)
    if (target > this.flushedPosition) this.flushedPosition = target
    return true
  }

  /** Cuts the file to `position` bytes (ftruncate) and moves every position back to it. */
  truncate(position: number): void {
    fs.ftruncateSync(this.#fd, position)
    this.physicalSize = position
    this.wrotePosition = position
    this.flushedPosition = Math.min(this.flushedPosition, position)
    this.#forceSync = true
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
}
