import fc from 'fast-check'
import fs from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { FileMessageStore } from './file-message-store.js'
import { TOPIC, listFiles, numbered, readQueue, useTempDirs } from './__fixtures__/helpers.js'

const FILE_SIZE = 4096

describe('FileMessageStore recovery (property)', () => {
  const t = useTempDirs()

  it('after cutting the commit log anywhere, reopen keeps exactly the records wholly before the cut, and stays stable', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 1, noNaN: true }), async (count, where) => {
        const dir = t.dir()
        const config = { storePathRootDir: dir, mappedFileSizeCommitLog: FILE_SIZE }
        const store = t.track(new FileMessageStore(config))
        await store.open()
        const appends = []
        for (let n = 0; n < count; n++) appends.push((await store.putMessage(numbered(n))).appendResult!)
        const before = await Promise.all([0, 1, 2].map((q) => readQueue(store, TOPIC, q)))
        const cut = Math.floor(where * store.getMaxPhyOffset())
        await store.close()

        const commitLogDir = join(dir, 'commitlog')
        for (const name of listFiles(commitLogDir)) {
          const from = Number(name)
          if (from >= cut) fs.rmSync(join(commitLogDir, name))
          else if (from + FILE_SIZE > cut) fs.truncateSync(join(commitLogDir, name), Math.min(cut - from, fs.statSync(join(commitLogDir, name)).size))
        }

        const reopened = t.track(new FileMessageStore(config))
        await reopened.open()
        const surviving = appends.map((a, n) => ({ a, n })).filter(({ a }) => a.wroteOffset + a.wroteBytes <= cut)
        for (const q of [0, 1, 2]) {
          const kept = surviving.filter(({ n }) => n % 3 === q).length
          expect(reopened.getMaxOffsetInQueue(TOPIC, q)).toBe(kept)
          expect(await readQueue(reopened, TOPIC, q)).toEqual(before[q]!.slice(0, kept))
        }
        const lastEnd = surviving.length ? surviving.at(-1)!.a.wroteOffset + surviving.at(-1)!.a.wroteBytes : 0
        expect(reopened.getMaxPhyOffset()).toBeGreaterThanOrEqual(lastEnd)
        expect(reopened.getMaxPhyOffset()).toBeLessThanOrEqual(Math.max(cut, lastEnd))
        const next = await reopened.putMessage(numbered(count))
        expect(next.status).toBe('PUT_OK')
        expect((await reopened.lookMessageByOffset(next.appendResult!.wroteOffset))!.flag).toBe(count)
        const state = await Promise.all([0, 1, 2].map((q) => readQueue(reopened, TOPIC, q)))
        await reopened.close()
        const third = t.track(new FileMessageStore(config))
        await third.open()
        expect(third.lastRecovery).toMatchObject({ commitLogTruncated: false, droppedEntries: 0, redispatched: 0 })
        expect(await Promise.all([0, 1, 2].map((q) => readQueue(third, TOPIC, q)))).toEqual(state)
        await third.close()
      }),
      { numRuns: 25 },
    )
  })
})
