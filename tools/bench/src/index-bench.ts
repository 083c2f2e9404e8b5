/**
 * The key index alone, two ways: the file adapter's RocketMQ IndexFiles (`IndexService`) against the same entries
 * kept in classic-level (LevelDB). This is the measurement behind the default adapter's choice of IndexFiles.
 *
 *   cd /work/main && node --conditions=development --import tsx tools/bench/src/index-bench.ts [messages=1000000]
 *
 * Each message has two keys (a KEYS word and a UNIQ_KEY), as the store bench's messages do; entries are added in
 * groups of 32 messages (one IndexFile buffer commit, or one chained LevelDB batch), with an IndexFile flush every
 * second as the store's periodic flush does. Then 2000 look-ups of random UNIQ_KEYs (index only, no record reads).
 * Reported: messages/s, CPU µs per message (whole process), RSS, bytes on disk, µs per query.
 */
import fs from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import { join } from 'node:path'

interface IndexServiceLike {
  recover(commitLogEnd: number, storeTimeAt: (phyOffset: number) => Promise<number>, abnormal: boolean, verify: boolean): Promise<unknown>
  put(topic: string, keys: readonly string[], phyOffset: number, storeTimestamp: number): void
  commit(): number
  flush(fsync: (fd: number) => Promise<void>): Promise<boolean>
  query(topic: string, key: string, maxNum: number, begin: number, end: number, read: (phyOffset: number) => Promise<Buffer | null>): Promise<unknown[]>
  closeAll(): void
}
interface ChainedBatch {
  put(key: Buffer, value: Buffer): void
  write(): Promise<void>
}
interface LevelDb {
  open(): Promise<void>
  close(): Promise<void>
  batch(): ChainedBatch
  keys(options: Record<string, unknown>): { all(): Promise<Buffer[]> }
}

// sources by path, as store-bench does (tools/bench does not depend on @cometmq/store)
const repo = new URL('../../../', import.meta.url)
const { IndexService } = (await import(new URL('packages/store/src/adapters/file/index-service.ts', repo).href)) as {
  IndexService: new (dir: string, options: { slotNum: number; indexNum: number; logger: unknown }) => IndexServiceLike
}
const { indexKeysOf } = (await import(new URL('packages/store/src/index-keys.ts', repo).href)) as { indexKeysOf(properties: string): string[] }
const protocol = (await import(new URL('packages/protocol/src/index.ts', repo).href)) as {
  encodeProperties(props: Record<string, string>): string
  noopLogger: unknown
}
const { ClassicLevel } = createRequire(new URL('packages/store/package.json', repo))('classic-level') as {
  ClassicLevel: new (dir: string, options: Record<string, unknown>) => LevelDb
}

const N = Number(process.argv[2] ?? 1_000_000)
if (!Number.isSafeInteger(N) || N < 32) throw new Error(`messages must be an integer >= 32, got ${process.argv[2]}`)
const BATCH = 32
const QUERIES = 2000
const TOPIC = 'BenchTopic'
const uniqKey = (n: number): string => `BENCH${String(n).padStart(12, '0')}`
const properties = (n: number): string => protocol.encodeProperties({ TAGS: 'TagA', KEYS: `order-${n}`, UNIQ_KEY: uniqKey(n), WAIT: 'true' })
const fsync = (fd: number): Promise<void> => new Promise((resolve, reject) => fs.fdatasync(fd, (error) => (error ? reject(error) : resolve())))
const cpuUs = (): number => {
  const used = process.cpuUsage()
  return used.user + used.system
}
const rssMb = (): number => Math.round(process.memoryUsage().rss / 1048576)
const phyOffset = (n: number): number => n * 1100
const picks = Array.from({ length: QUERIES }, () => Math.floor(Math.random() * N))

function duBytes(dir: string): number {
  let total = 0
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    total += entry.isDirectory() ? duBytes(path) : fs.statSync(path).blocks * 512
  }
  return total
}

function line(label: string, ms: number, cpu: number, dir: string): void {
  console.log(`${label.padEnd(46)} | ${String(Math.round((N / ms) * 1000)).padStart(8)} msg/s | CPU ${(cpu / N).toFixed(2)} µs/msg | RSS ${rssMb()} MB | disk ${(duBytes(dir) / 1048576).toFixed(0)} MB`)
}

async function indexFiles(): Promise<void> {
  const dir = fs.mkdtempSync(join(os.tmpdir(), 'cometmq-index-bench-'))
  try {
    const service = new IndexService(join(dir, 'index'), { slotNum: 5_000_000, indexNum: 20_000_000, logger: protocol.noopLogger })
    await service.recover(0, async () => -1, false, false)
    const start = performance.now()
    const cpu = cpuUs()
    let lastFlush = start
    for (let n = 0; n < N; n += BATCH) {
      for (let i = n; i < Math.min(N, n + BATCH); i++) service.put(TOPIC, indexKeysOf(properties(i)), phyOffset(i), 1_700_000_000_000 + i)
      service.commit()
      if (performance.now() - lastFlush > 1000) {
        await service.flush(fsync)
        lastFlush = performance.now()
      }
      if (n % 3200 === 0) await new Promise((resolve) => setImmediate(resolve))
    }
    await service.flush(fsync)
    line(`IndexFile put ${N} (2 keys each)`, performance.now() - start, cpuUs() - cpu, dir)
    const q = performance.now()
    for (const n of picks) {
      const hits = await service.query(TOPIC, uniqKey(n), 32, 0, Number.MAX_SAFE_INTEGER, async () => Buffer.alloc(1))
      if (hits.length !== 1) throw new Error(`IndexFile: ${uniqKey(n)} found ${hits.length} times`)
    }
    console.log(`${'IndexFile query (index only)'.padEnd(46)} | ${(((performance.now() - q) * 1000) / QUERIES).toFixed(1)} µs/query`)
    service.closeAll()
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** Key `topic#key \0 phyOffset(u64)`, value empty: the layout a LevelDB index for the file adapter would use. */
function levelKey(key: string, offset: number): Buffer {
  const prefix = Buffer.from(`${TOPIC}#${key}\u0000`)
  const out = Buffer.allocUnsafe(prefix.length + 8)
  prefix.copy(out)
  out.writeBigUInt64BE(BigInt(offset), prefix.length)
  return out
}

async function classicLevel(): Promise<void> {
  const dir = fs.mkdtempSync(join(os.tmpdir(), 'cometmq-index-bench-'))
  try {
    const db = new ClassicLevel(join(dir, 'db'), { keyEncoding: 'buffer', valueEncoding: 'buffer' })
    await db.open()
    const empty = Buffer.alloc(0)
    const start = performance.now()
    const cpu = cpuUs()
    for (let n = 0; n < N; n += BATCH) {
      const batch = db.batch()
      for (let i = n; i < Math.min(N, n + BATCH); i++) for (const key of indexKeysOf(properties(i))) batch.put(levelKey(key, phyOffset(i)), empty)
      await batch.write()
    }
    line(`classic-level put ${N} (chained batch/32)`, performance.now() - start, cpuUs() - cpu, dir)
    const q = performance.now()
    for (const n of picks) {
      const prefix = Buffer.from(`${TOPIC}#${uniqKey(n)}\u0000`)
      const upper = Buffer.from(prefix)
      upper[upper.length - 1] = 1
      const hits = await db.keys({ gte: prefix, lt: upper, reverse: true, limit: 32 }).all()
      if (hits.length !== 1) throw new Error(`classic-level: ${uniqKey(n)} found ${hits.length} times`)
    }
    console.log(`${'classic-level query (index only)'.padEnd(46)} | ${(((performance.now() - q) * 1000) / QUERIES).toFixed(1)} µs/query`)
    await db.close()
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

console.log(`index-bench | node ${process.version} | ${os.cpus().length} cpus | load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} | ${N} messages`)
await indexFiles()
await classicLevel()
