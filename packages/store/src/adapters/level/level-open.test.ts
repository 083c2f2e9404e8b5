import { decodeMessageRecord } from '@cometmq/protocol'
import { ClassicLevel } from 'classic-level'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { pack, unpack } from 'msgpackr'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { errorCodeOf, readQueue } from '../../conformance/harness.js'
import type { MessageStore } from '../../message-store.js'
import { SEGMENT_SIZE, TOPIC, numbered, useLevelEnv } from './__fixtures__/level-test-helpers.js'

const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

/** Everything a reader can observe, for before/after comparisons. */
async function observe(store: MessageStore): Promise<unknown> {
  const queues: unknown[] = []
  for (const queueId of [0, 1, 2]) {
    const records = await readQueue(store, TOPIC, queueId)
    queues.push({
      min: store.getMinOffsetInQueue(TOPIC, queueId),
      max: store.getMaxOffsetInQueue(TOPIC, queueId),
      records: records.map((r) => r.toString('hex')),
      earliest: await store.getEarliestMessageTime(TOPIC, queueId),
    })
  }
  const shared = await store.queryMessage({ topic: TOPIC, key: 'shared', maxNum: 64, beginTimestamp: 0, endTimestamp: Number.MAX_SAFE_INTEGER })
  return {
    minPhyOffset: store.getMinPhyOffset(),
    maxPhyOffset: store.getMaxPhyOffset(),
    queues,
    shared: shared.messages.map((m) => decodeMessageRecord(m).commitLogOffset),
    indexLastUpdatePhyoffset: shared.indexLastUpdatePhyoffset,
    indexLastUpdateTimestamp: shared.indexLastUpdateTimestamp,
  }
}

async function fill(store: MessageStore, count: number, from = 0): Promise<void> {
  for (let n = from; n < from + count; n++) expect((await store.putMessage(numbered(n, 3, 1000))).status).toBe('PUT_OK')
}

describe('LevelMessageStore open, lock and repair', () => {
  const env = useLevelEnv()
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('reports a fresh database, then opens from its metadata', async () => {
    const dir = env.dir()
    const store = env.store(dir)
    await store.open()
    expect(store.lastRecovery).toEqual({ source: 'fresh', purged: false })
    await fill(store, 10)
    await store.close()
    await store.open()
    expect(store.lastRecovery).toEqual({ source: 'metadata', purged: false })
    expect(store.getMaxOffsetInQueue(TOPIC, 0)).toBe(4)
  })

  it('a second store on the same directory fails with STORE_LOCKED until the first one closes', async () => {
    const dir = env.dir()
    const first = env.store(dir)
    await first.open()
    const second = env.store(dir)
    expect(await errorCodeOf(() => second.open())).toBe('STORE_LOCKED')
    expect(second.status).toBe('new')
    await first.close()
    await second.open()
    expect(second.status).toBe('open')
  })

  it('another process holding the database makes open() fail with STORE_LOCKED; its lock dies with it', async () => {
    const dir = env.dir()
    const store = env.store(dir)
    await store.open()
    await store.close()
    const script = `import { ClassicLevel } from 'classic-level'
      const db = new ClassicLevel(process.env.LEVEL_DIR); await db.open(); console.log('locked'); setInterval(() => {}, 1000)`
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: PACKAGE_DIR, env: { ...process.env, LEVEL_DIR: join(dir, 'level') }, stdio: ['ignore', 'pipe', 'pipe'] })
    try {
      await new Promise<void>((resolve, reject) => {
        const bound = setTimeout(() => reject(new Error('child did not open the database within 10 s')), 10_000)
        child.stdout.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('locked')) {
            clearTimeout(bound)
            resolve()
          }
        })
        child.on('exit', (code) => reject(new Error(`child exited with ${code}`)))
      })
      expect(await errorCodeOf(() => store.open())).toBe('STORE_LOCKED')
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGKILL')
      await exited
    }
    await store.open()
    expect(store.status).toBe('open')
  })

  it('a corrupt LevelDB fails with STORE_CORRUPT', async () => {
    const dir = env.dir()
    const store = env.store(dir)
    await store.open()
    await fill(store, 3)
    await store.close()
    const manifest = fs.readdirSync(join(dir, 'level')).find((name) => name.startsWith('MANIFEST-'))!
    fs.writeFileSync(join(dir, 'level', manifest), Buffer.alloc(300, 0xab))
    expect(await errorCodeOf(() => store.open())).toBe('STORE_CORRUPT')
    expect(store.status).toBe('closed')
  })

  it('refuses another layout version (STORE_CORRUPT) and another mappedFileSizeCommitLog (BAD_ARGUMENT)', async () => {
    const dir = env.dir()
    const store = env.store(dir)
    await store.open()
    await fill(store, 3)
    await store.close()
    expect(await errorCodeOf(() => env.store(dir, { mappedFileSizeCommitLog: 2 * SEGMENT_SIZE }).open())).toBe('BAD_ARGUMENT')
    const db = await env.raw(dir)
    const head = Buffer.from([0x01, 0x48])
    await db.put(head, pack({ ...unpack((await db.get(head))!), version: 99 }))
    await db.close()
    expect(await errorCodeOf(() => store.open())).toBe('STORE_CORRUPT')
  })

  it('rebuilds lost metadata from the keys: same offsets, records and index; puts continue', async () => {
    const dir = env.dir()
    const store = env.store(dir, { diskUsage: async () => 10 })
    await store.open()
    await fill(store, 150)
    expect((await store.deleteExpiredFiles({ force: true })).deletedSegments).toBeGreaterThan(0)
    const before = await observe(store)
    await store.close()

    const db = await env.raw(dir)
    const metadata = await db.keys({ gte: Buffer.from([0x01]), lt: Buffer.from([0x05]) }).all()
    expect(metadata.length).toBeGreaterThan(5)
    await db.batch(metadata.map((key) => ({ type: 'del' as const, key })))
    await db.close()

    await store.open()
    expect(store.lastRecovery).toEqual({ source: 'rebuilt', purged: false })
    expect(await observe(store)).toEqual(before)
    const next = await store.putMessage(numbered(150, 3, 1000))
    expect(next.appendResult!.queueOffset).toBe(50)
    expect(next.appendResult!.wroteOffset).toBeGreaterThanOrEqual((before as { maxPhyOffset: number }).maxPhyOffset)
    await store.close()
    await store.open()
    expect(store.lastRecovery!.source).toBe('metadata')
    expect(store.getMaxOffsetInQueue(TOPIC, 0)).toBe(51)
  })

  it('finishes a retention run that was cut short before its keys were removed', async () => {
    const dir = env.dir()
    const store = env.store(dir, { diskUsage: async () => 10 })
    await store.open()
    await fill(store, 150)
    const clear = vi.spyOn(ClassicLevel.prototype, 'clear').mockRejectedValueOnce(new Error('simulated crash'))
    await expect(store.deleteExpiredFiles({ force: true })).rejects.toThrow('simulated crash')
    expect(clear).toHaveBeenCalled()
    const min = store.getMinPhyOffset()
    expect(min).toBe(2 * SEGMENT_SIZE)
    const after = await observe(store)
    await store.close()
    vi.restoreAllMocks()

    const raw = await env.raw(dir)
    const stale = await raw.keys({ gte: Buffer.from([0x10]), lt: Buffer.from([0x11]), limit: 1 }).all()
    expect(stale[0]![0]).toBe(0x10)
    expect(Number(stale[0]!.readBigUInt64BE(1))).toBeLessThan(min)
    await raw.close()

    await store.open()
    expect(store.lastRecovery).toEqual({ source: 'metadata', purged: true })
    expect(await observe(store)).toEqual(after)
    await store.close()
    const db = await env.raw(dir)
    const firstRecord = (await db.keys({ gte: Buffer.from([0x10]), lt: Buffer.from([0x11]), limit: 1 }).all())[0]!
    expect(Number(firstRecord.readBigUInt64BE(1))).toBe(min)
    const firstIndexed = (await db.keys({ gte: Buffer.from([0x31]), lt: Buffer.from([0x32]), limit: 1 }).all())[0]!
    expect(Number(firstIndexed.readBigUInt64BE(1))).toBeGreaterThanOrEqual(min)
    const queueEntries = await db.values({ gte: Buffer.from([0x20]), lt: Buffer.from([0x21]) }).all()
    expect(queueEntries.every((unit) => Number(unit.readBigInt64BE(0)) >= min)).toBe(true)
  })
})
