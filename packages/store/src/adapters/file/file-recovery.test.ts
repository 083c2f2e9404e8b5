import { decodeMessageRecord, tagsStringToTagsCode } from '@cometmq/protocol'
import type { MessageExt } from '@cometmq/protocol'
import fs from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { MessageStoreConfig } from '../../types.js'
import { FileMessageStore } from './file-message-store.js'
import { TOPIC, listFiles, numbered, readQueue, useTempDirs } from './__fixtures__/helpers.js'

const FILE_SIZE = 8192
const QUEUES = [0, 1, 2]

describe('FileMessageStore recovery', () => {
  const t = useTempDirs()

  /** A closed store holding numbered(0..count-1) over 3 queues, and handles to poke its files. */
  async function seeded(count: number, extra: Partial<MessageStoreConfig> = {}) {
    const dir = t.dir()
    const config: MessageStoreConfig = { storePathRootDir: dir, mappedFileSizeCommitLog: FILE_SIZE, ...extra }
    const store = t.track(new FileMessageStore(config))
    await store.open()
    const appends = []
    for (let n = 0; n < count; n++) appends.push((await store.putMessage(numbered(n))).appendResult!)
    const snapshot = await Promise.all(QUEUES.map((q) => readQueue(store, TOPIC, q)))
    const maxPhy = store.getMaxPhyOffset()
    await store.close()
    const commitLogDir = join(dir, 'commitlog')
    return {
      dir,
      appends,
      snapshot,
      maxPhy,
      commitLogDir,
      lastFile: () => join(commitLogDir, listFiles(commitLogDir).at(-1)!),
      cqFile: (q: number) => join(dir, 'consumequeue', TOPIC, String(q), '00000000000000000000'),
      reopen: async (more: Partial<MessageStoreConfig> = {}) => {
        const s = t.track(new FileMessageStore({ ...config, ...more }))
        await s.open()
        return s
      },
    }
  }

  const readAll = (store: FileMessageStore) => Promise.all(QUEUES.map((q) => readQueue(store, TOPIC, q)))

  it('cuts garbage appended to the last commit-log file, and later puts continue right there', async () => {
    const s = await seeded(30)
    fs.appendFileSync(s.lastFile(), Buffer.from('this is not a record, just torn bytes'))
    const store = await s.reopen()
    expect(store.lastRecovery!.commitLogTruncated).toBe(true)
    expect(store.getMaxPhyOffset()).toBe(s.maxPhy)
    expect(await readAll(store)).toEqual(s.snapshot)
    const next = (await store.putMessage(numbered(30))).appendResult!
    expect(next.wroteOffset).toBe(s.maxPhy)
    expect(next.queueOffset).toBe(10)
    expect(decodeMessageRecord((await store.selectOneMessageByOffset(next.wroteOffset))!).flag).toBe(30)
  })

  it('cuts a partial last record (crash mid-write), drops its ConsumeQueue entry and deletes later files', async () => {
    const s = await seeded(30)
    const last = s.appends.at(-1)!
    const bytes = fs.readFileSync(s.lastFile())
    fs.writeFileSync(s.lastFile(), bytes.subarray(0, (last.wroteOffset % FILE_SIZE) + Math.floor(last.wroteBytes / 2)))
    const stray = String(Number(listFiles(s.commitLogDir).at(-1)) + FILE_SIZE).padStart(20, '0')
    fs.writeFileSync(join(s.commitLogDir, stray), Buffer.alloc(100, 0xab))
    const store = await s.reopen()
    expect(listFiles(s.commitLogDir)).not.toContain(stray)
    expect(store.getMaxPhyOffset()).toBe(last.wroteOffset)
    expect(store.lastRecovery!.droppedEntries).toBe(1)
    expect(store.getMaxOffsetInQueue(TOPIC, 2)).toBe(9)
    const again = (await store.putMessage(numbered(29))).appendResult!
    expect(again).toMatchObject({ queueOffset: 9, wroteOffset: last.wroteOffset })
    const queues = await readAll(store)
    expect(queues[0]).toEqual(s.snapshot[0])
    expect(queues[1]).toEqual(s.snapshot[1])
    expect(queues[2]!.slice(0, 9)).toEqual(s.snapshot[2]!.slice(0, 9))
    expect(decodeMessageRecord(queues[2]![9]!).flag).toBe(29)
  })

  it('treats a torn record (bad body CRC) after the durable checkpoint as the end of the log', async () => {
    const s = await seeded(9)
    const durableCheckpoint = fs.readFileSync(join(s.dir, 'checkpoint'))
    const store = await s.reopen()
    const more = []
    for (let n = 9; n < 12; n++) more.push((await store.putMessage(numbered(n))).appendResult!)
    await store.close()
    const victim = more[1]! // message 10
    const path = join(s.commitLogDir, String(victim.wroteOffset - (victim.wroteOffset % FILE_SIZE)).padStart(20, '0'))
    const bytes = fs.readFileSync(path)
    const at = (victim.wroteOffset % FILE_SIZE) + victim.wroteBytes - 120 // inside the body
    bytes[at] = bytes[at]! ^ 0xff
    fs.writeFileSync(path, bytes)
    fs.writeFileSync(join(s.dir, 'checkpoint'), durableCheckpoint) // crash: only the first 9 were known durable
    fs.writeFileSync(join(s.dir, 'abort'), '')
    const recovered = await s.reopen()
    expect(recovered.getMaxPhyOffset()).toBe(victim.wroteOffset)
    expect(recovered.getMaxOffsetInQueue(TOPIC, 10 % 3)).toBe(3)
    expect(recovered.getMaxOffsetInQueue(TOPIC, 11 % 3)).toBe(3)
    expect(recovered.getMaxOffsetInQueue(TOPIC, 9 % 3)).toBe(4)
    expect(recovered.lastRecovery!.droppedEntries).toBe(2)
  })

  it('rebuilds ConsumeQueue entries that lag the commit log (stale checkpoint after a crash)', async () => {
    const s = await seeded(10, { flushIntervalConsumeQueue: 60_000 })
    const staleCheckpoint = fs.readFileSync(join(s.dir, 'checkpoint'))
    const store = await s.reopen({ flushIntervalConsumeQueue: 60_000 })
    for (let n = 10; n < 40; n++) await store.putMessage(numbered(n))
    const full = await readAll(store)
    await store.close()
    // the crash: CQ writes after the checkpoint never reached the disk, the process left its abort file
    fs.writeFileSync(join(s.dir, 'checkpoint'), staleCheckpoint)
    fs.truncateSync(s.cqFile(0), 5 * 20)
    fs.truncateSync(s.cqFile(1), 3 * 20)
    fs.appendFileSync(s.cqFile(2), Buffer.alloc(40)) // zeroed tail (lost page)
    fs.writeFileSync(join(s.dir, 'abort'), '')
    const recovered = await s.reopen()
    expect(recovered.lastRecovery!.redispatched).toBe(14 - 5 + (13 - 3))
    expect(await readAll(recovered)).toEqual(full)
    expect(QUEUES.map((q) => recovered.getMaxOffsetInQueue(TOPIC, q))).toEqual([14, 13, 13])
    const t2 = tagsStringToTagsCode('T2')
    const filtered = await recovered.getMessage({ topic: TOPIC, queueId: 0, offset: 0, maxMsgNums: 64, tagsCodeFilter: (c) => c === t2 })
    expect(filtered.messages.map((m) => decodeMessageRecord(m).flag)).toEqual(full[0]!.map((m) => decodeMessageRecord(m).flag).filter((f) => f % 4 === 2))
    expect((await recovered.putMessage(numbered(42))).appendResult!.queueOffset).toBe(14)
  })

  it('rebuilds every ConsumeQueue from the commit log when the checkpoint and consumequeue/ are gone', async () => {
    const s = await seeded(25)
    fs.rmSync(join(s.dir, 'checkpoint'))
    fs.rmSync(join(s.dir, 'consumequeue'), { recursive: true })
    const seen: MessageExt[] = []
    const store = await s.reopen({
      computeTagsCode: (m) => {
        seen.push(m)
        return 1000 + m.flag
      },
    })
    expect(store.lastRecovery!.redispatched).toBe(25)
    expect(seen.map((m) => m.flag)).toEqual(Array.from({ length: 25 }, (_, i) => i))
    expect(await readAll(store)).toEqual(s.snapshot)
    const only7 = await store.getMessage({ topic: TOPIC, queueId: 1, offset: 0, maxMsgNums: 64, tagsCodeFilter: (c) => c === 1007 })
    expect(only7.messages.map((m) => decodeMessageRecord(m).flag)).toEqual([7])
  })

  it('drops ConsumeQueue entries that point past a commit log cut at a record boundary', async () => {
    const s = await seeded(30)
    const cut = s.appends[27]!.wroteOffset
    const file = join(s.commitLogDir, String(cut - (cut % FILE_SIZE)).padStart(20, '0'))
    for (const name of listFiles(s.commitLogDir)) if (Number(name) > cut) fs.rmSync(join(s.commitLogDir, name))
    fs.truncateSync(file, cut % FILE_SIZE)
    const store = await s.reopen()
    expect(store.lastRecovery!.droppedEntries).toBe(3)
    expect(QUEUES.map((q) => store.getMaxOffsetInQueue(TOPIC, q))).toEqual([9, 9, 9])
    expect(store.getMaxPhyOffset()).toBe(cut)
  })

  it('recovers the same state when opened twice in a row after a torn tail', async () => {
    const s = await seeded(20)
    fs.appendFileSync(s.lastFile(), Buffer.alloc(3, 1))
    const first = await s.reopen()
    const state = await readAll(first)
    await first.close()
    const second = await s.reopen()
    expect(second.lastRecovery).toMatchObject({ commitLogTruncated: false, droppedEntries: 0, redispatched: 0 })
    expect(await readAll(second)).toEqual(state)
  })

  it('a BLANK-ended last file counts as full: puts after reopening go to the next file and survive', async () => {
    const s = await seeded(40)
    const names = listFiles(s.commitLogDir)
    expect(names.length).toBeGreaterThan(2)
    fs.rmSync(join(s.commitLogDir, names.at(-1)!)) // the file after a BLANK-ended one is gone
    const lastStart = Number(names.at(-1))
    const first = await s.reopen()
    expect(first.getMaxPhyOffset()).toBe(lastStart)
    await first.close()
    const second = await s.reopen() // now the BLANK-ended file is the last file on disk
    expect(second.getMaxPhyOffset()).toBe(lastStart)
    const put = (await second.putMessage(numbered(1000))).appendResult!
    expect(put.wroteOffset).toBe(lastStart)
    const state = await readAll(second)
    await second.close()
    const third = await s.reopen()
    expect(third.lastRecovery).toMatchObject({ commitLogTruncated: false, droppedEntries: 0 })
    expect(await readAll(third)).toEqual(state)
  })
})
