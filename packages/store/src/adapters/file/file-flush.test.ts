import fs from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { FileMessageStore } from './file-message-store.js'
import { fdatasync } from './segment-file.js'
import { TOPIC, numbered, useTempDirs } from './__fixtures__/helpers.js'

/** An fsync hook that counts calls and can be held (pending until released). */
function controllableFsync() {
  let held: Array<() => void> | null = null
  const waiters: Array<{ atLeast: number; resolve: () => void }> = []
  const hook = {
    calls: 0,
    hold() {
      held = []
    },
    release() {
      const pending = held ?? []
      held = null
      for (const resume of pending) resume()
    },
    /** Resolves once `atLeast` fsyncs were requested; rejects after `boundMs` (a bound, not a timing assert). */
    waitForCalls(atLeast: number, boundMs = 10_000): Promise<void> {
      if (hook.calls >= atLeast) return Promise.resolve()
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${hook.calls} fsyncs after ${boundMs} ms`)), boundMs)
        waiters.push({ atLeast, resolve: () => (clearTimeout(timer), resolve()) })
      })
    },
    fsync: async (fd: number): Promise<void> => {
      hook.calls++
      for (const w of waiters.filter((x) => hook.calls >= x.atLeast)) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve()
      }
      if (held) await new Promise<void>((resume) => held!.push(resume))
      await fdatasync(fd)
    },
  }
  return hook
}

/** Periodic flushes far in the future, so fsync counts only reflect the puts under test. */
const NO_TIMERS = { flushIntervalCommitLog: 3_600_000, flushIntervalConsumeQueue: 3_600_000 }

describe('FileMessageStore flushing', () => {
  const t = useTempDirs()

  it('group commit: concurrent SYNC_FLUSH puts share fsyncs', async () => {
    const hook = controllableFsync()
    const store = t.track(new FileMessageStore({ storePathRootDir: t.dir(), flushDiskType: 'SYNC_FLUSH', mappedFileSizeCommitLog: 1 << 20, ...NO_TIMERS }, { fsync: hook.fsync }))
    await store.open()
    const callsAfterOpen = hook.calls
    const puts = 200
    const results = await Promise.all(Array.from({ length: puts }, (_, n) => store.putMessage(numbered(n))))
    expect(results.every((r) => r.status === 'PUT_OK')).toBe(true)
    const used = hook.calls - callsAfterOpen
    expect(used).toBeGreaterThan(0)
    expect(used).toBeLessThan(puts / 10)
  })

  it('group commit: puts arriving during an fsync are covered by the next single fsync', async () => {
    const hook = controllableFsync()
    const store = t.track(new FileMessageStore({ storePathRootDir: t.dir(), flushDiskType: 'SYNC_FLUSH', ...NO_TIMERS }, { fsync: hook.fsync }))
    await store.open()
    const base = hook.calls
    hook.hold()
    const first = store.putMessage(numbered(0))
    await hook.waitForCalls(base + 1) // the first fsync is in flight and held
    const later = Array.from({ length: 50 }, (_, n) => store.putMessage(numbered(n + 1)))
    hook.release()
    const results = await Promise.all([first, ...later])
    expect(results.every((r) => r.status === 'PUT_OK')).toBe(true)
    expect(hook.calls - base).toBeLessThanOrEqual(3) // first fsync + one for the 50 (+ a directory fsync at most)
  })

  it('answers FLUSH_DISK_TIMEOUT when the fsync outlasts syncFlushTimeout; the message is still stored', async () => {
    const hook = controllableFsync()
    const store = t.track(new FileMessageStore({ storePathRootDir: t.dir(), flushDiskType: 'SYNC_FLUSH', syncFlushTimeout: 20 }, { fsync: hook.fsync }))
    await store.open()
    hook.hold()
    const result = await store.putMessage(numbered(0))
    expect(result.status).toBe('FLUSH_DISK_TIMEOUT')
    expect(result.appendResult!.queueOffset).toBe(0)
    const got = await store.getMessage({ topic: TOPIC, queueId: 0, offset: 0, maxMsgNums: 1 })
    expect(got.status).toBe('FOUND')
    hook.release()
  })

  it('does not wait for fsync with waitStoreMsgOK=false or ASYNC_FLUSH', async () => {
    const hook = controllableFsync()
    const sync = t.track(new FileMessageStore({ storePathRootDir: t.dir(), flushDiskType: 'SYNC_FLUSH' }, { fsync: hook.fsync }))
    const async = t.track(new FileMessageStore({ storePathRootDir: t.dir(), flushDiskType: 'ASYNC_FLUSH' }, { fsync: hook.fsync }))
    await sync.open()
    await async.open()
    hook.hold()
    expect((await sync.putMessage({ ...numbered(0), waitStoreMsgOK: false })).status).toBe('PUT_OK')
    expect((await async.putMessage(numbered(0))).status).toBe('PUT_OK')
    hook.release()
  })

  it('ASYNC_FLUSH fsyncs periodically, and close() flushes everything', async () => {
    const hook = controllableFsync()
    const store = t.track(new FileMessageStore({ storePathRootDir: t.dir(), flushIntervalCommitLog: 5, flushIntervalConsumeQueue: 5 }, { fsync: hook.fsync }))
    await store.open()
    const base = hook.calls
    await store.putMessage(numbered(0))
    await hook.waitForCalls(base + 1)
    await store.putMessage(numbered(1))
    const beforeClose = hook.calls
    await store.close()
    expect(hook.calls).toBeGreaterThan(beforeClose)
  })

  it('after an unclean shutdown, open() fsyncs the commit-log tail and every queue before writing the checkpoint', async () => {
    const dir = t.dir()
    const seed = t.track(new FileMessageStore({ storePathRootDir: dir }))
    await seed.open()
    for (let n = 0; n < 9; n++) await seed.putMessage(numbered(n))
    await seed.close()

    const clean = controllableFsync()
    const cleanStore = t.track(new FileMessageStore({ storePathRootDir: dir }, { fsync: clean.fsync }))
    await cleanStore.open()
    const cleanCalls = clean.calls
    await cleanStore.close()

    fs.writeFileSync(join(dir, 'abort'), '') // as a crashed process leaves it
    const crashed = controllableFsync()
    const recovered = t.track(new FileMessageStore({ storePathRootDir: dir }, { fsync: crashed.fsync }))
    await recovered.open()
    expect(cleanCalls).toBe(1) // the checkpoint only
    expect(crashed.calls).toBeGreaterThanOrEqual(1 + 3 + 1) // commit-log file, 3 ConsumeQueue files, checkpoint
  })
})
