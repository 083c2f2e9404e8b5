import { BLANK_MAGIC_CODE, decodeMessageRecord, MESSAGE_MAGIC_CODE_V1 } from '@cometmq/protocol'
import fs from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { StoreError } from '../../store-error.js'
import type { AppendMessageResult } from '../../types.js'
import { FileMessageStore } from './file-message-store.js'
import { TOPIC, listFiles, numbered, readQueue, useTempDirs } from './__fixtures__/helpers.js'

const FILE_SIZE = 4096

describe('FileMessageStore file layout (§4.5–4.8)', () => {
  const t = useTempDirs()

  it('writes 20-digit commit-log files, ends full files with a BLANK filler and never splits a record', async () => {
    const dir = t.dir()
    const store = t.track(new FileMessageStore({ storePathRootDir: dir, mappedFileSizeCommitLog: FILE_SIZE }))
    await store.open()
    const results: AppendMessageResult[] = []
    for (let n = 0; n < 40; n++) results.push((await store.putMessage(numbered(n))).appendResult!)
    await store.close()
    const names = listFiles(join(dir, 'commitlog'))
    expect(names.length).toBeGreaterThan(3)
    names.forEach((name, i) => expect(name).toBe(String(i * FILE_SIZE).padStart(20, '0')))
    let seen = 0
    names.forEach((name, i) => {
      const bytes = fs.readFileSync(join(dir, 'commitlog', name))
      expect(bytes.length).toBeLessThanOrEqual(FILE_SIZE)
      let pos = 0
      while (pos < bytes.length) {
        const magic = bytes.readInt32BE(pos + 4)
        if (magic === (BLANK_MAGIC_CODE | 0)) {
          expect(bytes.readInt32BE(pos)).toBe(FILE_SIZE - pos)
          expect(pos + 8).toBe(bytes.length) // not pre-allocated: the file ends right after the filler
          break
        }
        expect(magic).toBe(MESSAGE_MAGIC_CODE_V1 | 0)
        const record = decodeMessageRecord(bytes, pos)
        expect(record.commitLogOffset).toBe(i * FILE_SIZE + pos)
        expect(record.commitLogOffset).toBe(results[seen]!.wroteOffset)
        seen++
        pos += record.storeSize
      }
      if (i < names.length - 1) expect(bytes.readInt32BE(bytes.length - 4)).toBe(BLANK_MAGIC_CODE | 0)
    })
    expect(seen).toBe(40)
  })

  it('writes 20-byte ConsumeQueue entries (commitLogOffset, size, tagsCode) under consumequeue/<topic>/<queueId>', async () => {
    const dir = t.dir()
    const store = t.track(new FileMessageStore({ storePathRootDir: dir }))
    await store.open()
    const written = []
    for (let n = 0; n < 9; n++) written.push({ input: numbered(n), a: (await store.putMessage(numbered(n))).appendResult! })
    await store.close()
    for (let q = 0; q < 3; q++) {
      expect(listFiles(join(dir, 'consumequeue', TOPIC, String(q)))).toEqual(['00000000000000000000'])
      const cq = fs.readFileSync(join(dir, 'consumequeue', TOPIC, String(q), '00000000000000000000'))
      const mine = written.filter((w) => w.input.queueId === q)
      expect(cq.length).toBe(mine.length * 20)
      mine.forEach((w, i) => {
        expect(Number(cq.readBigInt64BE(i * 20))).toBe(w.a.wroteOffset)
        expect(cq.readInt32BE(i * 20 + 8)).toBe(w.a.wroteBytes)
        expect(Number(cq.readBigInt64BE(i * 20 + 12))).toBe(w.input.tagsCode)
      })
    }
  })

  it('rolls ConsumeQueue files at mappedFileSizeConsumeQueue and reads across them', async () => {
    const dir = t.dir()
    const config = { storePathRootDir: dir, mappedFileSizeConsumeQueue: 200 }
    const store = t.track(new FileMessageStore(config))
    await store.open()
    for (let n = 0; n < 35; n++) await store.putMessage(numbered(n, 1))
    expect(listFiles(join(dir, 'consumequeue', TOPIC, '0'))).toEqual(['00000000000000000000', '00000000000000000200', '00000000000000000400', '00000000000000000600'])
    const firstPull = await store.getMessage({ topic: TOPIC, queueId: 0, offset: 8, maxMsgNums: 32 })
    expect(firstPull.messages).toHaveLength(2) // one ConsumeQueue file per pull, as RocketMQ
    expect(firstPull.nextBeginOffset).toBe(10)
    expect((await readQueue(store, TOPIC, 0)).map((m) => decodeMessageRecord(m).flag)).toEqual(Array.from({ length: 35 }, (_, i) => i))
    await store.close()
    const again = t.track(new FileMessageStore(config))
    await again.open()
    expect(again.getMaxOffsetInQueue(TOPIC, 0)).toBe(35)
    expect((await again.putMessage(numbered(35, 1))).appendResult!.queueOffset).toBe(35)
  })

  it('keeps abort while open, a 4 KiB checkpoint, and a lock with the owner pid', async () => {
    const dir = t.dir()
    const store = t.track(new FileMessageStore({ storePathRootDir: dir }))
    await store.open()
    expect(fs.existsSync(join(dir, 'abort'))).toBe(true)
    expect(fs.statSync(join(dir, 'checkpoint')).size).toBe(4096)
    expect(fs.readFileSync(join(dir, 'lock'), 'utf8').trim()).toBe(String(process.pid))
    await store.close()
    expect(fs.existsSync(join(dir, 'abort'))).toBe(false)
  })

  it('refuses a second open of the same directory with STORE_LOCKED until the first closes', async () => {
    const dir = t.dir()
    const first = t.track(new FileMessageStore({ storePathRootDir: dir }))
    await first.open()
    const second = t.track(new FileMessageStore({ storePathRootDir: dir }))
    await expect(second.open()).rejects.toMatchObject({ code: 'STORE_LOCKED' })
    expect(second.status).toBe('new')
    await first.close()
    await second.open()
    expect(second.status).toBe('open')
  })

  it('honours storePathCommitLog', async () => {
    const dir = t.dir()
    const store = t.track(new FileMessageStore({ storePathRootDir: dir, storePathCommitLog: join(dir, 'elsewhere') }))
    await store.open()
    await store.putMessage(numbered(1))
    expect(listFiles(join(dir, 'elsewhere'))).toEqual(['00000000000000000000'])
    expect(fs.existsSync(join(dir, 'commitlog'))).toBe(false)
  })

  it('rejects bad config with BAD_ARGUMENT and unsafe topic names with MESSAGE_ILLEGAL', async () => {
    expect(() => new FileMessageStore({ storePathRootDir: '' })).toThrow(StoreError)
    expect(() => new FileMessageStore({ storePathRootDir: '/x', mappedFileSizeConsumeQueue: 30 })).toThrow(/multiple of 20/)
    expect(() => new FileMessageStore({ storePathRootDir: '/x', flushDiskType: 'NOPE' as never })).toThrow(StoreError)
    const store = t.track(new FileMessageStore({ storePathRootDir: t.dir() }))
    await store.open()
    expect((await store.putMessage({ ...numbered(0), topic: '../escape' })).status).toBe('MESSAGE_ILLEGAL')
  })

  it('refuses commit-log file names that do not follow the file size with STORE_CORRUPT', async () => {
    const dir = t.dir()
    fs.mkdirSync(join(dir, 'commitlog'))
    fs.writeFileSync(join(dir, 'commitlog', '00000000000000000123'), '')
    const store = t.track(new FileMessageStore({ storePathRootDir: dir }))
    await expect(store.open()).rejects.toMatchObject({ code: 'STORE_CORRUPT' })
    await expect(t.track(new FileMessageStore({ storePathRootDir: dir })).open()).rejects.toMatchObject({ code: 'STORE_CORRUPT' })
  })

  it('answers MESSAGE_ILLEGAL for a record that cannot fit one commit-log file', async () => {
    const store = t.track(new FileMessageStore({ storePathRootDir: t.dir(), mappedFileSizeCommitLog: FILE_SIZE }))
    await store.open()
    const result = await store.putMessage({ ...numbered(0), body: Buffer.alloc(FILE_SIZE) })
    expect(result.status).toBe('MESSAGE_ILLEGAL')
    expect(store.getMaxPhyOffset()).toBe(0)
  })
})
