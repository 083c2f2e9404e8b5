import { decodeMessageRecord } from '@cometmq/protocol'
import { ClassicLevel } from 'classic-level'
import { join } from 'node:path'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { PutMessageResult } from '../../types.js'
import { TOPIC, numbered, useLevelEnv } from './__fixtures__/level-test-helpers.js'

type BatchWrite = (this: { length: number }, options?: { sync?: boolean }) => Promise<void>

/** ClassicLevel's chained-batch prototype (the class is not exported), whose write() every put batch calls. */
let batchPrototype: { write: BatchWrite }

/** A defer hook that runs scheduled group commits only when the test says so. */
function manualDefer(): { defer: (callback: () => void) => void; run: () => void } {
  const pending: Array<() => void> = []
  return {
    defer: (callback) => pending.push(callback),
    run: () => {
      while (pending.length > 0) pending.shift()!()
    },
  }
}

/** Promise plus its settle functions. */
function controlled(): { promise: Promise<void>; resolve: () => void; reject: (err: Error) => void } {
  let resolve!: () => void
  let reject!: (err: Error) => void
  const promise = new Promise<void>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

describe('LevelMessageStore writes (group commit, flushDiskType)', () => {
  const env = useLevelEnv()
  beforeAll(async () => {
    const db = new ClassicLevel<Buffer, Buffer>(join(env.dir(), 'probe'), { keyEncoding: 'buffer', valueEncoding: 'buffer' })
    await db.open()
    const batch = db.batch()
    batchPrototype = Object.getPrototypeOf(batch) as { write: BatchWrite }
    await batch.close()
    await db.close()
  })
  afterEach(() => {
    vi.restoreAllMocks()
  })

  /** Spies on batch writes; `calls()` lists each write's operation count and sync flag. */
  function spyWrites(): { calls(): Array<{ ops: number; sync: boolean }> } {
    const write = vi.spyOn(batchPrototype, 'write')
    return { calls: () => write.mock.calls.map((args, i) => ({ ops: write.mock.contexts[i]!.length, sync: args[0]?.sync === true })) }
  }

  it('SYNC_FLUSH: a batch holding a put that waits (waitStoreMsgOK) is written with sync: true; others are not', async () => {
    const store = env.store(undefined, { flushDiskType: 'SYNC_FLUSH' })
    await store.open()
    const writes = spyWrites()
    expect((await store.putMessage(numbered(0))).status).toBe('PUT_OK')
    expect(writes.calls()).toEqual([{ ops: expect.any(Number), sync: true }])
    expect((await store.putMessage({ ...numbered(1), waitStoreMsgOK: false })).status).toBe('PUT_OK')
    expect(writes.calls()[1]!.sync).toBe(false)
    expect((await store.putMessages({ topic: TOPIC, queueId: 0, sysFlag: 0, bornTimestamp: 1, bornHost: numbered(0).bornHost, storeHost: numbered(0).storeHost, reconsumeTimes: 0, messages: [{ flag: 0, body: Buffer.from('b'), propertiesString: '', tagsCode: 0 }] })).status).toBe('PUT_OK')
    expect(writes.calls()[2]!.sync).toBe(true)
  })

  it('ASYNC_FLUSH: puts are not synced, but a sync batch follows within flushIntervalCommitLog even when idle, and at close', async () => {
    const store = env.store(undefined, { flushIntervalCommitLog: 20 })
    await store.open()
    const writes = spyWrites()
    expect((await store.putMessage(numbered(0))).status).toBe('PUT_OK')
    expect(writes.calls()[0]).toEqual({ ops: expect.any(Number), sync: false })
    await vi.waitFor(() => expect(writes.calls().slice(1).some((call) => call.sync)).toBe(true), { timeout: 5000, interval: 5 })

    const idle = env.store(undefined, { flushIntervalCommitLog: 3_600_000 })
    await idle.open()
    const before = writes.calls().length
    expect((await idle.putMessage(numbered(1))).status).toBe('PUT_OK')
    await idle.close()
    expect(writes.calls().slice(before).map((call) => call.sync)).toEqual([false, true])
  })

  it('puts of one event-loop turn share one batch; puts arriving during a write form the next one', async () => {
    const timing = manualDefer()
    const store = env.store(undefined, {}, { defer: timing.defer })
    await store.open()
    const writes = spyWrites()
    const first = Array.from({ length: 20 }, (_, n) => store.putMessage(numbered(n, 1)))
    expect(writes.calls()).toHaveLength(0)
    timing.run()
    expect(writes.calls()).toHaveLength(1)
    const second = Array.from({ length: 10 }, (_, n) => store.putMessage(numbered(20 + n, 1)))
    const results = await Promise.all([...first, ...second])
    expect(writes.calls()).toHaveLength(2)
    // each message: record, ConsumeQueue unit, 3 index keys × 2 (KEYS `k<n> shared` + UNIQ_KEY); plus metadata
    expect(writes.calls()[0]!.ops).toBeGreaterThanOrEqual(20 * 8)
    expect(writes.calls()[1]!.ops).toBeGreaterThanOrEqual(10 * 8)
    expect(results.map((r) => r.appendResult!.queueOffset)).toEqual(Array.from({ length: 30 }, (_, i) => i))
    expect(store.getMaxOffsetInQueue(TOPIC, 0)).toBe(30)
  })

  it('a failed batch answers UNKNOWN_ERROR to its puts and to those collected on top of it; offsets restart densely', async () => {
    const timing = manualDefer()
    const dir = env.dir()
    const store = env.store(dir, {}, { defer: timing.defer })
    await store.open()
    const failing = controlled()
    vi.spyOn(batchPrototype, 'write').mockImplementationOnce(() => failing.promise)
    const arrived: number[] = []
    store.onMessageArrived((event) => arrived.push(event.queueOffset))
    const doomed: Array<Promise<PutMessageResult>> = [store.putMessage(numbered(0, 1)), store.putMessage(numbered(1, 1))]
    timing.run()
    doomed.push(store.putMessage(numbered(2, 1)))
    failing.reject(Object.assign(new Error('IO error: No space left on device'), { code: 'LEVEL_IO_ERROR' }))
    for (const result of await Promise.all(doomed)) {
      expect(result.status).toBe('UNKNOWN_ERROR')
      expect(result.remark).toContain('No space left on device')
    }
    expect(store.getMaxOffsetInQueue(TOPIC, 0)).toBe(0)
    expect(store.getMaxPhyOffset()).toBe(0)

    const retry = store.putMessage(numbered(3, 1))
    timing.run()
    const ok = await retry
    expect(ok.status).toBe('PUT_OK')
    expect(ok.appendResult).toMatchObject({ queueOffset: 0, wroteOffset: 0 })
    expect(arrived).toEqual([0])
    await store.close()
    await store.open()
    const got = await store.getMessage({ topic: TOPIC, queueId: 0, offset: 0, maxMsgNums: 8 })
    expect(got.messages.map((m) => decodeMessageRecord(m).flag)).toEqual([3])
  })

  it('SYNC_FLUSH: a put whose synced batch outlasts syncFlushTimeout answers FLUSH_DISK_TIMEOUT and is stored', async () => {
    const store = env.store(undefined, { flushDiskType: 'SYNC_FLUSH', syncFlushTimeout: 20 })
    await store.open()
    const original = batchPrototype.write
    vi.spyOn(batchPrototype, 'write').mockImplementationOnce(async function (this: { length: number }, options) {
      await new Promise((resolve) => setTimeout(resolve, 40)) // a disk slower than syncFlushTimeout
      return original.call(this, options)
    })
    const result = await store.putMessage(numbered(0, 1))
    expect(result.status).toBe('FLUSH_DISK_TIMEOUT')
    const got = await store.getMessage({ topic: TOPIC, queueId: 0, offset: result.appendResult!.queueOffset, maxMsgNums: 1 })
    expect(got.status).toBe('FOUND')
    expect((await store.putMessage(numbered(1, 1))).status).toBe('PUT_OK')
  })
})
