import { decodeMessageRecord, encodeProperties, tagsStringToTagsCode } from '@cometmq/protocol'
import fs from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { MessageStore } from '../../message-store.js'
import type { AppendMessageResult, MessageStoreConfig, PutMessageInput } from '../../types.js'
import { FileMessageStore } from './file-message-store.js'
import { expectedRecord, listFiles, useTempDirs } from './__fixtures__/helpers.js'

const TOPIC = 'RetTopic'
const FILE_SIZE = 4096
/** Every record is 2040 bytes: a 4 KiB commit-log file holds exactly two (2 × 2040 + 8-byte BLANK ≤ 4096 < 3 × 2040). */
const RECORD_SIZE = 2040
const HOUR = 3_600_000
const T0 = Date.UTC(2024, 0, 10, 12)
/** 5-entry ConsumeQueue files, 5-entry IndexFiles, 4 commit-log files' worth of cache at most. */
const CONFIG = { mappedFileSizeCommitLog: FILE_SIZE, mappedFileSizeConsumeQueue: 5 * 20, maxHashSlotNum: 8, maxIndexNum: 6, fileReservedTime: 72 }

/** Message n of `topic`: queue n % 3, UNIQ_KEY U<n>, a body sized so the record is RECORD_SIZE bytes. */
function sized(n: number, topic = TOPIC, queues = 3): PutMessageInput {
  const input: PutMessageInput = {
    topic,
    queueId: n % queues,
    flag: n,
    body: Buffer.alloc(0),
    propertiesString: encodeProperties({ UNIQ_KEY: `U${n}`, TAGS: 'R' }),
    sysFlag: 0,
    bornTimestamp: T0,
    bornHost: { host: '127.0.0.1', port: 40000 },
    storeHost: { host: '127.0.0.1', port: 10911 },
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    tagsCode: tagsStringToTagsCode('R'),
  }
  const overhead = expectedRecord(input, 0, 0, 0).length
  return { ...input, body: Buffer.alloc(RECORD_SIZE - overhead, n % 251) }
}

/** Puts `inputs` with the store clock at `at` (ms). */
async function putAt(store: MessageStore, at: number, inputs: PutMessageInput[]): Promise<AppendMessageResult[]> {
  vi.setSystemTime(at)
  const out: AppendMessageResult[] = []
  for (const input of inputs) {
    const result = await store.putMessage(input)
    expect(result.status).toBe('PUT_OK')
    expect(result.appendResult!.wroteBytes).toBe(RECORD_SIZE)
    out.push(result.appendResult!)
  }
  return out
}

const range = (from: number, to: number, topic = TOPIC): PutMessageInput[] => Array.from({ length: to - from }, (_, i) => sized(from + i, topic))
const segmentName = (offset: number): string => String(offset).padStart(20, '0')

/** What readers see of queue `q` of TOPIC: min/max offsets, the flags readable from the min, and the statuses around it. */
async function queueView(store: MessageStore, q: number) {
  const min = store.getMinOffsetInQueue(TOPIC, q)
  const got = await store.getMessage({ topic: TOPIC, queueId: q, offset: min, maxMsgNums: 64 })
  const below = min > 0 ? await store.getMessage({ topic: TOPIC, queueId: q, offset: min - 1, maxMsgNums: 1 }) : null
  return {
    min,
    max: store.getMaxOffsetInQueue(TOPIC, q),
    flags: got.messages.map((m) => decodeMessageRecord(m).flag),
    below: below && { status: below.status, nextBeginOffset: below.nextBeginOffset },
    earliest: await store.getEarliestMessageTime(TOPIC, q),
    byTime: await store.getOffsetInQueueByTime(TOPIC, q, T0),
  }
}

describe('FileMessageStore retention', () => {
  const t = useTempDirs()
  afterEach(() => {
    vi.useRealTimers()
  })

  async function openStore(dir: string, extra: Partial<MessageStoreConfig> = {}): Promise<FileMessageStore> {
    const store = t.track(new FileMessageStore({ storePathRootDir: dir, ...CONFIG, ...extra }))
    await store.open()
    return store
  }

  it('deletes expired commit-log files, then ConsumeQueue files and IndexFiles that only point below the new minimum; min offsets survive reopen', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const dir = t.dir()
    const store = await openStore(dir)
    await putAt(store, T0, range(0, 30)) // files 0-14, all stored at T0
    const later = await putAt(store, T0 + 10 * HOUR, range(30, 40)) // files 15-19
    const commitLogDir = join(dir, 'commitlog')
    const indexDir = join(dir, 'index')
    expect(listFiles(commitLogDir)).toHaveLength(20)
    const indexFilesBefore = listFiles(indexDir)
    expect(indexFilesBefore).toHaveLength(8) // 40 UNIQ_KEYs, 5 per file

    // nothing is older than 72 h yet
    expect(await store.deleteExpiredFiles({ now: T0 + 72 * HOUR })).toEqual({ deletedSegments: 0, deletedBytes: 0, minPhyOffset: 0 })
    expect(listFiles(commitLogDir)).toHaveLength(20)

    const minPhyOffset = 15 * FILE_SIZE
    expect(await store.deleteExpiredFiles({ now: T0 + 72 * HOUR + 1 })).toEqual({ deletedSegments: 15, deletedBytes: minPhyOffset, minPhyOffset })
    expect(listFiles(commitLogDir)).toEqual(Array.from({ length: 5 }, (_, i) => segmentName((15 + i) * FILE_SIZE)))
    expect(store.getMinPhyOffset()).toBe(minPhyOffset)
    expect(later[0]!.wroteOffset).toBe(minPhyOffset)

    // each queue had entries 0-9 (files 0 and 1, all pointing below the minimum) and 3-4 entries in file 2
    const views = []
    for (const q of [0, 1, 2]) {
      expect(listFiles(join(dir, 'consumequeue', TOPIC, String(q)))).toEqual([segmentName(200)])
      const retained = [30, 31, 32, 33, 34, 35, 36, 37, 38, 39].filter((n) => n % 3 === q)
      const view = await queueView(store, q)
      expect(view).toEqual({
        min: 10,
        max: 10 + retained.length,
        flags: retained,
        below: { status: 'OFFSET_TOO_SMALL', nextBeginOffset: 10 },
        earliest: T0 + 10 * HOUR,
        byTime: 10,
      })
      views.push(view)
    }
    expect(await store.lookMessageByOffset(0)).toBeNull()
    expect(await store.selectOneMessageByOffset(14 * FILE_SIZE)).toBeNull()
    await expect(store.readCommitLog(0, 100)).rejects.toMatchObject({ code: 'BAD_ARGUMENT' })
    expect((await store.readCommitLog(minPhyOffset, RECORD_SIZE)).equals((await store.selectOneMessageByOffset(minPhyOffset))!)).toBe(true)

    // IndexFiles of messages 0-29 are gone; the two holding messages 30-39 stay
    expect(listFiles(indexDir)).toEqual(indexFilesBefore.slice(6))
    const query = async (s: MessageStore, key: string) =>
      (await s.queryMessage({ topic: TOPIC, key, maxNum: 64, beginTimestamp: 0, endTimestamp: Number.MAX_SAFE_INTEGER })).messages.map((m) => decodeMessageRecord(m).flag)
    expect(await query(store, 'U29')).toEqual([])
    expect(await query(store, 'U30')).toEqual([30])

    await store.close()
    const reopened = await openStore(dir)
    expect(reopened.getMinPhyOffset()).toBe(minPhyOffset)
    for (const q of [0, 1, 2]) expect(await queueView(reopened, q)).toEqual(views[q])
    expect(await query(reopened, 'U29')).toEqual([])
    expect(await query(reopened, 'U39')).toEqual([39])
    const next = await putAt(reopened, T0 + 11 * HOUR, [sized(40)])
    expect(reopened.getMaxOffsetInQueue(TOPIC, 1)).toBe(views[1]!.max + 1)
    expect((await reopened.lookMessageByOffset(next[0]!.wroteOffset))!.flag).toBe(40)
  })

  it('after reopen, a file not rescanned expires by the first store time of the next file (never earlier than its own newest)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const dir = t.dir()
    const store = await openStore(dir)
    await putAt(store, T0, range(0, 6)) // files 0, 1, 2
    await putAt(store, T0 + 10 * HOUR, range(6, 10)) // files 3, 4
    await store.close()
    const reopened = await openStore(dir)
    // file 2's newest message is from T0, but after reopen only file 3's first message (T0 + 10 h) bounds it
    expect(await reopened.deleteExpiredFiles({ now: T0 + 72 * HOUR + 1 })).toMatchObject({ deletedSegments: 2, minPhyOffset: 2 * FILE_SIZE })
    expect(await reopened.deleteExpiredFiles({ now: T0 + 82 * HOUR })).toMatchObject({ deletedSegments: 0 })
    expect(await reopened.deleteExpiredFiles({ now: T0 + 82 * HOUR + 1 })).toMatchObject({ deletedSegments: 2, minPhyOffset: 4 * FILE_SIZE })
    expect(listFiles(join(dir, 'commitlog'))).toEqual([segmentName(4 * FILE_SIZE)])

    // the same store without a reopen knows file 2's newest message exactly
    const fresh = t.dir()
    const live = await openStore(fresh)
    await putAt(live, T0, range(0, 6))
    await putAt(live, T0 + 10 * HOUR, range(6, 10))
    expect(await live.deleteExpiredFiles({ now: T0 + 72 * HOUR + 1 })).toMatchObject({ deletedSegments: 3, minPhyOffset: 3 * FILE_SIZE })
  })

  it('force deletes unexpired files but never the newest; a queue left without records keeps its last file and max offset', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const dir = t.dir()
    const store = await openStore(dir)
    await putAt(store, T0, range(0, 3, 'OldTopic').map((m) => ({ ...m, queueId: 0 })))
    await putAt(store, T0, range(3, 12))
    expect(listFiles(join(dir, 'commitlog'))).toHaveLength(6)
    expect(await store.deleteExpiredFiles({ now: T0, force: true })).toEqual({ deletedSegments: 5, deletedBytes: 5 * FILE_SIZE, minPhyOffset: 5 * FILE_SIZE })
    expect(listFiles(join(dir, 'commitlog'))).toEqual([segmentName(5 * FILE_SIZE)])
    expect(await store.deleteExpiredFiles({ now: T0, force: true })).toEqual({ deletedSegments: 0, deletedBytes: 0, minPhyOffset: 5 * FILE_SIZE })

    const oldView = async (s: MessageStore) => ({
      min: s.getMinOffsetInQueue('OldTopic', 0),
      max: s.getMaxOffsetInQueue('OldTopic', 0),
      zero: (await s.getMessage({ topic: 'OldTopic', queueId: 0, offset: 0, maxMsgNums: 1 })).status,
      three: (await s.getMessage({ topic: 'OldTopic', queueId: 0, offset: 3, maxMsgNums: 1 })).status,
      earliest: await s.getEarliestMessageTime('OldTopic', 0),
    })
    const expected = { min: 3, max: 3, zero: 'OFFSET_TOO_SMALL', three: 'OFFSET_OVERFLOW_ONE', earliest: -1 }
    expect(await oldView(store)).toEqual(expected)
    expect(listFiles(join(dir, 'consumequeue', 'OldTopic', '0'))).toEqual([segmentName(0)])
    await store.close()
    const reopened = await openStore(dir)
    expect(await oldView(reopened)).toEqual(expected)
    const appended = await putAt(reopened, T0 + HOUR, [{ ...sized(50, 'OldTopic'), queueId: 0 }])
    expect(appended[0]!.queueOffset).toBe(3)
    const got = await reopened.getMessage({ topic: 'OldTopic', queueId: 0, offset: 3, maxMsgNums: 8 })
    expect(got.messages.map((m) => decodeMessageRecord(m).flag)).toEqual([50])
  })

  it('watches the filesystem of the commit-log directory', async () => {
    const dir = t.dir()
    const storePathCommitLog = join(dir, 'elsewhere')
    const asked: string[] = []
    const store = await openStore(dir, { storePathCommitLog, diskUsage: async (d) => (asked.push(d), 10) })
    expect(asked).toEqual([storePathCommitLog])
    await store.deleteExpiredFiles()
    expect(asked).toEqual([storePathCommitLog, storePathCommitLog])
  })

  it('readers never see a min offset whose record is already deleted, while a run moves many queues', async () => {
    const dir = t.dir()
    const store = await openStore(dir)
    vi.useRealTimers()
    const queues = 120
    // 2 records per file: 240 records → 120 files, every queue has entries in the first files
    for (let n = 0; n < 2 * queues; n++) expect((await store.putMessage({ ...sized(n, TOPIC, queues) })).status).toBe('PUT_OK')
    const statuses = new Map<string, number>()
    let done = false
    const deletion = store.deleteExpiredFiles({ force: true }).finally(() => (done = true))
    while (!done) {
      await new Promise((resolve) => setImmediate(resolve)) // let the run's file I/O progress between rounds
      for (let q = 0; q < queues && !done; q++) {
        const got = await store.getMessage({ topic: TOPIC, queueId: q, offset: store.getMinOffsetInQueue(TOPIC, q), maxMsgNums: 1 })
        statuses.set(got.status, (statuses.get(got.status) ?? 0) + 1)
      }
    }
    const report = await deletion
    expect(report.deletedSegments).toBeGreaterThan(50)
    expect(statuses.get('MESSAGE_WAS_REMOVING') ?? 0).toBe(0)
    expect(statuses.get('FOUND') ?? 0).toBeGreaterThan(0)
  })

  it('a later run with nothing to delete still removes ConsumeQueue files left below the minimum (e.g. by a crash mid-run)', async () => {
    const dir = t.dir()
    let store = await openStore(dir)
    await putAt(store, T0, range(0, 30)) // 15 commit-log files; queue 0 has 10 entries in two 5-entry CQ files
    const cqDir = join(dir, 'consumequeue', TOPIC, '0')
    expect(listFiles(cqDir)).toEqual([segmentName(0), segmentName(100)])
    const stale = fs.readFileSync(join(cqDir, segmentName(0)))
    expect((await store.deleteExpiredFiles({ force: true })).deletedSegments).toBe(14)
    expect(listFiles(cqDir)).toEqual([segmentName(100)])
    await store.close()
    // as if the process died after unlinking commit-log files but before the ConsumeQueue clean-up
    fs.writeFileSync(join(cqDir, segmentName(0)), stale)
    store = await openStore(dir)
    expect(listFiles(cqDir)).toEqual([segmentName(0), segmentName(100)])
    expect(await store.deleteExpiredFiles()).toEqual({ deletedSegments: 0, deletedBytes: 0, minPhyOffset: store.getMinPhyOffset() })
    expect(listFiles(cqDir)).toEqual([segmentName(100)])
  })
})
