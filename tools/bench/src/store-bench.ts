/**
 * In-process benchmark of one MessageStore adapter (no network, no broker): put TPS, get TPS, recovery and
 * reopen time after a large fill.
 *
 *   cd /work/main && node --conditions=development --import tsx tools/bench/src/store-bench.ts --adapter default [options]
 *
 * Phases (fresh store in a temp dir under `--dir`, removed at the end; ASYNC_FLUSH unless stated; 1 KB bodies
 * with TAGS, KEYS and UNIQ_KEY properties, so the key index works as in production):
 *   put b=1         `--concurrency` putters, each awaiting putMessage of one message, `--seconds` s
 *   put b=32        `--concurrency` putters, each awaiting putMessages of a 32-message batch, `--seconds` s
 *   put b=1 SYNC    as `put b=1` with flushDiskType SYNC_FLUSH (group commit)
 *   fill            `--messages` messages (batches of 32) written by a CHILD process over `--queues` queues;
 *                   the parent SIGKILLs it once it reports the fill done (store still open: an unclean stop)
 *   recover         open() of the killed store in this process (abnormal recovery), timed
 *   get backlog     one puller per queue, 32-message pulls from the min offset until every queue is drained
 *   reopen          close() then open() again (clean), timed
 *   query           `--queries` queryMessage calls by UNIQ_KEY of random filled messages
 *
 * Every line reports messages/s, CPU µs per message (whole process, all threads, process.cpuUsage) and RSS.
 * Options: --adapter default|level|memory, --size 1024, --seconds 5, --concurrency 32, --messages 1000000,
 * --queues 8, --queries 1000, --only put|backlog, --dir <parent of the temp dir>, --config key=value (extra
 * MessageStoreConfig keys, repeatable). Internal: --child-fill <dir> (the filler process).
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

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
interface BatchInput {
  topic: string
  queueId: number
  sysFlag: number
  bornTimestamp: number
  bornHost: SocketAddress
  storeHost: SocketAddress
  reconsumeTimes: number
  messages: Array<{ flag: number; body: Buffer; propertiesString: string; tagsCode: number }>
}
interface PutResult {
  status: string
}
interface Store {
  open(): Promise<void>
  close(): Promise<void>
  putMessage(input: PutInput): Promise<PutResult>
  putMessages(input: BatchInput): Promise<PutResult>
  getMessage(query: { topic: string; queueId: number; offset: number; maxMsgNums: number }): Promise<{ status: string; nextBeginOffset: number; messages: Buffer[] }>
  getMaxOffsetInQueue(topic: string, queueId: number): number
  getMinOffsetInQueue(topic: string, queueId: number): number
  queryMessage(query: { topic: string; key: string; maxNum: number; beginTimestamp: number; endTimestamp: number }): Promise<{ messages: Buffer[] }>
}
type StoreClass = new (config: Record<string, unknown>) => Store
interface ProtocolModule {
  encodeProperties(props: Record<string, string>): string
  tagsStringToTagsCode(tags: string | undefined): number
}

// The store is imported from its sources by path (tools/bench does not depend on @cometmq/store).
const repo = new URL('../../../', import.meta.url)
const storeModule = (await import(new URL('packages/store/src/index.ts', repo).href)) as Record<string, StoreClass | undefined>
const protocol = (await import(new URL('packages/protocol/src/index.ts', repo).href)) as ProtocolModule

const ADAPTERS = { default: 'FileMessageStore', level: 'LevelMessageStore', memory: 'MemoryMessageStore' } as const
type AdapterName = keyof typeof ADAPTERS

const { values } = parseArgs({
  options: {
    adapter: { type: 'string', default: 'default' },
    size: { type: 'string', default: '1024' },
    seconds: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '32' },
    messages: { type: 'string', default: '1000000' },
    queues: { type: 'string', default: '8' },
    queries: { type: 'string', default: '1000' },
    only: { type: 'string' },
    dir: { type: 'string', default: os.tmpdir() },
    config: { type: 'string', multiple: true, default: [] },
    'child-fill': { type: 'string' },
  },
  strict: true,
})

function positive(name: string, text: string): number {
  const n = Number(text)
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${text}`)
  return n
}

if (!(values.adapter! in ADAPTERS)) throw new Error(`--adapter must be one of ${Object.keys(ADAPTERS).join(', ')}`)
const adapter = values.adapter as AdapterName
const StoreCtor = storeModule[ADAPTERS[adapter]]
if (!StoreCtor) throw new Error(`@cometmq/store does not export ${ADAPTERS[adapter]}`)
const size = positive('size', values.size!)
const seconds = positive('seconds', values.seconds!)
const concurrency = positive('concurrency', values.concurrency!)
const messages = positive('messages', values.messages!)
const queues = positive('queues', values.queues!)
const queries = positive('queries', values.queries!)
const extraConfig: Record<string, unknown> = {}
for (const pair of values.config!) {
  const [k, v = ''] = pair.split('=')
  extraConfig[k!] = v === 'true' ? true : v === 'false' ? false : v !== '' && Number.isFinite(Number(v)) ? Number(v) : v
}

const TOPIC = 'StoreBench'
const BATCH = 32
const host: SocketAddress = { host: '127.0.0.1', port: 10911 }
const body = Buffer.alloc(size, 0x61)
const tagsCode = protocol.tagsStringToTagsCode('TagA')
const uniqKey = (n: number): string => `BENCH${String(n).padStart(12, '0')}`
const properties = (n: number): string => protocol.encodeProperties({ TAGS: 'TagA', KEYS: `order-${n}`, UNIQ_KEY: uniqKey(n), WAIT: 'true' })

function message(n: number): PutInput {
  return {
    topic: TOPIC, queueId: n % queues, flag: 0, body, propertiesString: properties(n), tagsCode, sysFlag: 0,
    bornTimestamp: Date.now(), bornHost: host, storeHost: host, reconsumeTimes: 0, preparedTransactionOffset: 0,
  }
}

/** Messages first..first+31 (numbering continues across batches; queue = batch number mod queues). */
function batch(first: number): BatchInput {
  return {
    topic: TOPIC, queueId: (first / BATCH) % queues, sysFlag: 0, bornTimestamp: Date.now(), bornHost: host, storeHost: host, reconsumeTimes: 0,
    messages: Array.from({ length: BATCH }, (_, i) => ({ flag: 0, body, propertiesString: properties(first + i), tagsCode })),
  }
}

function storeFor(dir: string, extra: Record<string, unknown> = {}): Store {
  return new StoreCtor!({ storePathRootDir: dir, ...extraConfig, ...extra })
}

interface Measured {
  messages: number
  ms: number
  cpuUs: number
}

async function measure(run: () => Promise<number>): Promise<Measured> {
  const cpu = process.cpuUsage()
  const start = performance.now()
  const count = await run()
  const ms = performance.now() - start
  const used = process.cpuUsage(cpu)
  return { messages: count, ms, cpuUs: used.user + used.system }
}

const rssMb = (): string => (process.memoryUsage().rss / 1048576).toFixed(0)

function report(label: string, m: Measured): void {
  const tps = Math.round((m.messages / m.ms) * 1000)
  const perMsg = m.messages > 0 ? (m.cpuUs / m.messages).toFixed(2) : '-'
  console.log(`${label.padEnd(24)} | TPS: ${String(tps).padStart(8)} | msgs: ${String(m.messages).padStart(9)} | ${(m.ms / 1000).toFixed(2).padStart(7)} s | CPU µs/msg: ${perMsg.padStart(6)} | RSS(MB): ${rssMb()}`)
}

function check(result: PutResult): void {
  if (result.status !== 'PUT_OK') throw new Error(`put answered ${result.status}`)
}

/** `concurrency` putters until `deadline` (performance.now() ms) or `count` messages; returns messages acknowledged. */
async function putLoad(store: Store, batchSize: 1 | typeof BATCH, limit: { deadline?: number; count?: number }, onProgress?: (done: number) => void): Promise<number> {
  let next = 0
  let done = 0
  const putter = async (): Promise<void> => {
    for (;;) {
      if (limit.count !== undefined && next >= limit.count) return
      if (limit.deadline !== undefined && performance.now() >= limit.deadline) return
      const first = next
      next += batchSize
      check(batchSize === 1 ? await store.putMessage(message(first)) : await store.putMessages(batch(first)))
      done += batchSize
      onProgress?.(done)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, putter))
  return done
}

/** One puller per queue pulling 32 at a time from the min offset to the max offset; returns messages read. */
async function drain(store: Store): Promise<number> {
  let total = 0
  await Promise.all(
    Array.from({ length: queues }, async (_, queueId) => {
      const max = store.getMaxOffsetInQueue(TOPIC, queueId)
      let offset = store.getMinOffsetInQueue(TOPIC, queueId)
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

/** `queries` look-ups by UNIQ_KEY of random retained messages (the newest 90 % of what the store still holds). */
async function queryLoad(store: Store, filled: number): Promise<number> {
  let retained = 0
  for (let queueId = 0; queueId < queues; queueId++) retained += store.getMaxOffsetInQueue(TOPIC, queueId) - store.getMinOffsetInQueue(TOPIC, queueId)
  const span = Math.max(1, Math.floor(Math.min(filled, retained) * 0.9))
  let found = 0
  for (let i = 0; i < queries; i++) {
    const n = filled - 1 - Math.floor(Math.random() * span)
    const result = await store.queryMessage({ topic: TOPIC, key: uniqKey(n), maxNum: 32, beginTimestamp: 0, endTimestamp: Date.now() })
    if (result.messages.length !== 1) throw new Error(`query of ${uniqKey(n)} found ${result.messages.length} messages`)
    found++
  }
  return found
}

/** Child: fill `messages` (batches of 32), print one JSON line with the figures, then wait to be killed. */
async function childFill(dir: string): Promise<void> {
  const store = storeFor(dir)
  await store.open()
  const m = await measure(() => putLoad(store, BATCH, { count: messages }))
  process.stdout.write(`${JSON.stringify({ ...m, rss: rssMb() })}\n`)
  setInterval(() => undefined, 1 << 30) // stay alive (store open) until SIGKILL
}

/** Spawns the filler, waits for its report line, SIGKILLs it and waits for its exit. */
async function fillInChild(dir: string): Promise<Measured & { rss: string }> {
  const script = fileURLToPath(import.meta.url)
  const args = [...process.execArgv, script, ...process.argv.slice(2).filter((a) => a !== '--only'), '--child-fill', dir]
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let text = ''
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString()
      const at = text.indexOf('\n')
      if (at >= 0) resolve(text.slice(0, at))
    })
    child.once('exit', (code, signal) => reject(new Error(`filler exited early (code ${code}, signal ${signal})`)))
  })
  child.kill('SIGKILL')
  await exited
  return JSON.parse(line) as Measured & { rss: string }
}

async function main(): Promise<void> {
  console.log(`store-bench | ${ADAPTERS[adapter]} | node ${process.version} | ${os.cpus().length} cpus | load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} | body ${size} B | queues ${queues} | concurrency ${concurrency} | config ${JSON.stringify(extraConfig)}`)
  const dirs: string[] = []
  const freshDir = (): string => {
    const dir = fs.mkdtempSync(join(values.dir!, 'cometmq-store-bench-'))
    dirs.push(dir)
    return dir
  }
  try {
    if (values.only !== 'backlog') {
      for (const [label, batchSize, extra] of [
        ['put b=1', 1, {}],
        ['put b=32', BATCH, {}],
        ['put b=1 SYNC_FLUSH', 1, { flushDiskType: 'SYNC_FLUSH' }],
      ] as const) {
        const dir = freshDir()
        const store = storeFor(dir, extra)
        await store.open()
        await putLoad(store, batchSize, { count: 4096 }) // warm-up
        report(label, await measure(() => putLoad(store, batchSize, { deadline: performance.now() + seconds * 1000 })))
        await store.close()
        fs.rmSync(dir, { recursive: true, force: true })
      }
    }
    if (values.only !== 'put') {
      const dir = freshDir()
      let store: Store
      if (adapter === 'memory') {
        // no files: nothing to recover; fill in-process
        store = storeFor(dir)
        await store.open()
        report(`fill ${messages} b=32`, await measure(() => putLoad(store, BATCH, { count: messages })))
      } else {
        const filled = await fillInChild(dir)
        console.log(`${`fill ${messages} b=32 (child)`.padEnd(24)} | TPS: ${String(Math.round((filled.messages / filled.ms) * 1000)).padStart(8)} | msgs: ${String(filled.messages).padStart(9)} | ${(filled.ms / 1000).toFixed(2).padStart(7)} s | CPU µs/msg: ${(filled.cpuUs / filled.messages).toFixed(2).padStart(6)} | RSS(MB): ${filled.rss} (child)`)
        store = storeFor(dir)
        const start = performance.now()
        await store.open()
        console.log(`${'recover after SIGKILL'.padEnd(24)} | ${((performance.now() - start) / 1000).toFixed(2)} s | RSS(MB): ${rssMb()}`)
      }
      report('get backlog 32/pull', await measure(() => drain(store)))
      report(`query by UNIQ_KEY x${queries}`, await measure(() => queryLoad(store, messages)))
      if (adapter !== 'memory') {
        await store.close()
        const start = performance.now()
        await store.open()
        console.log(`${'reopen (clean)'.padEnd(24)} | ${((performance.now() - start) / 1000).toFixed(2)} s | RSS(MB): ${rssMb()}`)
      }
      await store.close()
    }
  } finally {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
  }
}

if (values['child-fill'] !== undefined) await childFill(values['child-fill'])
else await main()
