import type { Logger } from '@cometmq/protocol'
import fs from 'node:fs'
import { basename, join } from 'node:path'
import type { FsyncFunction } from './segment-file.js'
import { readLong, writeLong } from '../../int64.js'

/** Bytes of the IndexFile header. Source: RocketMQ IndexHeader.INDEX_HEADER_SIZE. */
export const INDEX_HEADER_SIZE = 40
/** Bytes of one hash slot (int32). Source: RocketMQ IndexFile.hashSlotSize. */
export const HASH_SLOT_SIZE = 4
/** Bytes of one index entry. Source: RocketMQ IndexFile.indexSize. */
export const INDEX_ENTRY_SIZE = 20
/** Slot value / prevIndex meaning "no entry"; entry 0 is never used. Source: RocketMQ IndexFile.invalidIndex. */
export const INVALID_INDEX = 0
/** Slots per dirty-tracking page (4 KiB of slot table): the unit the slot table is written in. */
const SLOTS_PER_PAGE = 1024
/** Entries buffered before a write is forced (80 KiB). */
const ENTRY_CHUNK = 4096
/** Largest run of entries recovery reads in one go (20 MiB). */
const RECOVERY_READ_ENTRIES = 1 << 20
const INT_MAX = 0x7fffffff

/**
 * The 40-byte header (protocol doc §4.7, RocketMQ IndexHeader), big-endian:
 * `long beginTimestamp @0 · long endTimestamp @8 · long beginPhyOffset @16 · long endPhyOffset @24 ·
 * int hashSlotCount @32 · int indexCount @36`. Timestamps are store times in ms; indexCount starts at 1.
 */
export interface IndexHeader {
  beginTimestamp: number
  endTimestamp: number
  beginPhyOffset: number
  endPhyOffset: number
  /** Slots in use. */
  hashSlotCount: number
  /** Next entry number (entries are 1 … indexCount − 1). */
  indexCount: number
}

/** One 20-byte entry: `int keyHash · long phyOffset · int timeDiff (s since beginTimestamp) · int prevIndex`. */
export interface IndexEntry {
  keyHash: number
  phyOffset: number
  timeDiff: number
  prevIndex: number
}

/** Java `String.hashCode` state after folding `text` into `h` (UTF-16 code units, int32 arithmetic). */
function foldHash(h: number, text: string): number {
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0
  return h
}

/** Hash state of the key prefix `<topic>#`, shared by every key of one message. */
export function topicHashPrefix(topic: string): number {
  return foldHash(foldHash(0, topic), '#')
}

/**
 * keyHash of `<topic>#<key>` given `topicHashPrefix(topic)`: abs(Java hashCode), 0 when abs overflows.
 * Source: RocketMQ IndexService.buildKey + IndexFile.indexKeyHashMethod.
 */
export function indexKeyHash(prefix: number, key: string): number {
  const h = foldHash(prefix, key)
  return h === -2147483648 ? 0 : Math.abs(h)
}

/** File name of an IndexFile created at `ms` (local time): yyyyMMddHHmmssSSS. Source: RocketMQ UtilAll.timeMillisToHumanString. */
export function indexFileName(ms: number): string {
  const d = new Date(ms)
  const two = (n: number): string => String(n).padStart(2, '0')
  return `${d.getFullYear()}${two(d.getMonth() + 1)}${two(d.getDate())}${two(d.getHours())}${two(d.getMinutes())}${two(d.getSeconds())}${String(d.getMilliseconds()).padStart(3, '0')}`
}

/** The time (ms) an IndexFile name stands for; NaN when it is not one. */
export function indexFileTime(name: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{3})$/.exec(name)
  if (!m) return Number.NaN
  const [, y, mo, d, h, mi, s, ms] = m.map(Number) as number[]
  return new Date(y!, mo! - 1, d!, h!, mi!, s!, ms!).getTime()
}

/** Names accepted as IndexFiles. */
export const INDEX_FILE_NAME = /^\d{17}$/



/** Decodes the entry at `bytes[at…]`. */
export function decodeIndexEntry(bytes: Buffer, at: number): IndexEntry {
  return { keyHash: bytes.readInt32BE(at), phyOffset: readLong(bytes, at + 4), timeDiff: bytes.readInt32BE(at + 12), prevIndex: bytes.readInt32BE(at + 16) }
}

function decodeHeader(bytes: Buffer): IndexHeader {
  if (bytes.length < INDEX_HEADER_SIZE) return { beginTimestamp: 0, endTimestamp: 0, beginPhyOffset: 0, endPhyOffset: 0, hashSlotCount: 0, indexCount: 0 }
  return {
    beginTimestamp: readLong(bytes, 0),
    endTimestamp: readLong(bytes, 8),
    beginPhyOffset: readLong(bytes, 16),
    endPhyOffset: readLong(bytes, 24),
    hashSlotCount: bytes.readInt32BE(32),
    indexCount: bytes.readInt32BE(36),
  }
}

function writeFully(fd: number, bytes: Buffer, from: number, to: number, position: number): void {
  let done = from
  while (done < to) {
    const n = fs.writeSync(fd, bytes, done, to - done, position + done - from)
    if (n <= 0) throw new Error('index file write made no progress')
    done += n
  }
}

function readAsync(fd: number, buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    fs.read(fd, buffer, offset, length, position, (err, bytesRead) => (err ? reject(err) : resolve(bytesRead)))
  })
}

/** What recovery did to the last IndexFile. */
export interface IndexFileRecovery {
  /** No entry is left (every entry pointed past the commit log): the caller deletes the file. */
  empty: boolean
  /** Entries dropped because their records are beyond the commit log's end. */
  cutEntries: number
  /** Slots that pointed at entries beyond the durable count and were walked back along their chains. */
  repairedSlots: number
  /** A chain could not be walked back (torn entries): the slot table was rebuilt from the entries. */
  rebuilt: boolean
}

/**
 * One IndexFile, `<root>/index/<yyyyMMddHHmmssSSS>` (protocol doc §4.7, RocketMQ IndexFile): header, then
 * `slotNum` int32 hash slots (slot value = number of the newest entry with that hash), then 20-byte entries at
 * `40 + slotNum × 4 + n × 20` chained by `prevIndex`. Nothing is pre-allocated: the file is written
 * positionally and grows as entries arrive (sparse: the slot table only takes disk space where written).
 *
 * Only the file being filled keeps its slot table in memory (`slotNum × 4` bytes, big-endian as on disk),
 * with dirty 4 KiB pages tracked; new entries are buffered and written with one positional write per
 * `commit()`. Older files are read with positional reads. Crash order (see IndexService.flush): entries are
 * written before the slots that point at them, slots before the header that makes them durable; recovery
 * walks any slot pointing past the header's count back along its chain.
 */
export class IndexFile {
  readonly header: IndexHeader
  /** The in-memory header differs from the one on disk. */
  headerDirty = false
  #fd: number
  #table: Buffer | null = null
  #slots: DataView | null = null
  #dirtyPages: Uint8Array | null = null
  #dirtyCount = 0
  /** Entries [1, #written) are in the file; [#written, indexCount) are in #pending. */
  #written: number
  #pending: Buffer | null = null
  #pendingLength = 0
  #users = 0
  #onIdle: Array<() => void> = []

  private constructor(
    readonly path: string,
    readonly slotNum: number,
    readonly indexNum: number,
    private readonly logger: Logger,
    fd: number,
    header: IndexHeader,
  ) {
    this.#fd = fd
    this.header = header
    this.#written = Math.max(1, header.indexCount)
  }

  /** Creates `<dir>/<name>` (empty, header in memory only) with `table` (zero-filled, slotNum × 4 bytes) as its slot table. Throws the fs error. */
  static create(dir: string, name: string, slotNum: number, indexNum: number, table: Buffer, logger: Logger): IndexFile {
    const path = join(dir, name)
    const fd = fs.openSync(path, 'wx+')
    const file = new IndexFile(path, slotNum, indexNum, logger, fd, { beginTimestamp: 0, endTimestamp: 0, beginPhyOffset: 0, endPhyOffset: 0, hashSlotCount: 0, indexCount: 1 })
    file.#attach(table)
    file.headerDirty = true
    return file
  }

  /** Opens an existing file and reads its header (a file shorter than 40 bytes reads as a zero header). */
  static async open(path: string, slotNum: number, indexNum: number, logger: Logger): Promise<IndexFile> {
    const fd = await new Promise<number>((resolve, reject) => fs.open(path, 'r+', (err, f) => (err ? reject(err) : resolve(f))))
    const bytes = Buffer.alloc(INDEX_HEADER_SIZE)
    const got = await readAsync(fd, bytes, 0, INDEX_HEADER_SIZE, 0)
    return new IndexFile(path, slotNum, indexNum, logger, fd, decodeHeader(bytes.subarray(0, got)))
  }

  get name(): string {
    return basename(this.path)
  }

  get fd(): number {
    return this.#fd
  }

  /** No more entries fit (RocketMQ IndexFile.isWriteFull: indexCount ≥ maxIndexNum). */
  get isFull(): boolean {
    return this.header.indexCount >= this.indexNum
  }

  /** Holds entries (indexCount > 1). */
  get hasEntries(): boolean {
    return this.header.indexCount > 1
  }

  get hasTable(): boolean {
    return this.#table !== null
  }

  /** Every entry and every changed slot is written. */
  get isClean(): boolean {
    return this.#pendingLength === 0 && this.#dirtyCount === 0
  }

  get pendingBytes(): number {
    return this.#pendingLength
  }

  #entryPosition(n: number): number {
    return INDEX_HEADER_SIZE + this.slotNum * HASH_SLOT_SIZE + n * INDEX_ENTRY_SIZE
  }

  #attach(table: Buffer): void {
    this.#table = table
    this.#slots = new DataView(table.buffer, table.byteOffset, table.byteLength)
    this.#dirtyPages = new Uint8Array(Math.ceil(this.slotNum / SLOTS_PER_PAGE))
    this.#dirtyCount = 0
  }

  /** The slot table as native-endian words, for fast zero tests (a copy when the table is not 4-byte aligned). */
  #words(): Uint32Array {
    const table = this.#table!
    if (table.byteOffset % 4 === 0) return new Uint32Array(table.buffer, table.byteOffset, this.slotNum)
    return new Uint32Array(Uint8Array.prototype.slice.call(table).buffer)
  }

  #markDirty(slot: number): void {
    const page = (slot / SLOTS_PER_PAGE) | 0
    if (this.#dirtyPages![page] === 0) {
      this.#dirtyPages![page] = 1
      this.#dirtyCount++
    }
  }

  /**
   * Adds an entry for `keyHash` (RocketMQ IndexFile.putKey): the file must have its slot table and room.
   * Buffered; a full buffer is written at once (a failed write keeps it, and the buffer grows).
   */
  putKey(keyHash: number, phyOffset: number, storeTimestamp: number): void {
    const slots = this.#slots!
    const header = this.header
    const n = header.indexCount
    const slot = keyHash % this.slotNum
    let prev = slots.getInt32(slot * HASH_SLOT_SIZE)
    if (prev <= INVALID_INDEX || prev >= n) prev = INVALID_INDEX
    let timeDiff = 0
    if (header.beginTimestamp > 0) timeDiff = Math.max(0, Math.min(INT_MAX, Math.trunc((storeTimestamp - header.beginTimestamp) / 1000)))
    const bytes = this.#room()
    const at = this.#pendingLength
    bytes.writeInt32BE(keyHash, at)
    writeLong(bytes, at + 4, phyOffset)
    bytes.writeInt32BE(timeDiff, at + 12)
    bytes.writeInt32BE(prev, at + 16)
    this.#pendingLength = at + INDEX_ENTRY_SIZE
    slots.setInt32(slot * HASH_SLOT_SIZE, n)
    this.#markDirty(slot)
    if (n <= 1) {
      header.beginPhyOffset = phyOffset
      header.beginTimestamp = storeTimestamp
    }
    if (prev === INVALID_INDEX) header.hashSlotCount++
    header.indexCount = n + 1
    header.endPhyOffset = phyOffset
    header.endTimestamp = storeTimestamp
    this.headerDirty = true
  }

  /** The entry buffer with room for one more entry. */
  #room(): Buffer {
    if (!this.#pending) this.#pending = Buffer.allocUnsafe(ENTRY_CHUNK * INDEX_ENTRY_SIZE)
    if (this.#pendingLength + INDEX_ENTRY_SIZE <= this.#pending.length) return this.#pending
    try {
      this.commit()
    } catch (err) {
      this.logger.debug('early index write failed; retried with the next commit', { file: this.path, error: (err as Error).message })
    }
    if (this.#pendingLength + INDEX_ENTRY_SIZE > this.#pending.length) {
      const bigger = Buffer.allocUnsafe(this.#pending.length * 2)
      this.#pending.copy(bigger, 0, 0, this.#pendingLength)
      this.#pending = bigger
    }
    return this.#pending
  }

  /**
   * Writes the buffered entries with one positional write; returns the bytes written.
   * @throws the fs error; whole entries not written stay buffered.
   */
  commit(): number {
    const length = this.#pendingLength
    if (length === 0) return 0
    const pending = this.#pending!
    const position = this.#entryPosition(this.#written)
    let done = 0
    try {
      while (done < length) {
        const n = fs.writeSync(this.#fd, pending, done, length - done, position + done)
        if (n <= 0) throw new Error(`write to ${this.path} made no progress`)
        done += n
      }
    } finally {
      const entries = Math.floor(done / INDEX_ENTRY_SIZE)
      if (entries > 0) {
        this.#written += entries
        pending.copy(pending, 0, entries * INDEX_ENTRY_SIZE, length)
        this.#pendingLength = length - entries * INDEX_ENTRY_SIZE
      }
    }
    return done
  }

  /**
   * Writes the buffered entries, then every dirty page of the slot table (consecutive pages in one write).
   * Entries first: a slot on disk never points at an entry that is not in the file.
   * @throws the fs error; pages not written stay dirty.
   */
  writeDirtySlots(): void {
    this.commit()
    if (this.#dirtyCount === 0) return
    const pages = this.#dirtyPages!
    const table = this.#table!
    const pageBytes = SLOTS_PER_PAGE * HASH_SLOT_SIZE
    let p = 0
    while (p < pages.length) {
      if (pages[p] === 0) {
        p++
        continue
      }
      let q = p
      while (q < pages.length && pages[q] !== 0) q++
      const start = p * pageBytes
      writeFully(this.#fd, table, start, Math.min(q * pageBytes, table.length), INDEX_HEADER_SIZE + start)
      pages.fill(0, p, q)
      this.#dirtyCount -= q - p
      p = q
    }
  }

  /** Gives up the slot table (the file is full and clean; later reads go to the file). Returns it for reuse. */
  releaseTable(): Buffer | null {
    if (!this.isClean) return null
    const table = this.#table
    this.#table = null
    this.#slots = null
    this.#dirtyPages = null
    return table
  }

  /** The header as it is now, ready to write. */
  headerBytes(): Buffer {
    const h = this.header
    const bytes = Buffer.alloc(INDEX_HEADER_SIZE)
    writeLong(bytes, 0, h.beginTimestamp)
    writeLong(bytes, 8, h.endTimestamp)
    writeLong(bytes, 16, h.beginPhyOffset)
    writeLong(bytes, 24, h.endPhyOffset)
    bytes.writeInt32BE(h.hashSlotCount, 32)
    bytes.writeInt32BE(h.indexCount, 36)
    return bytes
  }

  /** Writes header bytes at offset 0 (nothing when the file was deleted). */
  writeHeader(bytes: Buffer): void {
    if (this.#fd >= 0) writeFully(this.#fd, bytes, 0, bytes.length, 0)
  }

  /** fsyncs the file (nothing when it was deleted). */
  async sync(fsync: FsyncFunction): Promise<void> {
    if (this.#fd < 0) return
    this.acquire()
    try {
      await fsync(this.#fd)
    } finally {
      this.release()
    }
  }

  /** Value of `slot` (0 = empty): from memory for the file being filled, else read from the file. */
  async slotValue(slot: number): Promise<number> {
    if (this.#slots) return this.#slots.getInt32(slot * HASH_SLOT_SIZE)
    const bytes = await this.#read(INDEX_HEADER_SIZE + slot * HASH_SLOT_SIZE, HASH_SLOT_SIZE)
    return bytes.length === HASH_SLOT_SIZE ? bytes.readInt32BE(0) : INVALID_INDEX
  }

  /** Entry `n` (buffered or from the file); null when not in the file. */
  async readEntry(n: number): Promise<IndexEntry | null> {
    if (n >= this.#written && this.#pending) {
      const at = (n - this.#written) * INDEX_ENTRY_SIZE
      return at + INDEX_ENTRY_SIZE <= this.#pendingLength ? decodeIndexEntry(this.#pending, at) : null
    }
    const bytes = await this.#read(this.#entryPosition(n), INDEX_ENTRY_SIZE)
    return bytes.length === INDEX_ENTRY_SIZE ? decodeIndexEntry(bytes, 0) : null
  }

  /** Up to `count` entries from `n`, straight from the file (recovery); fewer when the file ends first. */
  async #readEntries(n: number, count: number): Promise<Buffer> {
    const bytes = await this.#read(this.#entryPosition(n), count * INDEX_ENTRY_SIZE)
    return bytes.subarray(0, bytes.length - (bytes.length % INDEX_ENTRY_SIZE))
  }

  async #read(position: number, length: number): Promise<Buffer> {
    if (this.#fd < 0) return Buffer.alloc(0)
    this.acquire()
    try {
      const out = Buffer.allocUnsafe(length)
      let done = 0
      while (done < length) {
        const n = await readAsync(this.#fd, out, done, length - done, position + done)
        if (n === 0) break
        done += n
      }
      return out.subarray(0, done)
    } finally {
      this.release()
    }
  }

  /**
   * Visits the entries chained from the slot of `keyHash`, newest first, whose keyHash matches and whose
   * store time may lie in [begin, end] (an entry keeps whole seconds since beginTimestamp, so its store
   * time is within 999 ms after the time it gives). Stops when `visit` answers false, when the chain ends
   * or leaves the window, or at an entry number that does not go down (RocketMQ IndexFile.selectPhyOffset).
   */
  async walk(keyHash: number, begin: number, end: number, visit: (phyOffset: number) => Promise<boolean>): Promise<void> {
    const count = this.header.indexCount
    let n = await this.slotValue(keyHash % this.slotNum)
    if (n <= INVALID_INDEX || n >= count) return
    for (;;) {
      const entry = await this.readEntry(n)
      if (!entry || entry.timeDiff < 0) return
      const time = this.header.beginTimestamp + entry.timeDiff * 1000
      if (entry.keyHash === keyHash && time <= end && time + 999 >= begin && !(await visit(entry.phyOffset))) return
      if (entry.prevIndex <= INVALID_INDEX || entry.prevIndex >= n || time + 999 < begin) return
      n = entry.prevIndex
    }
  }

  /**
   * Makes the last file consistent with a commit log ending at `commitLogEnd`, trusting the header on disk
   * (written only after the entries and slots it covers were fsynced):
   * 1. entries whose record starts at or past `commitLogEnd` are cut (entries are in commit-log order:
   *    binary search); endPhyOffset/endTimestamp follow the new last entry (`storeTimeAt` reads its store time);
   * 2. when entries were cut or `verify` is set (the last run did not end with a complete index flush), and the
   *    file is not full, the slot table is loaded into `takeTable()` (zero-filled) and every slot pointing at or
   *    past indexCount is walked back along its chain to the newest durable entry, so older entries of the
   *    chain stay reachable (RocketMQ only ignores such slots). If a chain cannot be walked (a torn entry),
   *    the whole table is rebuilt from the entries. Otherwise the table stays on disk until the first put
   *    (`loadTableSync`);
   * 3. hashSlotCount is recounted. When anything changed, the header is marked dirty, so the next flush
 *    fsyncs the file and rewrites it.
   * Entries on disk past indexCount are left to be overwritten.
   */
  async recover(commitLogEnd: number, storeTimeAt: (phyOffset: number) => Promise<number>, verify: boolean, takeTable: () => Buffer): Promise<IndexFileRecovery> {
    const header = this.header
    const report: IndexFileRecovery = { empty: false, cutEntries: 0, repairedSlots: 0, rebuilt: false }
    if (header.indexCount > this.indexNum) header.indexCount = this.indexNum
    if (header.indexCount > 1 && header.endPhyOffset >= commitLogEnd) {
      let low = 1
      let high = header.indexCount
      while (low < high) {
        const mid = Math.floor((low + high) / 2)
        const entry = await this.readEntry(mid)
        if (!entry || entry.phyOffset >= commitLogEnd) high = mid
        else low = mid + 1
      }
      report.cutEntries = header.indexCount - low
      header.indexCount = low
      const last = low > 1 ? await this.readEntry(low - 1) : null
      if (last) {
        header.endPhyOffset = last.phyOffset
        const time = await storeTimeAt(last.phyOffset)
        header.endTimestamp = time >= 0 ? time : header.beginTimestamp + last.timeDiff * 1000
      }
    }
    if (header.indexCount <= 1) {
      report.empty = true
      return report
    }
    this.#written = header.indexCount
    if (report.cutEntries > 0) this.headerDirty = true
    if (this.isFull || (!verify && report.cutEntries === 0)) return report
    await this.#loadTable(takeTable())
    const count = header.indexCount
    const slots = this.#slots!
    const words = this.#words()
    let highest = 0
    let broken = false
    for (let s = 0; s < this.slotNum; s++) {
      if (words[s] === 0) continue // most slots are empty: skip them without a big-endian read
      const v = slots.getInt32(s * HASH_SLOT_SIZE)
      if (v < 0) broken = true
      else if (v > highest) highest = v
    }
    if (!broken && highest >= count) {
      const tailCount = highest + 1 - count
      const tail = tailCount <= RECOVERY_READ_ENTRIES ? await this.#readEntries(count, tailCount) : null
      if (!tail) broken = true
      for (let s = 0; s < this.slotNum && !broken; s++) {
        if (words[s] === 0) continue
        let v = slots.getInt32(s * HASH_SLOT_SIZE)
        if (v < count) continue
        while (v >= count) {
          const at = (v - count) * INDEX_ENTRY_SIZE
          if (at + INDEX_ENTRY_SIZE > tail!.length) {
            broken = true
            break
          }
          const entry = decodeIndexEntry(tail!, at)
          if (entry.keyHash < 0 || entry.keyHash % this.slotNum !== s || entry.prevIndex < 0 || entry.prevIndex >= v) {
            broken = true
            break
          }
          v = entry.prevIndex
        }
        slots.setInt32(s * HASH_SLOT_SIZE, v)
        this.#markDirty(s)
        report.repairedSlots++
      }
    }
    if (broken) {
      this.logger.warn('index slot table cannot be repaired along its chains; rebuilding it from the entries', { file: this.path, indexCount: count })
      await this.#rebuildSlots(count)
      report.rebuilt = true
    }
    let used = 0
    const after = this.#words()
    for (let s = 0; s < this.slotNum; s++) if (after[s] !== 0) used++
    if (report.repairedSlots > 0 || report.rebuilt || used !== header.hashSlotCount) this.headerDirty = true
    header.hashSlotCount = used
    return report
  }

  /**
   * Reads the slot table from the file into `table` (zero-filled; a short file leaves zeros), synchronously:
   * the first put after a clean open needs it (once per open, `slotNum × 4` bytes, mostly page cache).
   * @throws the fs error.
   */
  loadTableSync(table: Buffer): void {
    const length = this.slotNum * HASH_SLOT_SIZE
    let done = 0
    while (done < length) {
      const n = fs.readSync(this.#fd, table, done, length - done, INDEX_HEADER_SIZE + done)
      if (n === 0) break
      done += n
    }
    this.#attach(table)
  }

  /** Reads the slot table from the file into `table` (zero-filled; a short file leaves zeros). */
  async #loadTable(table: Buffer): Promise<void> {
    const bytes = await this.#read(INDEX_HEADER_SIZE, this.slotNum * HASH_SLOT_SIZE)
    bytes.copy(table, 0)
    this.#attach(table)
  }

  /** Sets every slot to the newest of entries [1, count) with its hash; every page becomes dirty. */
  async #rebuildSlots(count: number): Promise<void> {
    const slots = this.#slots!
    this.#table!.fill(0)
    for (let n = 1; n < count; ) {
      const bytes = await this.#readEntries(n, Math.min(RECOVERY_READ_ENTRIES, count - n))
      if (bytes.length === 0) break
      for (let at = 0; at < bytes.length; at += INDEX_ENTRY_SIZE, n++) {
        const keyHash = bytes.readInt32BE(at)
        if (keyHash >= 0) slots.setInt32((keyHash % this.slotNum) * HASH_SLOT_SIZE, n)
      }
    }
    this.#dirtyPages!.fill(1)
    this.#dirtyCount = this.#dirtyPages!.length
  }

  /** Marks the descriptor in use by an async operation (it is not closed until released). */
  acquire(): void {
    this.#users++
  }

  release(): void {
    if (--this.#users > 0) return
    const waiters = this.#onIdle
    this.#onIdle = []
    for (const resume of waiters) resume()
  }

  /** Closes the descriptor (buffered entries are written first; a failure is logged). Idempotent. */
  close(): void {
    if (this.#fd < 0) return
    try {
      this.commit()
    } catch (err) {
      this.logger.error('buffered index entries could not be written before closing', { file: this.path, error: (err as Error).message })
    }
    fs.closeSync(this.#fd)
    this.#fd = -1
  }

  /** Closes and deletes the file once no async read, fsync or flush uses it. */
  async destroyWhenIdle(): Promise<void> {
    while (this.#users > 0) await new Promise<void>((resume) => this.#onIdle.push(resume))
    this.#pendingLength = 0
    this.close()
    fs.rmSync(this.path, { force: true })
  }
}
