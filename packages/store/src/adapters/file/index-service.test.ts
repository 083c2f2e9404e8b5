import { javaStringHashCode, noopLogger } from '@cometmq/protocol'
import crypto from 'node:crypto'
import fs from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { HASH_SLOT_SIZE, INDEX_ENTRY_SIZE, INDEX_HEADER_SIZE, decodeIndexEntry, indexFileName, indexFileTime, indexKeyHash, topicHashPrefix } from './index-file.js'
import { IndexService } from './index-service.js'
import { fdatasync } from './segment-file.js'

const SLOTS = 5
const INDEX_NUM = 9 // 8 entries per file

/** A key whose `<topic>#<key>` has Java hashCode Integer.MIN_VALUE (abs overflows): 5 UTF-16 units solved in base 31. */
function minValueKey(topic: string): string {
  const prefix = topicHashPrefix(topic)
  // hash(prefix + c1..c5) = prefix·31^5 + Σ ci·31^(5-i) (mod 2^32); pick the ci greedily for the target
  let rest = Number((BigInt(-2147483648) - BigInt(prefix) * 31n ** 5n) & 0xffffffffn)
  const units: number[] = []
  for (let i = 4; i >= 0; i--) {
    const unit = Math.floor(rest / 31 ** i)
    units.push(unit)
    rest -= unit * 31 ** i
  }
  return String.fromCharCode(...units)
}

/** Keeps every libuv thread-pool thread busy for a while, so a read issued next waits in the pool's queue. */
function occupyThreadPool(): Promise<unknown> {
  const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4)
  return Promise.all(Array.from({ length: threads }, () => new Promise((resolve) => crypto.pbkdf2('p', 's', 50_000, 32, 'sha256', resolve))))
}

describe('IndexFile key hash and names', () => {
  it('keyHash is abs(Java hashCode of "<topic>#<key>"), 0 when abs overflows', () => {
    for (const [topic, key] of [['TopicTest', 'order-1'], ['T', ''], ['主题', 'ключ'], ['%RETRY%g', 'C0A8012A3D6318B4AAC2']]) {
      expect(indexKeyHash(topicHashPrefix(topic!), key!)).toBe(Math.abs(javaStringHashCode(`${topic}#${key}`)))
    }
    const key = minValueKey('TopicTest')
    expect(javaStringHashCode(`TopicTest#${key}`)).toBe(-2147483648)
    expect(indexKeyHash(topicHashPrefix('TopicTest'), key)).toBe(0)
  })

  it('names files yyyyMMddHHmmssSSS in local time and reads the time back', () => {
    const ms = new Date(2024, 1, 29, 7, 5, 9, 42).getTime()
    expect(indexFileName(ms)).toBe('20240229070509042')
    expect(indexFileTime('20240229070509042')).toBe(ms)
    expect(indexFileTime('not-a-name')).toBeNaN()
  })
})

describe('IndexService', () => {
  let dirs: string[] = []
  let services: IndexService[] = []
  afterEach(() => {
    for (const s of services) s.closeAll()
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true })
    dirs = []
    services = []
  })

  const newDir = (): string => {
    const d = fs.mkdtempSync(join(tmpdir(), 'cometmq-index-'))
    dirs.push(d)
    return join(d, 'index')
  }
  const service = (dir: string): IndexService => {
    const s = new IndexService(dir, { slotNum: SLOTS, indexNum: INDEX_NUM, logger: noopLogger })
    services.push(s)
    return s
  }
  /** Query returning the accepted phyOffsets (every hit is "read" as its offset). */
  const lookup = async (s: IndexService, key: string, maxNum = 64, begin = 0, end = Number.MAX_SAFE_INTEGER, topic = 'T'): Promise<number[]> =>
    (await s.query(topic, key, maxNum, begin, end, async (phy) => Buffer.from(String(phy)))).map((b) => Number(b.toString()))
  const BASE_TIME = 1_700_000_000_000

  /** Message n: phyOffset n × 100, stored at BASE_TIME + n × 10 ms, keys `k<n % 7>` and `u<n>`. */
  const putMessage = (s: IndexService, n: number): void => s.put('T', [`k${n % 7}`, `u${n}`], n * 100, BASE_TIME + n * 10)
  const expected = (key: string, upTo: number): number[] =>
    Array.from({ length: upTo }, (_, n) => n)
      .filter((n) => `k${n % 7}` === key || `u${n}` === key)
      .map((n) => n * 100)
      .reverse()

  it('writes the RocketMQ layout: header, slot table, 20-byte entries chained per slot; a full file rolls over', async () => {
    const dir = newDir()
    const s = service(dir)
    await s.recover(0, async () => -1, false, false)
    for (let n = 0; n < 4; n++) putMessage(s, n) // 8 entries: file 1 is full
    putMessage(s, 4) // rolls
    expect(await s.flush(fdatasync)).toBe(true)
    const names = fs.readdirSync(dir).sort()
    expect(names).toHaveLength(2)
    expect(names.every((n) => /^\d{17}$/.test(n))).toBe(true)
    const bytes = fs.readFileSync(join(dir, names[0]!))
    expect(bytes.length).toBe(INDEX_HEADER_SIZE + SLOTS * HASH_SLOT_SIZE + INDEX_NUM * INDEX_ENTRY_SIZE) // nothing pre-allocated beyond the last entry
    expect(Number(bytes.readBigInt64BE(0))).toBe(BASE_TIME) // beginTimestamp
    expect(Number(bytes.readBigInt64BE(8))).toBe(BASE_TIME + 30) // endTimestamp
    expect(Number(bytes.readBigInt64BE(16))).toBe(0) // beginPhyOffset
    expect(Number(bytes.readBigInt64BE(24))).toBe(300) // endPhyOffset
    expect(bytes.readInt32BE(36)).toBe(INDEX_NUM) // indexCount: full
    const entryAt = (n: number) => decodeIndexEntry(bytes, INDEX_HEADER_SIZE + SLOTS * HASH_SLOT_SIZE + n * INDEX_ENTRY_SIZE)
    const slotValue = (slot: number) => bytes.readInt32BE(INDEX_HEADER_SIZE + slot * HASH_SLOT_SIZE)
    const used = new Set<number>()
    for (let n = 1; n < INDEX_NUM; n++) {
      const entry = entryAt(n)
      const message = Math.floor((n - 1) / 2)
      const key = n % 2 === 1 ? `k${message % 7}` : `u${message}`
      expect(entry).toMatchObject({ keyHash: indexKeyHash(topicHashPrefix('T'), key), phyOffset: message * 100, timeDiff: 0 })
      expect(entry.prevIndex).toBeLessThan(n)
      used.add(entry.keyHash % SLOTS)
    }
    expect(bytes.readInt32BE(32)).toBe(used.size) // hashSlotCount
    for (const slot of used) {
      // the slot holds the newest entry of its hash; the chain visits every entry of that slot, newest first
      const chain: number[] = []
      for (let n = slotValue(slot); n !== 0; n = entryAt(n).prevIndex) chain.push(n)
      const all = Array.from({ length: INDEX_NUM - 1 }, (_, i) => i + 1).filter((n) => entryAt(n).keyHash % SLOTS === slot)
      expect(chain).toEqual(all.reverse())
    }
  })

  it('finds every key across files and colliding slots, newest first, within maxNum and the time window', async () => {
    const s = service(newDir())
    await s.recover(0, async () => -1, false, false)
    for (let n = 0; n < 50; n++) putMessage(s, n)
    expect(s.files.length).toBe(Math.ceil(100 / (INDEX_NUM - 1)))
    expect(s.files.filter((f) => f.hasTable)).toEqual([s.files.at(-1)]) // memory: one slot table
    for (const key of ['k0', 'k3', 'k6', 'u0', 'u17', 'u49']) expect(await lookup(s, key)).toEqual(expected(key, 50))
    expect(await lookup(s, 'u50')).toEqual([])
    expect(await lookup(s, 'k1', 3)).toEqual(expected('k1', 50).slice(0, 3))
    expect(await lookup(s, 'k1', 64, 0, 0, 'Other')).toEqual([])
    // window [message 14, message 35]: files beginning after it are skipped, the walk stops at the file that
    // begins before it (entries keep whole seconds since their file's begin; the caller re-checks exactly)
    expect(await lookup(s, 'k0', 64, BASE_TIME + 140, BASE_TIME + 350)).toEqual([3500, 2800, 2100, 1400])
    expect(await lookup(s, 'k0', 64, BASE_TIME + 100_000, BASE_TIME + 200_000)).toEqual([])
    expect(s.lastUpdate).toEqual({ timestamp: BASE_TIME + 490, phyOffset: 4900 })
  })

  it('after a crash between the slot write and the header write, walks slots back along their chains and keeps older entries', async () => {
    const dir = newDir()
    const s = service(dir)
    await s.recover(0, async () => -1, false, false)
    for (let n = 0; n < 17; n++) putMessage(s, n) // 34 entries: 4 full files + 2 entries in the 5th
    expect(await s.flush(fdatasync)).toBe(true)
    for (let n = 17; n < 20; n++) putMessage(s, n) // 6 more in the 5th file, not full yet
    s.files.at(-1)!.writeDirtySlots() // entries and slots reach the file; the header (count 3) does not
    const copy = newDir()
    fs.cpSync(dir, copy, { recursive: true })

    const recovered = service(copy)
    const report = await recovered.recover(Number.MAX_SAFE_INTEGER, async () => -1, true, true)
    expect(report).toMatchObject({ missing: false, damaged: false, newestPhyOffset: 1600, cutEntries: 0, rebuilt: false })
    expect(report.repairedSlots).toBeGreaterThan(0)
    for (const key of ['k0', 'k2', 'k3', 'u15', 'u16']) expect(await lookup(recovered, key)).toEqual(expected(key, 17))
    expect(await lookup(recovered, 'u18')).toEqual([])
    // the store re-indexes the records after newestPhyOffset: each shows up once
    for (let n = 17; n < 20; n++) putMessage(recovered, n)
    for (const key of ['k0', 'k2', 'k3', 'u16', 'u18', 'u19']) expect(await lookup(recovered, key)).toEqual(expected(key, 20))
  })

  it('rebuilds the slot table from the entries when a chain past the header is torn', async () => {
    const dir = newDir()
    const s = service(dir)
    await s.recover(0, async () => -1, false, false)
    for (let n = 0; n < 17; n++) putMessage(s, n)
    expect(await s.flush(fdatasync)).toBe(true)
    for (let n = 17; n < 20; n++) putMessage(s, n)
    const last = s.files.at(-1)!
    last.writeDirtySlots()
    const copy = newDir()
    fs.cpSync(dir, copy, { recursive: true })
    // a machine crash lost the entries past the header but kept the slots that point at them
    const path = join(copy, last.name)
    fs.truncateSync(path, INDEX_HEADER_SIZE + SLOTS * HASH_SLOT_SIZE + last.header.indexCount * INDEX_ENTRY_SIZE - 6 * INDEX_ENTRY_SIZE)

    const recovered = service(copy)
    const report = await recovered.recover(Number.MAX_SAFE_INTEGER, async () => -1, true, true)
    expect(report.rebuilt).toBe(true)
    for (const key of ['k0', 'k2', 'k3', 'u15', 'u16']) expect(await lookup(recovered, key)).toEqual(expected(key, 17))
  })

  it('drops entries whose records are past the commit-log end, and files that hold only such entries', async () => {
    const dir = newDir()
    const s = service(dir)
    await s.recover(0, async () => -1, false, false)
    for (let n = 0; n < 30; n++) putMessage(s, n)
    expect(await s.flush(fdatasync)).toBe(true)
    s.closeAll()
    const filesBefore = fs.readdirSync(dir).length

    const recovered = service(dir)
    const storeTimes: number[] = []
    // the commit log now ends at message 13 (its torn record was cut): messages ≥ 13 are gone
    const report = await recovered.recover(1300, async (phy) => (storeTimes.push(phy), BASE_TIME + phy / 10), false, false)
    expect(report).toMatchObject({ newestPhyOffset: 1200, cutEntries: 60 - 26 })
    expect(report.droppedFiles).toBe(filesBefore - Math.ceil(26 / (INDEX_NUM - 1)))
    expect(fs.readdirSync(dir)).toHaveLength(filesBefore - report.droppedFiles)
    expect(storeTimes).toEqual([1200])
    expect(recovered.lastUpdate).toEqual({ timestamp: BASE_TIME + 120, phyOffset: 1200 })
    expect(await lookup(recovered, 'u20')).toEqual([])
    // new records at the freed offsets are indexed once, with no stale duplicates
    for (let n = 13; n < 16; n++) putMessage(recovered, n)
    for (const key of ['k6', 'u13', 'u15']) expect(await lookup(recovered, key)).toEqual(expected(key, 16))
  })

  it('drops trailing files that were never flushed (zero header), and damaged ones before valid files', async () => {
    const dir = newDir()
    const s = service(dir)
    await s.recover(0, async () => -1, false, false)
    for (let n = 0; n < 12; n++) putMessage(s, n) // 24 entries: 3 full files
    expect(await s.flush(fdatasync)).toBe(true)
    s.closeAll()
    const names = fs.readdirSync(dir).sort()
    fs.writeFileSync(join(dir, '99991231235959999'), Buffer.alloc(10)) // created, never flushed
    const trailing = service(dir)
    expect(await trailing.recover(Number.MAX_SAFE_INTEGER, async () => -1, true, true)).toMatchObject({ droppedFiles: 1, damaged: false, newestPhyOffset: 1100 })
    trailing.closeAll()
    expect(fs.readdirSync(dir).sort()).toEqual(names)

    fs.writeFileSync(join(dir, names[1]!), Buffer.alloc(INDEX_HEADER_SIZE)) // a zero header between valid files
    const damaged = service(dir)
    expect(await damaged.recover(Number.MAX_SAFE_INTEGER, async () => -1, false, false)).toMatchObject({ droppedFiles: 2, damaged: true, newestPhyOffset: 300 })
    expect(fs.readdirSync(dir)).toEqual([names[0]])
  })

  it('retention deletes files whose newest entry is below the minimum, never the newest file', async () => {
    const dir = newDir()
    const s = service(dir)
    await s.recover(0, async () => -1, false, false)
    for (let n = 0; n < 20; n++) putMessage(s, n) // 5 files: messages 0-3, 4-7, 8-11, 12-15, 16-19
    const names = s.files.map((f) => f.name)
    expect(await s.deleteBefore(700)).toBe(1) // the first file ends at offset 300; the second at 700, not below
    expect(await s.deleteBefore(800)).toBe(1)
    expect(fs.readdirSync(dir).sort()).toEqual(names.slice(2))
    expect(await lookup(s, 'u5')).toEqual([])
    expect(await lookup(s, 'k1')).toEqual(expected('k1', 20).filter((phy) => phy >= 800))
    expect(await s.deleteBefore(Number.MAX_SAFE_INTEGER)).toBe(2)
    expect(fs.readdirSync(dir)).toEqual(names.slice(4))
    expect(await lookup(s, 'u19')).toEqual([1900])
  })

  it('retention waits for a query walking a file before closing it; files already gone answer nothing', async () => {
    const dir = newDir()
    const s = service(dir)
    await s.recover(0, async () => -1, false, false)
    for (let n = 0; n < 20; n++) putMessage(s, n) // files: messages 0-3, 4-7, 8-11, 12-15, 16-19
    expect(await s.flush(fdatasync)).toBe(true)
    const busy = occupyThreadPool()
    // the window ends before the newest file begins: the walk starts in the 4th file, reading it from disk
    const querying = lookup(s, 'k5', 64, 0, BASE_TIME + 150)
    const deleting = s.deleteBefore(Number.MAX_SAFE_INTEGER)
    expect(await querying).toEqual([1200]) // message 12 (4th file); message 5 was in a file deleted before the walk got there
    expect(await deleting).toBe(4)
    expect(fs.readdirSync(dir)).toHaveLength(1)
    await busy
  })
})
