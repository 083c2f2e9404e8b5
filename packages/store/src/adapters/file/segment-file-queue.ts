import type { Logger } from '@cometmq/protocol'
import fs from 'node:fs'
import { join } from 'node:path'
import { StoreError } from '../../store-error.js'
import { SEGMENT_FILE_NAME, SegmentFile } from './segment-file.js'
import type { FsyncFunction } from './segment-file.js'

/**
 * The ordered files of one log in one directory (RocketMQ MappedFileQueue): file k covers byte offsets
 * [first + k × fileSize, first + (k + 1) × fileSize). Appends go to the last file; a full file is followed
 * by a new one named after its start offset. The directory is created on the first append and fsynced
 * with the next flush after a file is created.
 */
export class SegmentFileQueue {
  readonly segments: SegmentFile[] = []
  #dirReady = false
  #dirDirty = false

  constructor(
    readonly dir: string,
    readonly fileSize: number,
    private readonly logger: Logger,
  ) {}

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

  /** Offset one past the last written byte; 0 when empty. */
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
   * Makes `offset` the end: later files are deleted, the file containing `offset` is cut, and a last file
   * ending exactly at `offset` is marked full. A file that starts exactly at `offset` is deleted.
   * Returns whether bytes or files were removed.
   */
  truncateTo(offset: number): boolean {
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

  /** fsyncs every file with unflushed bytes (and the directory after creations/deletions). Returns fsync calls made. */
  async flush(fsync: FsyncFunction): Promise<number> {
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

  /** Closes every descriptor. */
  closeAll(): void {
    for (const segment of this.segments) segment.close()
  }
}
