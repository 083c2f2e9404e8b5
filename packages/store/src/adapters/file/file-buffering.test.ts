import { decodeMessageRecord } from '@cometmq/protocol'
import fs from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { MessageStoreConfig, PutMessageResult } from '../../types.js'
import { FileMessageStore } from './file-message-store.js'
import { fdatasync } from './segment-file.js'
import { TOPIC, expectedRecord, listFiles, numbered, readQueue, useTempDirs } from './__fixtures__/helpers.js'

/** Periodic flushes far in the future: only the write path under test writes. */
const NO_TIMERS = { flushIntervalCommitLog: 3_600_000, flushIntervalConsumeQueue: 3_600_000 }

/** A `defer` hook that holds the per-turn writes until `release()`. */
function heldWrites() {
  const tasks: Array<() => void> = []
  return {
    defer: (task: () => void) => void tasks.push(task),
    release() {
      for (const task of tasks.splice(0)) task()
    },
  }
}

/** Total bytes of the commit-log files under `dir`. */
function commitLogBytes(dir: string): number {
  const logDir = join(dir, 'commitlog')
  return listFiles(logDir).reduce((sum, name) => sum + fs.statSync(join(logDir, name)).size, 0)
}

/** Path of an open descriptor (Linux /proc), for telling commit-log fsyncs apart. */
function fdPath(fd: number): string {
  try {
    return fs.readlinkSync(`/proc/self/fd/${fd}`)
  } catch {
    return ''
  }
}

describe('FileMessageStore write buffering', () => {
  const t = useTempDirs()
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it.each([
    ['cache and sync reads', {}],
    ['no cache, async reads only', { commitLogCacheSize: 0, accessMessageInMemoryMaxRatio: 0 }],
  ] as Array<[string, Partial<MessageStoreConfig>]>)('serves puts not yet written to the files from the buffer (%s)', async (_name, extra) => {
    const dir = t.dir()
    const writes = heldWrites()
    const store = t.track(new FileMessageStore({ storePathRootDir: dir, mappedFileSizeCommitLog: 4096, ...NO_TIMERS, ...extra }, { defer: writes.defer }))
    await store.open()
    const puts = Array.from({ length: 12 }, (_, n) => store.putMessage(numbered(n)))
    expect(commitLogBytes(dir)).toBeLessThan(store.getMaxPhyOffset()) // most of it is only in memory
    expect(store.getMaxOffsetInQueue(TOPIC, 0)).toBe(4)
    const pulled = await readQueue(store, TOPIC, 0)
    expect(pulled.map((m) => decodeMessageRecord(m).flag)).toEqual([0, 3, 6, 9])
    const last = decodeMessageRecord(pulled[3]!)
    expect(pulled[3]!.equals(expectedRecord(numbered(9), 3, last.commitLogOffset, last.storeTimestamp))).toBe(true)
    expect((await store.lookMessageByOffset(last.commitLogOffset))?.flag).toBe(9)
    const raw = await store.readCommitLog(last.commitLogOffset, last.storeSize)
    expect(raw.equals(pulled[3]!)).toBe(true)
    expect(await store.getOffsetInQueueByTime(TOPIC, 0, last.storeTimestamp)).toBeGreaterThanOrEqual(0)
    writes.release()
    const results = await Promise.all(puts)
    expect(results.every((r) => r.status === 'PUT_OK')).toBe(true)
    const lastFile = listFiles(join(dir, 'commitlog')).at(-1)!
    expect(Number(lastFile) + lastFileBytes(dir)).toBe(store.getMaxPhyOffset()) // everything written now
  })

  it('a put resolves only after its bytes were written to the files (ASYNC_FLUSH)', async () => {
    const dir = t.dir()
    const writes = heldWrites()
    const store = t.track(new FileMessageStore({ storePathRootDir: dir, ...NO_TIMERS }, { defer: writes.defer }))
    await store.open()
    let result: PutMessageResult | undefined
    const put = store.putMessage(numbered(0)).then((r) => (result = r))
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(result).toBeUndefined()
    expect(commitLogBytes(dir)).toBe(0)
    writes.release()
    await put
    expect(result!.status).toBe('PUT_OK')
    expect(commitLogBytes(dir)).toBe(result!.appendResult!.wroteBytes)
    const cq = fs.readFileSync(join(dir, 'consumequeue', TOPIC, '0', '00000000000000000000'))
    expect(Number(cq.readBigInt64BE(0))).toBe(result!.appendResult!.wroteOffset)
  })

  it('SYNC_FLUSH: the group-commit flush writes the buffer before its fsync, and acks follow that fsync', async () => {
    const dir = t.dir()
    const writes = heldWrites() // never released: only the flush may write
    const seen: Array<{ path: string; size: number }> = []
    const fsync = async (fd: number): Promise<void> => {
      seen.push({ path: fdPath(fd), size: fs.fstatSync(fd).size })
      await fdatasync(fd)
    }
    const store = t.track(new FileMessageStore({ storePathRootDir: dir, flushDiskType: 'SYNC_FLUSH', ...NO_TIMERS }, { fsync, defer: writes.defer }))
    await store.open()
    const logFile = join(dir, 'commitlog', '00000000000000000000')
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, n) =>
        store.putMessage(numbered(n)).then((r) => {
          const end = r.appendResult!.wroteOffset + r.appendResult!.wroteBytes
          // at ack time an fsync of the commit-log file already saw every byte of this put in the file
          expect(seen.some((s) => s.path === fs.realpathSync(logFile) && s.size >= end)).toBe(true)
          return r
        }),
      ),
    )
    expect(results.every((r) => r.status === 'PUT_OK')).toBe(true)
  })

  it('ASYNC_FLUSH: the periodic flush writes the buffer before its fsync', async () => {
    const dir = t.dir()
    const writes = heldWrites()
    const sizes: number[] = []
    let logPath = ''
    const fsync = async (fd: number): Promise<void> => {
      if (fdPath(fd) === logPath) sizes.push(fs.fstatSync(fd).size)
      await fdatasync(fd)
    }
    const store = t.track(new FileMessageStore({ storePathRootDir: dir, flushIntervalCommitLog: 5, flushIntervalConsumeQueue: 3_600_000 }, { fsync, defer: writes.defer }))
    await store.open()
    const put = store.putMessage(numbered(0))
    logPath = fs.realpathSync(join(dir, 'commitlog', '00000000000000000000'))
    const end = store.getMaxPhyOffset()
    await vi.waitFor(() => expect(sizes.some((size) => size >= end)).toBe(true), { timeout: 5000, interval: 5 })
    writes.release()
    expect((await put).status).toBe('PUT_OK')
  })

  it('close() leaves every byte in the files: a reopen recovers nothing and finds every message', async () => {
    const dir = t.dir()
    const config = { storePathRootDir: dir, mappedFileSizeCommitLog: 8192, ...NO_TIMERS }
    const store = t.track(new FileMessageStore(config))
    await store.open()
    const puts = Array.from({ length: 60 }, (_, n) => store.putMessage(numbered(n)))
    const closing = store.close() // while the writes of these puts are still buffered
    expect((await Promise.all(puts)).every((r) => r.status === 'PUT_OK')).toBe(true)
    await closing
    const reopened = t.track(new FileMessageStore(config))
    await reopened.open()
    expect(reopened.lastRecovery).toMatchObject({ commitLogTruncated: false, droppedEntries: 0, redispatched: 0 })
    for (const q of [0, 1, 2]) expect((await readQueue(reopened, TOPIC, q)).map((m) => decodeMessageRecord(m).flag)).toEqual(Array.from({ length: 20 }, (_, i) => i * 3 + q))
  })

  it('a failed write answers UNKNOWN_ERROR, refuses new puts while writes fail, and the buffered bytes are written on close', async () => {
    const dir = t.dir()
    const config = { storePathRootDir: dir, ...NO_TIMERS }
    const store = t.track(new FileMessageStore(config))
    await store.open()
    expect((await store.putMessage(numbered(0))).status).toBe('PUT_OK')
    const failing = vi.spyOn(fs, 'writeSync').mockImplementation(() => {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
    })
    const failed = await store.putMessage(numbered(1))
    expect(failed.status).toBe('UNKNOWN_ERROR')
    expect(failed.appendResult?.queueOffset).toBe(0) // stored in memory (queue 1), not yet in the files
    const maxPhy = store.getMaxPhyOffset()
    const refused = await store.putMessage(numbered(2))
    expect(refused.status).toBe('UNKNOWN_ERROR')
    expect(refused.appendResult).toBeUndefined() // refused before anything was appended
    expect(store.getMaxPhyOffset()).toBe(maxPhy)
    expect((await store.getMessage({ topic: TOPIC, queueId: 1, offset: 0, maxMsgNums: 1 })).status).toBe('FOUND')
    failing.mockRestore()
    await store.close()
    const reopened = t.track(new FileMessageStore(config))
    await reopened.open()
    expect(reopened.lastRecovery).toMatchObject({ commitLogTruncated: false, droppedEntries: 0, redispatched: 0 })
    expect(reopened.getMaxPhyOffset()).toBe(maxPhy)
    expect((await readQueue(reopened, TOPIC, 1)).map((m) => decodeMessageRecord(m).flag)).toEqual([1])
  })
})

/** Bytes of the last commit-log file under `dir`. */
function lastFileBytes(dir: string): number {
  const logDir = join(dir, 'commitlog')
  const last = listFiles(logDir).at(-1)
  return last ? fs.statSync(join(logDir, last)).size : 0
}

describe('FileMessageStore reads', () => {
  const t = useTempDirs()

  it('a pull skips ConsumeQueue filler entries past its first maxMsgNums entries exactly like a full scan', async () => {
    const dir = t.dir()
    const config = { storePathRootDir: dir }
    const seed = t.track(new FileMessageStore(config))
    await seed.open()
    const appends = []
    for (let n = 0; n < 30; n++) appends.push((await seed.putMessage(numbered(n, 1))).appendResult!)
    await seed.close()
    // Entries 10..29 lost while the checkpoint says records from message 20 on still need dispatching:
    // recovery re-dispatches 20..29 and pads 10..19 with filler entries (0, Integer.MAX_VALUE, 0).
    fs.truncateSync(join(dir, 'consumequeue', TOPIC, '0', '00000000000000000000'), 10 * 20)
    const checkpoint = fs.readFileSync(join(dir, 'checkpoint'))
    checkpoint.writeBigInt64BE(BigInt(appends[20]!.wroteOffset), 40)
    checkpoint.writeBigInt64BE(BigInt(appends[20]!.wroteOffset), 48)
    fs.writeFileSync(join(dir, 'checkpoint'), checkpoint)
    const store = t.track(new FileMessageStore(config))
    await store.open()
    expect(store.lastRecovery!.redispatched).toBe(10)
    const before = await store.getMessage({ topic: TOPIC, queueId: 0, offset: 8, maxMsgNums: 4 })
    expect(before.messages.map((m) => decodeMessageRecord(m).flag)).toEqual([8, 9]) // a filler's size ends a non-empty batch (planBatch)
    expect(before.nextBeginOffset).toBe(10)
    // the first 4 entries are all fillers: the rest of the scan range is read, as a full scan would
    const across = await store.getMessage({ topic: TOPIC, queueId: 0, offset: 10, maxMsgNums: 4 })
    expect(across.messages.map((m) => decodeMessageRecord(m).flag)).toEqual([20, 21, 22, 23])
    expect(across.nextBeginOffset).toBe(24)
    const capped = await store.getMessage({ topic: TOPIC, queueId: 0, offset: 8, maxMsgNums: 4, maxTotalBytes: 1 })
    expect(capped.messages.map((m) => decodeMessageRecord(m).flag)).toEqual([8])
    expect(capped.nextBeginOffset).toBe(9)
  })

  it('rejects bad commitLogCacheSize and accessMessageInMemoryMaxRatio with BAD_ARGUMENT', () => {
    expect(() => new FileMessageStore({ storePathRootDir: '/x', commitLogCacheSize: -1 })).toThrow(/commitLogCacheSize/)
    expect(() => new FileMessageStore({ storePathRootDir: '/x', accessMessageInMemoryMaxRatio: 101 })).toThrow(/in \[0, 100\]/)
    expect(() => new FileMessageStore({ storePathRootDir: '/x', commitLogCacheSize: 0, accessMessageInMemoryMaxRatio: 0 })).not.toThrow()
  })
})
