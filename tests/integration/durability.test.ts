/**
 * Durability of a SYNC_FLUSH broker running in a child process (tests/harness/durable-broker.ts):
 * - SIGKILL while sends are in flight: every acknowledged message comes back byte-identical after restart.
 * - A torn tail (garbage after the last record) written by hand after a clean stop is truncated on restart.
 * Plus a smoke test of the real mqbroker CLI (apps/broker/src/main.ts): boot, register, SIGTERM, unregister.
 */
import { randomBytes } from 'node:crypto'
import { open, readdir, rm, stat, writeFile } from 'node:fs/promises'
import net from 'node:net'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { NamesrvController } from '@cometmq/namesrv'
import { createTopicOnBroker, getClusterInfo, makeTempDir } from '../harness/cluster.js'
import { Code, Resp } from '../harness/codes.js'
import { pullAll, sendV2 } from '../harness/messaging.js'
import { MAGIC_V1 } from '../harness/records.js'
import type { DecodedRecord } from '../harness/records.js'
import { REPO_ROOT, TsxProcess } from '../harness/process.js'
import { SniffingProxy } from '../harness/proxy.js'
import { uniqueName, waitFor } from '../harness/wait.js'
import { WireConnection } from '../harness/wire.js'

const DURABLE_BROKER = join(REPO_ROOT, 'tests', 'harness', 'durable-broker.ts')
const BROKER_CLI = join(REPO_ROOT, 'apps', 'broker', 'src', 'main.ts')
const QUEUES = 4

const teardown: Array<() => Promise<void>> = []
afterEach(async () => {
  while (teardown.length > 0) await teardown.pop()?.().catch(() => {})
})

async function startDurableBroker(storeDir: string): Promise<{ proc: TsxProcess; addr: string }> {
  const proc = new TsxProcess(DURABLE_BROKER, [storeDir, 'durable-b'])
  teardown.push(() => proc.ensureDead())
  const line = await proc.waitForLine(/"event":"started"/, 20_000)
  const { port } = JSON.parse(line.replace(/^out\| /, '')) as { port: number }
  return { proc, addr: `127.0.0.1:${port}` }
}

async function connect(addr: string): Promise<WireConnection> {
  const conn = await WireConnection.connect(addr)
  teardown.push(() => conn.close())
  return conn
}

interface SentMessage {
  seq: number
  queueId: number
  body: Buffer
  properties: Record<string, string>
  flag: number
  bornTimestamp: number
}

interface Ack {
  msg: SentMessage
  msgId: string
  queueOffset: number
}

function makeMessage(seq: number, runId: string): SentMessage {
  // mixed sizes, some well over 4 KiB, so 200 messages (~0.7 MiB) roll over several 256 KiB commit-log files
  const size = seq % 10 === 0 ? 20_000 + seq : 100 + ((seq * 37) % 3000)
  return {
    seq,
    queueId: seq % QUEUES,
    body: randomBytes(size),
    properties: {
      TAGS: `Tag${seq % 3}`,
      KEYS: `dk-${runId}-${seq} second-${seq}`,
      UNIQ_KEY: randomBytes(16).toString('hex').toUpperCase(),
      WAIT: 'true',
      seq: String(seq),
      note: `ünïcödé-${seq}`,
    },
    flag: seq,
    bornTimestamp: 1_700_000_000_000 + seq,
  }
}

/** Pulls every queue of `topic` and indexes the records by "queueId/queueOffset". */
async function pullEverything(conn: WireConnection, topic: string): Promise<Map<string, DecodedRecord>> {
  const out = new Map<string, DecodedRecord>()
  for (let q = 0; q < QUEUES; q++) {
    const records = await pullAll(conn, topic, q)
    records.forEach((r, i) => {
      expect(r.queueId, `record queueId in queue ${q}`).toBe(q)
      expect(r.queueOffset, `queue ${q} offsets contiguous`).toBe(i)
      out.set(`${q}/${r.queueOffset}`, r)
    })
  }
  return out
}

function expectRecordMatches(record: DecodedRecord | undefined, ack: Ack, topic: string): void {
  const where = `seq ${ack.msg.seq} (queue ${ack.msg.queueId} offset ${ack.queueOffset})`
  expect(record, `acknowledged ${where} is present after restart`).toBeDefined()
  if (!record) return
  expect(record.topic).toBe(topic)
  expect(record.body.equals(ack.msg.body), `body of ${where}`).toBe(true)
  expect(record.flag).toBe(ack.msg.flag)
  expect(record.bornTimestamp).toBe(ack.msg.bornTimestamp)
  expect(record.offsetMsgId, `offset msgId of ${where}`).toBe(ack.msgId)
  for (const [key, value] of Object.entries(ack.msg.properties)) {
    if (key === 'WAIT') continue // the broker strips WAIT from stored properties (§3.2)
    expect(record.properties[key], `property ${key} of ${where}`).toBe(value)
  }
}

describe('SYNC_FLUSH broker durability (child process)', () => {
  it('returns every acknowledged message byte-identical after SIGKILL and restart', async () => {
    const storeDir = await makeTempDir('durable')
    teardown.push(() => rm(storeDir, { recursive: true, force: true }))
    const topic = uniqueName('T_durable')
    const runId = uniqueName('run')
    const N = 200
    const CONCURRENCY = 8

    const first = await startDurableBroker(storeDir)
    await createTopicOnBroker(first.addr, topic, { queueNums: QUEUES })
    const conn = await connect(first.addr)

    const acks: Ack[] = []
    const attempted = new Map<number, SentMessage>()
    const failures: string[] = []
    let nextSeq = 0
    let killed: Promise<unknown> | null = null
    const worker = async (): Promise<void> => {
      while (acks.length < N && !killed) {
        const msg = makeMessage(nextSeq++, runId)
        attempted.set(msg.seq, msg)
        try {
          const res = await sendV2(conn, {
            topic,
            queueId: msg.queueId,
            body: msg.body,
            properties: msg.properties,
            flag: msg.flag,
            bornTimestamp: msg.bornTimestamp,
          })
          if (res.code === Resp.SUCCESS) {
            acks.push({ msg, msgId: res.extFields.msgId ?? '', queueOffset: Number(res.extFields.queueOffset) })
            // kill the moment N sends are acknowledged, with the other workers' sends still in flight
            if (acks.length === N && !killed) killed = first.proc.kill('SIGKILL')
          } else {
            failures.push(`seq ${msg.seq}: code ${res.code} ${res.remark}`)
          }
        } catch (error) {
          if (!killed) failures.push(`seq ${msg.seq}: ${(error as Error).message}`)
        }
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()))
    expect(failures, 'sends before the kill all succeeded').toEqual([])
    expect(acks.length).toBeGreaterThanOrEqual(N)
    const exit = await first.proc.waitExit(10_000)
    expect(exit.signal).toBe('SIGKILL')
    const commitLogFiles = (await readdir(join(storeDir, 'commitlog'))).filter((f) => /^\d{20}$/.test(f))
    expect(commitLogFiles.length, 'recovery has to cross commit-log file boundaries').toBeGreaterThan(1)

    const second = await startDurableBroker(storeDir)
    const conn2 = await connect(second.addr)
    const records = await pullEverything(conn2, topic)
    for (const ack of acks) expectRecordMatches(records.get(`${ack.msg.queueId}/${ack.queueOffset}`), ack, topic)
    // anything else that survived must be one of the messages we sent (in flight at the kill), intact
    const survivors = new Set<number>()
    for (const record of records.values()) {
      const sent = attempted.get(Number(record.properties.seq))
      expect(sent, `record ${record.offsetMsgId} is one of the messages sent`).toBeDefined()
      expect(survivors.has(sent?.seq ?? -1), `seq ${sent?.seq} stored once`).toBe(false)
      survivors.add(sent?.seq ?? -1)
      expect(record.body.equals(sent?.body ?? Buffer.alloc(0)), `body of seq ${sent?.seq}`).toBe(true)
      expect(record.queueId).toBe(sent?.queueId)
    }

    // the restarted broker keeps appending after the recovered data
    const after = makeMessage(nextSeq++, runId)
    const res = await sendV2(conn2, { topic, queueId: 0, body: after.body, properties: after.properties })
    expect(res.code, `send after restart: ${res.remark}`).toBe(Resp.SUCCESS)
    const queue0Count = [...records.keys()].filter((k) => k.startsWith('0/')).length
    expect(Number(res.extFields.queueOffset)).toBe(queue0Count)

    const stopped = await second.proc.kill('SIGTERM', 15_000)
    expect(stopped.code, second.proc.output()).toBe(0)
  }, 60_000)

  it('truncates a torn tail written after a clean stop and keeps old messages intact', async () => {
    const storeDir = await makeTempDir('torn')
    teardown.push(() => rm(storeDir, { recursive: true, force: true }))
    const topic = uniqueName('T_torn')
    const runId = uniqueName('run')

    const first = await startDurableBroker(storeDir)
    await createTopicOnBroker(first.addr, topic, { queueNums: QUEUES })
    const conn = await connect(first.addr)
    const acks: Ack[] = []
    for (let seq = 0; seq < 50; seq++) {
      const msg = makeMessage(seq, runId)
      const res = await sendV2(conn, {
        topic,
        queueId: msg.queueId,
        body: msg.body,
        properties: msg.properties,
        flag: msg.flag,
        bornTimestamp: msg.bornTimestamp,
      })
      expect(res.code, `send ${seq}: ${res.remark}`).toBe(Resp.SUCCESS)
      acks.push({ msg, msgId: res.extFields.msgId ?? '', queueOffset: Number(res.extFields.queueOffset) })
    }
    const before = await pullEverything(conn, topic)
    const endPhy = Math.max(...[...before.values()].map((r) => r.commitLogOffset + r.storeSize))
    await conn.close()
    const stopped = await first.proc.kill('SIGTERM', 15_000)
    expect(stopped.code, `clean stop: ${first.proc.output()}`).toBe(0)

    // write a torn record (plausible header, missing most of its bytes) right after the last record
    const commitLogDir = join(storeDir, 'commitlog')
    const files = (await readdir(commitLogDir)).filter((f) => /^\d{20}$/.test(f)).sort()
    const lastFile = files.at(-1)
    expect(lastFile, `commit-log files in ${commitLogDir}`).toBeDefined()
    const fileStart = Number(lastFile)
    const position = endPhy - fileStart
    const filePath = join(commitLogDir, lastFile as string)
    expect(position).toBeGreaterThanOrEqual(0)
    expect(position).toBeLessThanOrEqual((await stat(filePath)).size)
    const garbage = Buffer.concat([Buffer.alloc(8), randomBytes(120)])
    garbage.writeInt32BE(600, 0) // TOTALSIZE claims 600 bytes
    garbage.writeInt32BE(MAGIC_V1, 4) // valid magic, then random bytes and a missing remainder
    const handle = await open(filePath, 'r+')
    try {
      await handle.write(garbage, 0, garbage.length, position)
      await handle.sync()
    } finally {
      await handle.close()
    }

    const second = await startDurableBroker(storeDir)
    const conn2 = await connect(second.addr)
    const after = await pullEverything(conn2, topic)
    expect(after.size).toBe(acks.length)
    for (const ack of acks) expectRecordMatches(after.get(`${ack.msg.queueId}/${ack.queueOffset}`), ack, topic)

    const extra = makeMessage(1000, runId)
    const res = await sendV2(conn2, { topic, queueId: 1, body: extra.body, properties: extra.properties, flag: 7 })
    expect(res.code, `send after recovery: ${res.remark}`).toBe(Resp.SUCCESS)
    const queue1Count = [...after.keys()].filter((k) => k.startsWith('1/')).length
    expect(Number(res.extFields.queueOffset)).toBe(queue1Count)
    const tail = (await pullAll(conn2, topic, 1, { fromOffset: queue1Count }))[0]
    expect(tail?.body.equals(extra.body)).toBe(true)
    // the garbage was cut off: the new record starts exactly where the last valid one ended
    expect(tail?.commitLogOffset, 'new record written at the recovered end of the commit log').toBe(endPhy)

    const stopped2 = await second.proc.kill('SIGTERM', 15_000)
    expect(stopped2.code, second.proc.output()).toBe(0)
  }, 60_000)
})

/** Picks a listen port P such that P, P-2 (VIP channel) and P+1 (HA) are all free right now. */
async function freeBrokerPort(): Promise<number> {
  const canBind = (port: number): Promise<boolean> =>
    new Promise((resolve) => {
      const server = net.createServer()
      server.once('error', () => resolve(false))
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
    })
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = net.createServer()
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => {
        const a = server.address()
        const p = a && typeof a === 'object' ? a.port : 0
        server.close(() => resolve(p))
      })
    })
    if (port > 1026 && port < 65534 && (await canBind(port - 2)) && (await canBind(port + 1))) return port
  }
  throw new Error('no free port triple found')
}

describe('mqbroker CLI (apps/broker)', () => {
  it('boots, registers with the namesrv, and on SIGTERM unregisters and exits 0', async () => {
    const namesrv = new NamesrvController({ listenPort: 0, host: '127.0.0.1' })
    await namesrv.start()
    teardown.push(() => namesrv.shutdown())
    const proxy = await SniffingProxy.start(`127.0.0.1:${namesrv.port}`)
    teardown.push(() => proxy.close())
    const storeDir = await makeTempDir('cli')
    teardown.push(() => rm(storeDir, { recursive: true, force: true }))
    const brokerName = uniqueName('cli_broker')
    const clusterName = uniqueName('CliCluster')
    const port = await freeBrokerPort()
    const confPath = join(storeDir, 'broker.conf')
    await writeFile(
      confPath,
      [
        `brokerClusterName=${clusterName}`,
        `brokerName=${brokerName}`,
        'brokerId=0',
        'brokerIP1=127.0.0.1',
        'bindAddress=127.0.0.1',
        `listenPort=${port}`,
        `storePathRootDir=${join(storeDir, 'store')}`,
        'flushDiskType=ASYNC_FLUSH',
        '',
      ].join('\n'),
    )

    const proc = new TsxProcess(BROKER_CLI, ['-n', proxy.addr, '-c', confPath])
    teardown.push(() => proc.ensureDead())
    await proc.waitForLine(/boot success/, 20_000)

    const namesrvAddr = `127.0.0.1:${namesrv.port}`
    await waitFor(
      async () => (await getClusterInfo(namesrvAddr)).brokerAddrTable[brokerName]?.brokerAddrs?.['0'] === `127.0.0.1:${port}`,
      { timeoutMs: 10_000, description: `${brokerName} registered at 127.0.0.1:${port}` },
    )
    expect(proxy.codes()).toContain(Code.REGISTER_BROKER)
    // the broker serves requests on its configured port
    const conn = await connect(`127.0.0.1:${port}`)
    const res = await conn.invoke(Code.GET_MAX_OFFSET, { topic: 'TBW102', queueId: 0 })
    expect(res.code).toBe(Resp.SUCCESS)
    await conn.close()

    const exit = await proc.kill('SIGTERM', 15_000)
    expect(exit, `exit status; output:\n${proc.output()}`).toEqual({ code: 0, signal: null })
    expect(proxy.codes(), 'UNREGISTER_BROKER sent to the namesrv on shutdown').toContain(Code.UNREGISTER_BROKER)
    const unregister = proxy.requests.find((r) => r.code === Code.UNREGISTER_BROKER)
    expect(unregister?.extFields.brokerName).toBe(brokerName)
    expect(unregister?.extFields.brokerAddr).toBe(`127.0.0.1:${port}`)
    const info = await getClusterInfo(namesrvAddr)
    expect(info.brokerAddrTable[brokerName]?.brokerAddrs?.['0'], 'broker gone from namesrv cluster info').toBeUndefined()
  }, 60_000)
})
