import { decodeMessageRecord, encodeProperties, noopLogger, tagsStringToTagsCode } from '@cometmq/protocol'
import type { Logger } from '@cometmq/protocol'
import { runMessageStoreConformance } from '@cometmq/store/conformance'
import { afterEach, describe, expect, it } from 'vitest'
import type { PutMessageInput } from '../../types.js'
import { MemoryMessageStore } from './memory-message-store.js'

runMessageStoreConformance({ name: 'MemoryMessageStore', factory: (config) => new MemoryMessageStore(config) })

const TOPIC = 'BudgetTopic'
const KiB = 1024

function budgetMessage(i: number, queueId: number, bodySize = 1000): PutMessageInput {
  return {
    topic: TOPIC,
    queueId,
    flag: 0,
    body: Buffer.alloc(bodySize, `m${i}|`),
    propertiesString: encodeProperties({ KEYS: `bk-${i} every`, UNIQ_KEY: `BU-${i}`, TAGS: 'T' }),
    sysFlag: 0,
    bornTimestamp: 1_700_000_000_000,
    bornHost: { host: '127.0.0.1', port: 50123 },
    storeHost: { host: '127.0.0.1', port: 10911 },
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    tagsCode: tagsStringToTagsCode('T'),
  }
}

interface Put {
  i: number
  queueId: number
  queueOffset: number
  commitLogOffset: number
  size: number
}

describe('MemoryMessageStore byte budget (memoryStoreMaxBytes)', () => {
  const stores: MemoryMessageStore[] = []
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()))
  })
  const open = async (config: ConstructorParameters<typeof MemoryMessageStore>[0]): Promise<MemoryMessageStore> => {
    const store = new MemoryMessageStore(config)
    stores.push(store)
    await store.open()
    return store
  }

  it('writing 1 MiB into a 64 KiB budget keeps at most budget + one segment, advances min offsets, keeps the newest readable', async () => {
    const budget = 64 * KiB
    const segment = budget / 4 // S = min(mappedFileSizeCommitLog 1 GiB, memoryStoreMaxBytes / 4)
    const debug: Array<Record<string, unknown> | undefined> = []
    const logger: Logger = { ...noopLogger, debug: (_message, fields) => debug.push(fields), child: () => logger }
    const store = await open({ memoryStoreMaxBytes: budget, logger })
    const puts: Put[] = []
    for (let i = 0; store.getMaxPhyOffset() < 1024 * KiB; i++) {
      const queueId = i % 2
      const a = (await store.putMessage(budgetMessage(i, queueId))).appendResult!
      puts.push({ i, queueId, queueOffset: a.queueOffset, commitLogOffset: a.wroteOffset, size: a.wroteBytes })
      const retained = store.getMaxPhyOffset() - store.getMinPhyOffset()
      expect(retained).toBeLessThanOrEqual(budget)
    }
    const biggest = Math.max(...puts.map((p) => p.size))
    expect(store.getMaxPhyOffset() - store.getMinPhyOffset()).toBeGreaterThan(budget - segment - biggest)
    expect(debug.length).toBeGreaterThan(0)
    expect(debug.at(-1)).toMatchObject({ memoryStoreMaxBytes: budget })

    const minPhy = store.getMinPhyOffset()
    expect(minPhy).toBeGreaterThan(900 * KiB)
    for (const queueId of [0, 1]) {
      const inQueue = puts.filter((p) => p.queueId === queueId)
      const retained = inQueue.filter((p) => p.commitLogOffset >= minPhy)
      const min = store.getMinOffsetInQueue(TOPIC, queueId)
      expect(min).toBe(retained[0]!.queueOffset)
      expect(store.getMaxOffsetInQueue(TOPIC, queueId)).toBe(inQueue.length)
      const tooSmall = await store.getMessage({ topic: TOPIC, queueId, offset: 0, maxMsgNums: 1 })
      expect(tooSmall).toMatchObject({ status: 'OFFSET_TOO_SMALL', nextBeginOffset: min, minOffset: min })
      const got = await store.getMessage({ topic: TOPIC, queueId, offset: min, maxMsgNums: 64 })
      expect(got.messages.map((m) => decodeMessageRecord(m).commitLogOffset)).toEqual(retained.map((p) => p.commitLogOffset))
      const newest = inQueue.at(-1)!
      expect((await store.lookMessageByOffset(newest.commitLogOffset))!.body.equals(budgetMessage(newest.i, queueId).body)).toBe(true)
    }
    const window = { beginTimestamp: 0, endTimestamp: Number.MAX_SAFE_INTEGER, maxNum: 64 }
    const dropped = puts.find((p) => p.commitLogOffset < minPhy)!
    expect(await store.lookMessageByOffset(dropped.commitLogOffset)).toBeNull()
    expect((await store.queryMessage({ topic: TOPIC, key: `bk-${dropped.i}`, ...window })).messages).toEqual([])
    const kept = puts.at(-1)!
    expect((await store.queryMessage({ topic: TOPIC, key: `BU-${kept.i}`, ...window })).messages.map((m) => decodeMessageRecord(m).commitLogOffset)).toEqual([
      kept.commitLogOffset,
    ])
    // the shared key only finds retained messages, newest first
    const every = (await store.queryMessage({ topic: TOPIC, key: 'every', ...window })).messages.map((m) => decodeMessageRecord(m).commitLogOffset)
    const retainedNewestFirst = puts.filter((p) => p.commitLogOffset >= minPhy).map((p) => p.commitLogOffset).reverse()
    expect(every).toEqual(retainedNewestFirst.slice(0, 64))
  })

  it('segments are min(mappedFileSizeCommitLog, memoryStoreMaxBytes / 4): each retention run drops whole segments', async () => {
    const store = await open({ mappedFileSizeCommitLog: 8 * KiB, memoryStoreMaxBytes: 1024 * KiB })
    const offsets: number[] = []
    for (let i = 0; i < 40; i++) offsets.push((await store.putMessage(budgetMessage(i, 0))).appendResult!.wroteOffset)
    const segmentIndexes = new Set(offsets.map((o) => Math.floor(o / (8 * KiB))))
    const report = await store.deleteExpiredFiles({ force: true })
    expect(report.deletedSegments).toBe(segmentIndexes.size - 1)
    // the new min is the first record whose start offset lies in the newest segment
    const newestSegment = Math.max(...segmentIndexes)
    const firstOfNewest = offsets.find((o) => Math.floor(o / (8 * KiB)) === newestSegment)!
    expect(report.minPhyOffset).toBe(firstOfNewest)
    expect(report.deletedBytes).toBe(firstOfNewest)
    expect(store.getMinOffsetInQueue(TOPIC, 0)).toBe(offsets.indexOf(firstOfNewest))
  })

  it('a single record bigger than the budget is kept (the newest segment is never dropped)', async () => {
    const store = await open({ memoryStoreMaxBytes: 4 * KiB, maxMessageSize: 64 * KiB })
    await store.putMessage(budgetMessage(0, 0, 1100)) // segments are 1 KiB: the next record starts in segment 1
    const big = (await store.putMessage(budgetMessage(1, 0, 20 * KiB))).appendResult!
    expect(store.getMinPhyOffset()).toBe(big.wroteOffset)
    expect(store.getMinOffsetInQueue(TOPIC, 0)).toBe(1)
    const got = await store.getMessage({ topic: TOPIC, queueId: 0, offset: 1, maxMsgNums: 1 })
    expect(decodeMessageRecord(got.messages[0]!).body.length).toBe(20 * KiB)
    expect(await store.getEarliestMessageTime(TOPIC, 0)).toBe(big.storeTimestamp)
  })

  it('has no disk unless diskUsage is injected', async () => {
    const store = await open({})
    await store.deleteExpiredFiles()
    expect(store.diskUsage).toBeNull()
    expect(store.diskFull).toBe(false)
  })

  it('close() drops everything, including the key index and segments', async () => {
    const store = await open({ mappedFileSizeCommitLog: 4 * KiB })
    for (let i = 0; i < 20; i++) await store.putMessage(budgetMessage(i, 0))
    await store.deleteExpiredFiles({ force: true })
    await store.close()
    await store.open()
    expect(store.getMinPhyOffset()).toBe(0)
    expect(store.getMaxPhyOffset()).toBe(0)
    expect(store.getMinOffsetInQueue(TOPIC, 0)).toBe(0)
    const result = await store.queryMessage({ topic: TOPIC, key: 'every', maxNum: 64, beginTimestamp: 0, endTimestamp: Number.MAX_SAFE_INTEGER })
    expect(result).toEqual({ messages: [], indexLastUpdateTimestamp: 0, indexLastUpdatePhyoffset: 0 })
  })
})
