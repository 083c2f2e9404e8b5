/**
 * In-process micro-benchmark of FileMessageStore (no network, no broker): put TPS and pull TPS.
 *
 *   cd /work/main && node --conditions=development --import tsx tools/bench/src/store-bench.ts [options]
 *
 * Phases (each on a fresh store in a temp dir, removed at the end; ASYNC_FLUSH unless stated):
 *   put c=1        one putter awaiting each putMessage, `--seconds` s
 *   put c=32       32 concurrent putters, `--seconds` s
 *   put c=32 SYNC  32 concurrent putters with flushDiskType SYNC_FLUSH (group commit), `--seconds` s
 *   fill           `--messages` messages by 32 putters over `--queues` queues (also reported as put TPS)
 *   get backlog    one puller per queue, 32-message pulls from offset 0 until every queue is drained, `--backlog-rounds` times
 *   get tail       the same over the newest `--tail` messages of each queue (data just written), `--tail-rounds` times
 *
 * Every line reports messages/s, CPU µs per message (user+system of the whole process, all threads, from
 * process.cpuUsage) and RSS. Options: --size 1024 (body bytes), --seconds 5, --messages 1000000, --queues 8,
 * --tail 4000 (messages per queue), --tail-rounds 5, --backlog-rounds 1, --only put|get, --dir <parent of the temp dirs>,
 * --config key=value (extra numeric/string MessageStoreConfig keys, repeatable).
 *
 * The store is imported from its sources by path (tools/bench does not depend on @cometmq/store), so the
 * types below describe only what this file uses.
 */
import fs from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'

interface SocketAddress {
  host: string
  port: number
}
interface PutInput {
  topic: string
  queueId: number
  flag: number
  body: Buffer
  propertiesString: string
  tagsCode: number
  sysFlag: number
  bornTimestamp: number
  bornHost: SocketAddress
  storeHost: SocketAddress
  reconsumeTimes: number
  preparedTransactionOffset: number
}
interface Store {
  open(): Promise<void>
  close(): Promise<void>
  putMessage(input: PutInput): Promise<{ status: string }>
  getMessage(query: { topic: string; queueId: number; offset: number; maxMsgNums: number }): Promise<{ status: string; nextBeginOffset: number; messages: Buffer[] }>
  getMaxOffsetInQueue(topic: string, queueId: number): number
}
type StoreClass = new (config: Record<string, unknown>) => Store
interface ProtocolModule {
  encodeProperties(props: Record<string, string>): string
  tagsStringToTagsCode(tags: string | undefined): number
}

const repo = new URL('../../../', import.meta.url)
const storeModule = (await import(new URL('packages/store/src/index.ts', repo).href)) as { FileMessageStore: StoreClass }
const protocol = (await import(new URL('packages/protocol/src/index.ts', repo).href)) as ProtocolModule

interface Options {
  size: number
  seconds: number
  messages: number
  queues: number
  tail: number
  tailRounds: number
  backlogRounds: number
  only: 'put' | 'get' | undefined
  dir: string
  config: Record<string, unknown>
}

function parseOptions(argv: string[]): Options {
  const options: Options = { size: 1024, seconds: 5, messages: 1_000_000, queues: 8, tail: 4000, tailRounds: 5, backlogRounds: 1, only: undefined, dir: os.tmpdir(), config: {} }
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i]
    const value = argv[++i]
    if (value === undefined) throw new Error(`missing value for ${key}`)
    switch (key) {
      case '--size': options.size = Number(value); break
      case '--seconds': options.seconds = Number(value); break
      case '--messages': options.messages = Number(value); break
      case '--queues': options.queues = Number(value); break
      case '--tail': options.tail = Number(value); break
      case '--tail-rounds': options.tailRounds = Number(value); break
      case '--backlog-rounds': options.backlogRounds = Number(value); break
      case '--only': options.only = value === 'put' || value === 'get' ? value : undefined; break
      case '--dir': options.dir = value; break
      case '--config': {
        const [k, v = ''] = value.split('=')
        options.config[k!] = v !== '' && Number.isFinite(Number(v)) ? Number(v) : v
        break
      }
      default: throw new Error(`unknown option ${key}`)
    }
  }
  return options
}

const options = parseOptions(process.argv.slice(2))
const TOPIC = 'StoreBench'
const host: SocketAddress = { host: '127.0.0.1', port: 10911 }
const body = Buffer.alloc(options.size, 0x61)
const tagsCode = protocol.tagsStringToTagsCode('TagA')
const dirs: string[] = []

function message(n: number): PutInput {
  return {
    topic: TOPIC,
    queueId: n % options.queues,
    flag: 0,
    body,
    propertiesString: protocol.encodeProperties({ TAGS: 'TagA', UNIQ_KEY: `BENCH${n}` }),
    tagsCode,
    sysFlag: 0,
    bornTimestamp: Date.now(),
    bornHost: host,
    storeHost: host,
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
  }
}

async function freshStore(extra: Record<string, unknown> = {}): Promise<Store> {
  const dir = fs.mkdtempSync(join(options.dir, 'cometmq-store-bench-'))
  dirs.push(dir)
  const store = new storeModule.FileMessageStore({ storePathRootDir: dir, ...options.config, ...extra })
  await store.open()
  return store
}

interface Measured {
  messages: number
  ms: number
  cpuUs: number
}

async function measure(run: () => Promise<number>): Promise<Measured> {
  const cpu = process.cpuUsage()
  const start = performance.now()
  const messages = await run()
  const ms = performance.now() - start
  const used = process.cpuUsage(cpu)
  return { messages, ms, cpuUs: used.user + used.system }
}

function report(label: string, m: Measured): void {
  const tps = Math.round((m.messages / m.ms) * 1000)
  const perMsg = m.messages > 0 ? (m.cpuUs / m.messages).toFixed(2) : '-'
  const rss = (process.memoryUsage().rss / 1048576).toFixed(0)
  console.log(`${label.padEnd(22)} | TPS: ${String(tps).padStart(7)} | msgs: ${String(m.messages).padStart(8)} | ${(m.ms / 1000).toFixed(2)} s | CPU µs/msg: ${perMsg.padStart(6)} | RSS(MB): ${rss}`)
}

/** `concurrency` putters until `deadline` (ms, performance.now()) or `count` messages; returns puts acknowledged. */
async function putLoad(store: Store, concurrency: number, limit: { deadline?: number; count?: number }): Promise<number> {
  let next = 0
  let done = 0
  const putter = async (): Promise<void> => {
    for (;;) {
      if (limit.count !== undefined && next >= limit.count) return
      if (limit.deadline !== undefined && (next & 63) === 0 && performance.now() >= limit.deadline) return
      const result = await store.putMessage(message(next++))
      if (result.status !== 'PUT_OK') throw new Error(`put answered ${result.status}`)
      done++
    }
  }
  await Promise.all(Array.from({ length: concurrency }, putter))
  return done
}

/** One puller per queue pulling 32 at a time from `from[q]` to the queue's max offset; returns messages read. */
async function drain(store: Store, from: number[]): Promise<number> {
  let total = 0
  await Promise.all(
    from.map(async (start, queueId) => {
      const max = store.getMaxOffsetInQueue(TOPIC, queueId)
      let offset = start
      while (offset < max) {
        const got = await store.getMessage({ topic: TOPIC, queueId, offset, maxMsgNums: 32 })
        if (got.status !== 'FOUND') throw new Error(`pull at ${queueId}/${offset} answered ${got.status}`)
        total += got.messages.length
        offset = got.nextBeginOffset
      }
    }),
  )
  return total
}

async function main(): Promise<void> {
  console.log(`store-bench | node ${process.version} | ${os.cpus().length} cpus | load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} | body ${options.size} B | queues ${options.queues} | config ${JSON.stringify(options.config)}`)
  if (options.only !== 'get') {
    for (const [label, concurrency, extra] of [
      ['put c=1', 1, {}],
      ['put c=32', 32, {}],
      ['put c=32 SYNC_FLUSH', 32, { flushDiskType: 'SYNC_FLUSH' }],
    ] as const) {
      const store = await freshStore(extra)
      await putLoad(store, concurrency, { count: 2000 }) // warm-up
      report(label, await measure(() => putLoad(store, concurrency, { deadline: performance.now() + options.seconds * 1000 })))
      await store.close()
    }
  }
  if (options.only !== 'put') {
    const store = await freshStore()
    report(`fill ${options.messages} c=32`, await measure(() => putLoad(store, 32, { count: options.messages })))
    for (let round = 0; round < options.backlogRounds; round++) {
      report(`get backlog 32/pull #${round + 1}`, await measure(() => drain(store, Array.from({ length: options.queues }, () => 0))))
    }
    const tailFrom = Array.from({ length: options.queues }, (_, q) => Math.max(0, store.getMaxOffsetInQueue(TOPIC, q) - options.tail))
    for (let round = 0; round < options.tailRounds; round++) report(`get tail 32/pull #${round + 1}`, await measure(() => drain(store, tailFrom)))
    await store.close()
  }
}

try {
  await main()
} finally {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
}
