import type { Logger } from '@cometmq/protocol'
import fs from 'node:fs'
import { join } from 'node:path'
import type { CommitTarget } from './commit-scheduler.js'
import { HASH_SLOT_SIZE, INDEX_FILE_NAME, IndexFile, indexFileName, indexFileTime, indexKeyHash, topicHashPrefix } from './index-file.js'
import type { FsyncFunction } from './segment-file.js'

/** How an IndexService sizes its files and reports pending writes. */
export interface IndexServiceOptions {
  /** Hash slots per file (config maxHashSlotNum). */
  slotNum: number
  /** Entry numbers per file (config maxIndexNum); a file holds maxIndexNum − 1 entries. */
  indexNum: number
  logger: Logger
  /** Called when entries are buffered and no write is pending yet: the owner arranges a `commit()` soon. */
  onPending?: (target: CommitTarget) => void
}

/** What index recovery found; the caller re-indexes the commit log from what it says. */
export interface IndexRecovery {
  /** `<root>/index` did not exist: nothing was ever indexed here, re-index the whole commit log. */
  missing: boolean
  /** Files had to be dropped for damage (not only for being newer than the commit log): do not trust the checkpoint. */
  damaged: boolean
  /** Commit-log offset of the newest indexed record; -1 when there is none. Records up to it are indexed. */
  newestPhyOffset: number
  /** Entries dropped because their records are past the commit log's end. */
  cutEntries: number
  /** Files deleted (never flushed, damaged, or wholly past the commit log's end). */
  droppedFiles: number
  /** Slots of the newest file walked back from entries past its header (see IndexFile.recover). */
  repairedSlots: number
  /** The newest file's slot table had to be rebuilt from its entries. */
  rebuilt: boolean
}

/**
 * The key index of the file store (RocketMQ IndexService): IndexFiles under `<root>/index`, newest last.
 *
 * - `put()` indexes one message synchronously at put time: one entry per key in the newest file; a full file
 *   is sealed (entries and slot table written, table released) and a new one created. Memory stays flat: only
 *   the newest file's slot table (`slotNum × 4` bytes) and a small entry buffer live in memory.
 * - `commit()` (a CommitTarget: the store writes it once per event-loop turn) writes buffered entries.
 * - `flush()` makes the index durable up to the moment it is called, in crash-safe order: its synchronous part
 *   writes the entries, then the dirty slot pages, and snapshots the headers; its asynchronous part, per file,
 *   fsyncs (entries and slots), writes the header, fsyncs again. A header on disk therefore only counts entries
 *   whose slots are on disk, and every slot on disk points at an entry on disk.
 * - `query()` walks files newest first; `deleteBefore()` drops whole files for retention.
 */
export class IndexService implements CommitTarget {
  readonly #files: IndexFile[] = []
  readonly #options: IndexServiceOptions
  /** A released slot table kept for the next file (zero-filled before use). */
  #spareTable: Buffer | null = null
  /** A file could not be created: entries were lost this run, so the checkpoint must not advance. */
  #broken = false
  #pending = false
  #dirReady = false

  constructor(
    readonly dir: string,
    options: IndexServiceOptions,
  ) {
    this.#options = options
  }

  get files(): readonly IndexFile[] {
    return this.#files
  }

  /**
   * Opens every IndexFile and reads its header, then makes the index consistent with a commit log ending at
   * `commitLogEnd` (see IndexRecovery): trailing files never flushed (zero header) or wholly past the end are
   * deleted, a zero-header file before a valid one is damage (it and every later file go), and the last file is
   * recovered (IndexFile.recover). `storeTimeAt(offset)` reads a record's store time (-1 if unreadable).
   * Creates `<root>/index` when missing. `verify`: the last run may have left slots past the header (it
   * crashed, or its last index flush was incomplete), so the newest file's slot table is checked and repaired.
   * After an unclean shutdown (`abnormal`) the newest file's header may exist only in the page cache: it is
   * marked dirty so the caller's flush fsyncs it before the checkpoint.
   */
  async recover(commitLogEnd: number, storeTimeAt: (phyOffset: number) => Promise<number>, abnormal: boolean, verify: boolean): Promise<IndexRecovery> {
    const report: IndexRecovery = { missing: false, damaged: false, newestPhyOffset: -1, cutEntries: 0, droppedFiles: 0, repairedSlots: 0, rebuilt: false }
    const logger = this.#options.logger
    let names: string[]
    try {
      names = (await fs.promises.readdir(this.dir)).filter((n) => INDEX_FILE_NAME.test(n)).sort()
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      report.missing = true
      names = []
    }
    await fs.promises.mkdir(this.dir, { recursive: true })
    this.#dirReady = true
    for (const name of names) this.#files.push(await IndexFile.open(join(this.dir, name), this.#options.slotNum, this.#options.indexNum, logger))
    const firstInvalid = this.#files.findIndex((f) => f.header.indexCount < 1)
    if (firstInvalid >= 0) {
      const valid = this.#files.slice(firstInvalid).some((f) => f.header.indexCount >= 1)
      if (valid) report.damaged = true
      logger.warn(valid ? 'index file with a zero header before valid ones: dropping it and every later file' : 'dropping index files never flushed', {
        files: this.#files.slice(firstInvalid).map((f) => f.name),
      })
      report.droppedFiles += await this.#dropFrom(firstInvalid)
    }
    for (;;) {
      const last = this.#files.at(-1)
      if (!last) break
      const recovered = last.hasEntries
        ? await last.recover(commitLogEnd, storeTimeAt, verify || abnormal, () => this.#takeTable())
        : { empty: true, cutEntries: 0, repairedSlots: 0, rebuilt: false }
      report.cutEntries += recovered.cutEntries
      report.repairedSlots += recovered.repairedSlots
      report.rebuilt ||= recovered.rebuilt
      if (recovered.cutEntries > 0 || recovered.repairedSlots > 0 || recovered.rebuilt) {
        logger.warn('index file recovered', { file: last.name, ...recovered, indexCount: last.header.indexCount })
      }
      if (!recovered.empty) break
      report.droppedFiles += await this.#dropFrom(this.#files.length - 1)
    }
    const newest = this.#files.at(-1)
    if (newest?.hasEntries) report.newestPhyOffset = newest.header.endPhyOffset
    if (newest && abnormal) newest.headerDirty = true
    return report
  }

  /** Deletes files [from, end). */
  async #dropFrom(from: number): Promise<number> {
    const dropped = this.#files.splice(from)
    for (const file of dropped) await file.destroyWhenIdle()
    return dropped.length
  }

  /** A zero-filled slot table (the spare one when there is one). */
  #takeTable(): Buffer {
    const spare = this.#spareTable
    this.#spareTable = null
    if (spare) return spare.fill(0)
    return Buffer.alloc(this.#options.slotNum * HASH_SLOT_SIZE)
  }

  /**
   * Indexes the message at `phyOffset` stored at `storeTimestamp` (ms) under `<topic>#<key>` for each of `keys`
   * (RocketMQ IndexService.buildIndex). Synchronous; never throws: when a new file cannot be created the error
   * is logged, the keys are not indexed, and the checkpoint stops advancing so the next open re-indexes them.
   */
  put(topic: string, keys: readonly string[], phyOffset: number, storeTimestamp: number): void {
    if (keys.length === 0) return
    const prefix = topicHashPrefix(topic)
    for (const key of keys) {
      const file = this.#writable()
      if (!file) return
      file.putKey(indexKeyHash(prefix, key), phyOffset, storeTimestamp)
    }
    if (!this.#pending) {
      this.#pending = true
      this.#options.onPending?.(this)
    }
  }

  /**
   * The newest file when it has room (its slot table read from the file first after a clean open), else a new
   * file (sealing the full one first); null when a file cannot be read or created.
   */
  #writable(): IndexFile | null {
    const last = this.#files.at(-1)
    if (last && !last.isFull) {
      if (last.hasTable) return last
      try {
        last.loadTableSync(this.#takeTable())
        return last
      } catch (err) {
        if (!this.#broken) this.#options.logger.error('index slot table cannot be read; keys are not indexed until the next open', { file: last.name, error: (err as Error).message })
        this.#broken = true
        return null
      }
    }
    if (last?.hasTable) this.#seal(last)
    try {
      if (!this.#dirReady) {
        fs.mkdirSync(this.dir, { recursive: true })
        this.#dirReady = true
      }
      const file = IndexFile.create(this.dir, this.#nextName(), this.#options.slotNum, this.#options.indexNum, this.#takeTable(), this.#options.logger)
      this.#files.push(file)
      return file
    } catch (err) {
      if (!this.#broken) this.#options.logger.error('index file cannot be created; keys are not indexed until the next open', { dir: this.dir, error: (err as Error).message })
      this.#broken = true
      return null
    }
  }

  /**
   * A full file: writes its entries and slot table now and hands its table to the next file. If a write fails,
   * the file keeps its table (the next flush retries) and the next file gets a new one.
   */
  #seal(file: IndexFile): void {
    try {
      file.writeDirtySlots()
      const table = file.releaseTable()
      if (table) this.#spareTable = table
    } catch (err) {
      this.#options.logger.error('sealing a full index file failed; retried with the next flush', { file: file.name, error: (err as Error).message })
    }
  }

  /** A name after every existing one: the creation time, moved 1 ms past the newest name if needed. */
  #nextName(): string {
    const newest = this.#files.at(-1)?.name
    let name = indexFileName(Date.now())
    if (newest !== undefined && name <= newest) name = indexFileName(indexFileTime(newest) + 1)
    return name
  }

  get pendingBytes(): number {
    let bytes = 0
    for (const file of this.#files) bytes += file.pendingBytes
    return bytes
  }

  /** Writes every buffered entry (one positional write per file with entries buffered, normally one). */
  commit(): number {
    let written = 0
    for (const file of this.#files) if (file.pendingBytes > 0) written += file.commit()
    this.#pending = false
    return written
  }

  /**
   * Makes everything indexed before the call durable. The synchronous part runs before this returns (entries,
   * then slot pages written; headers snapshotted), so the caller can pair it with what it captured at the same
   * moment (the checkpoint's indexSafeOffset). Resolves true when the whole index as of the call is durable,
   * false when some of it is not (a write failed and will be retried, or keys were lost this run).
   * @throws (rejects with) the fsync or header-write error.
   */
  flush(fsync: FsyncFunction): Promise<boolean> {
    let complete = !this.#broken
    const logger = this.#options.logger
    const snapshots: Array<{ file: IndexFile; bytes: Buffer }> = []
    for (const file of this.#files) {
      try {
        if (file.hasTable) file.writeDirtySlots()
        else file.commit()
        if (file.hasTable && file.isFull && file !== this.#files.at(-1)) {
          const table = file.releaseTable()
          if (table) this.#spareTable = table
        }
      } catch (err) {
        logger.error('index write failed; retried with the next flush', { file: file.name, error: (err as Error).message })
      }
      if (!file.isClean) complete = false
      // headers go out in file order and only while every earlier file is clean: recovery repairs the last
      // file only, so a valid header must never follow a file whose slots are not all written
      if (!file.headerDirty || !complete) continue
      snapshots.push({ file, bytes: file.headerBytes() })
      file.headerDirty = false
      file.acquire()
    }
    this.#pending = this.pendingBytes > 0
    if (this.#pending) this.#options.onPending?.(this) // a failed write: have the scheduler retry it
    return (async () => {
      let i = 0
      try {
        for (; i < snapshots.length; i++) {
          const { file, bytes } = snapshots[i]!
          await file.sync(fsync)
          file.writeHeader(bytes)
          await file.sync(fsync)
        }
        return complete
      } catch (err) {
        for (let j = i; j < snapshots.length; j++) snapshots[j]!.file.headerDirty = true
        throw err
      } finally {
        for (const { file } of snapshots) file.release()
      }
    })()
  }

  /**
   * Commit-log offsets of the messages indexed under `<topic>#<key>` whose store time may be in [begin, end]
   * (ms), newest first; each is handed to `accept`, which reads and re-checks the record and returns it, or
   * null for a hash collision or a record gone. Stops after `maxNum` accepted records
   * (RocketMQ IndexService.queryOffset: files whose time range overlaps the window, newest first, stopping at a
   * file that begins before the window).
   */
  async query(
    topic: string,
    key: string,
    maxNum: number,
    begin: number,
    end: number,
    accept: (phyOffset: number) => Promise<Buffer | null>,
  ): Promise<Buffer[]> {
    const keyHash = indexKeyHash(topicHashPrefix(topic), key)
    const found: Buffer[] = []
    const seen = new Set<number>()
    const files = [...this.#files]
    for (let i = files.length - 1; i >= 0 && found.length < maxNum; i--) {
      const file = files[i]!
      const header = file.header
      if (!file.hasEntries) continue
      if (header.beginTimestamp <= end && header.endTimestamp >= begin) {
        file.acquire()
        try {
          await file.walk(keyHash, begin, end, async (phyOffset) => {
            if (seen.has(phyOffset)) return true
            seen.add(phyOffset)
            const record = await accept(phyOffset)
            if (record) found.push(record)
            return found.length < maxNum
          })
        } finally {
          file.release()
        }
      }
      if (header.beginTimestamp < begin) break
    }
    return found
  }

  /** Store time and commit-log offset of the newest indexed message; zeros when nothing is indexed. */
  get lastUpdate(): { timestamp: number; phyOffset: number } {
    for (let i = this.#files.length - 1; i >= 0; i--) {
      const header = this.#files[i]!.header
      if (header.indexCount > 1) return { timestamp: header.endTimestamp, phyOffset: header.endPhyOffset }
    }
    return { timestamp: 0, phyOffset: 0 }
  }

  /**
   * Retention: deletes the files before the newest whose every entry points below `minPhyOffset`
   * (endPhyOffset < minPhyOffset; RocketMQ IndexService.deleteExpiredFile). Queries already walking a file finish
   * first. Returns the files deleted.
   */
  async deleteBefore(minPhyOffset: number): Promise<number> {
    let count = 0
    while (count < this.#files.length - 1 && this.#files[count]!.header.endPhyOffset < minPhyOffset) count++
    const removed = this.#files.splice(0, count)
    for (const file of removed) await file.destroyWhenIdle()
    return removed.length
  }

  /** Writes buffered entries and closes every file (call after the last flush). */
  closeAll(): void {
    for (const file of this.#files) file.close()
    this.#files.length = 0
    this.#spareTable = null
  }
}
