import { decodeMessageRecord, encodeProperties } from '@cometmq/protocol'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { MessageStore } from '../message-store.js'
import type { MessageStoreConfig } from '../types.js'
import { message, readQueue, useHarness } from './harness.js'
import type { ConformanceOptions, Harness } from './harness.js'

/** Commit-log segment size of the retention tests (bytes). */
export const RETENTION_SEGMENT_SIZE = 64 * 1024
const TOPIC = 'RetentionTopic'
const QUEUES = [0, 1]
const HOUR_MS = 3_600_000
/** Default fileReservedTime (72 h, RocketMQ MessageStoreConfig.fileReservedTime) plus one hour. */
const PAST_DEFAULT_RESERVED_TIME_MS = (72 + 1) * HOUR_MS

/** One message put by `fill`, with where it landed. */
export interface StoredMessage {
  queueId: number
  queueOffset: number
  commitLogOffset: number
  storeTimestamp: number
  size: number
  body: Buffer
  key: string
}

/** A retention-test config: small segments, and a disk that is never under pressure unless a test says so. */
export function retentionConfig(h: Harness, overrides: Partial<MessageStoreConfig> = {}): MessageStoreConfig {
  return h.config({ mappedFileSizeCommitLog: RETENTION_SEGMENT_SIZE, diskUsage: async () => 10, ...overrides })
}

/**
 * Puts `perQueue` messages of about 2 KiB to each of TOPIC's queues 0 and 1, interleaved, so both queues have
 * entries in every segment (100 messages ≈ 220 KiB ≈ 4 segments of 64 KiB). Keys are `rk-<tag>-<i>`.
 * `storeTimeOf(i)` sets the (faked, vi.useFakeTimers) Date before message i.
 */
export async function fill(store: MessageStore, perQueue = 50, tag = 'a', storeTimeOf?: (i: number) => number): Promise<StoredMessage[]> {
  const stored: StoredMessage[] = []
  for (let i = 0; i < perQueue * QUEUES.length; i++) {
    if (storeTimeOf) vi.setSystemTime(storeTimeOf(i))
    const queueId = QUEUES[i % QUEUES.length]!
    const key = `rk-${tag}-${i}`
    const body = Buffer.alloc(1900 + (i % 7) * 31, `${tag}${i}|`)
    const result = await store.putMessage(message({ topic: TOPIC, queueId, body, propertiesString: encodeProperties({ KEYS: key, UNIQ_KEY: `RU-${tag}-${i}` }) }))
    expect(result.status).toBe('PUT_OK')
    const a = result.appendResult!
    stored.push({ queueId, queueOffset: a.queueOffset, commitLogOffset: a.wroteOffset, storeTimestamp: a.storeTimestamp, size: a.wroteBytes, body, key })
  }
  return stored
}

const everything = { beginTimestamp: 0, endTimestamp: Number.MAX_SAFE_INTEGER, maxNum: 64 }

/**
 * Checks the store against a retention that kept exactly the messages at/after `minPhyOffset`: queue min
 * offsets, OFFSET_TOO_SMALL below them, every retained message readable, deleted ones gone from every lookup.
 */
export async function expectRetainedFrom(store: MessageStore, stored: StoredMessage[], minPhyOffset: number): Promise<void> {
  expect(store.getMinPhyOffset()).toBe(minPhyOffset)
  for (const queueId of QUEUES) {
    const inQueue = stored.filter((m) => m.queueId === queueId)
    const retained = inQueue.filter((m) => m.commitLogOffset >= minPhyOffset)
    const deleted = inQueue.filter((m) => m.commitLogOffset < minPhyOffset)
    expect(retained.length).toBeGreaterThan(0)
    const min = retained[0]!.queueOffset
    expect(store.getMinOffsetInQueue(TOPIC, queueId), `min offset of queue ${queueId}`).toBe(min)
    expect(store.getMaxOffsetInQueue(TOPIC, queueId)).toBe(inQueue.length)
    if (deleted.length > 0) {
      const tooSmall = await store.getMessage({ topic: TOPIC, queueId, offset: 0, maxMsgNums: 4 })
      expect(tooSmall.status).toBe('OFFSET_TOO_SMALL')
      expect(tooSmall.nextBeginOffset).toBe(min)
      expect(tooSmall.minOffset).toBe(min)
      const justBelow = await store.getMessage({ topic: TOPIC, queueId, offset: min - 1, maxMsgNums: 4 })
      expect(justBelow.status).toBe('OFFSET_TOO_SMALL')
    }
    const atMin = await store.getMessage({ topic: TOPIC, queueId, offset: min, maxMsgNums: 1 })
    expect(atMin.status).toBe('FOUND')
    expect(decodeMessageRecord(atMin.messages[0]!).body.equals(retained[0]!.body)).toBe(true)
    const records = await readQueue(store, TOPIC, queueId)
    expect(records.map((r) => decodeMessageRecord(r).body.toString())).toEqual(retained.map((m) => m.body.toString()))
    expect(await store.getEarliestMessageTime(TOPIC, queueId)).toBe(retained[0]!.storeTimestamp)
    expect(await store.getOffsetInQueueByTime(TOPIC, queueId, 0)).toBe(min)
    for (const m of deleted) {
      expect(await store.lookMessageByOffset(m.commitLogOffset), `deleted message at ${m.commitLogOffset}`).toBeNull()
      expect(await store.selectOneMessageByOffset(m.commitLogOffset)).toBeNull()
    }
  }
  for (const m of stored) {
    const found = await store.queryMessage({ topic: TOPIC, key: m.key, ...everything })
    const expected = m.commitLogOffset >= minPhyOffset ? [m.commitLogOffset] : []
    expect(found.messages.map((r) => decodeMessageRecord(r).commitLogOffset), `queryMessage ${m.key}`).toEqual(expected)
  }
}

/** Retention: deleteExpiredFiles() deletes whole old commit-log segments and everything that pointed into them. */
export function retentionTests(options: ConformanceOptions, permanence: boolean): void {
  describe('retention (deleteExpiredFiles)', () => {
    const h = useHarness(options)
    afterEach(() => {
      vi.useRealTimers()
    })

    it('deletes nothing unexpired, then every expired segment but the newest; lookups follow the new minimum', async () => {
      const config = retentionConfig(h)
      const store = await h.open(config)
      const stored = await fill(store)
      const maxPhy = store.getMaxPhyOffset()
      const biggest = Math.max(...stored.map((m) => m.size))

      const none = await store.deleteExpiredFiles({ now: Date.now() })
      expect(none).toEqual({ deletedSegments: 0, deletedBytes: 0, minPhyOffset: 0 })
      await expectRetainedFrom(store, stored, 0)

      const report = await store.deleteExpiredFiles({ now: Date.now() + PAST_DEFAULT_RESERVED_TIME_MS })
      expect(report.deletedSegments).toBeGreaterThan(0)
      expect(report.minPhyOffset).toBeGreaterThan(0)
      expect(report.minPhyOffset).toBe(store.getMinPhyOffset())
      expect(report.deletedBytes).toBe(report.minPhyOffset)
      expect(store.getMaxPhyOffset()).toBe(maxPhy)
      // only the newest segment is left
      expect(maxPhy - report.minPhyOffset).toBeLessThanOrEqual(RETENTION_SEGMENT_SIZE + biggest)
      await expectRetainedFrom(store, stored, report.minPhyOffset)
      for (const queueId of QUEUES) expect(store.getMinOffsetInQueue(TOPIC, queueId)).toBeGreaterThan(0)

      const again = await store.deleteExpiredFiles({ now: Date.now() + PAST_DEFAULT_RESERVED_TIME_MS })
      expect(again).toEqual({ deletedSegments: 0, deletedBytes: 0, minPhyOffset: report.minPhyOffset })

      if (permanence) {
        await store.close()
        const reopened = await h.open(config)
        await expectRetainedFrom(reopened, stored, report.minPhyOffset)
        expect(reopened.getMaxPhyOffset()).toBe(maxPhy)
      }
    })

    it('puts after a deletion continue at the next queue offsets and stay readable', async () => {
      const store = await h.open(retentionConfig(h))
      const stored = await fill(store)
      const report = await store.deleteExpiredFiles({ now: Date.now() + PAST_DEFAULT_RESERVED_TIME_MS })
      expect(report.deletedSegments).toBeGreaterThan(0)
      const more = await fill(store, 40, 'b')
      expect(more.filter((m) => m.queueId === 0).map((m) => m.queueOffset)).toEqual(Array.from({ length: 40 }, (_, i) => 50 + i))
      for (const queueId of QUEUES) {
        const records = await readQueue(store, TOPIC, queueId)
        const expected = [...stored, ...more].filter((m) => m.queueId === queueId && m.commitLogOffset >= report.minPhyOffset)
        expect(records.map((r) => decodeMessageRecord(r).body.toString())).toEqual(expected.map((m) => m.body.toString()))
      }
    })

    it('force deletes unexpired old segments, never the newest one', async () => {
      const store = await h.open(retentionConfig(h))
      const stored = await fill(store)
      const maxPhy = store.getMaxPhyOffset()
      const report = await store.deleteExpiredFiles({ force: true })
      expect(report.deletedSegments).toBeGreaterThan(0)
      expect(maxPhy - report.minPhyOffset).toBeLessThanOrEqual(RETENTION_SEGMENT_SIZE + Math.max(...stored.map((m) => m.size)))
      await expectRetainedFrom(store, stored, report.minPhyOffset)
      const again = await store.deleteExpiredFiles({ force: true, now: Date.now() + PAST_DEFAULT_RESERVED_TIME_MS })
      expect(again.deletedSegments).toBe(0)
      expect(again.minPhyOffset).toBe(report.minPhyOffset)
      await expectRetainedFrom(store, stored, report.minPhyOffset)
    })

    it('a store holding one segment keeps it whatever the age or force; an empty store reports nothing', async () => {
      const store = await h.open(retentionConfig(h))
      expect(await store.deleteExpiredFiles({ force: true, now: Date.now() + PAST_DEFAULT_RESERVED_TIME_MS })).toEqual({ deletedSegments: 0, deletedBytes: 0, minPhyOffset: 0 })
      const stored = await fill(store, 5)
      const report = await store.deleteExpiredFiles({ force: true, now: Date.now() + PAST_DEFAULT_RESERVED_TIME_MS })
      expect(report).toEqual({ deletedSegments: 0, deletedBytes: 0, minPhyOffset: 0 })
      await expectRetainedFrom(store, stored, 0)
    })

    it('respects fileReservedTime (hours after a segment\'s newest message)', async () => {
      const oneHour = await h.open(retentionConfig(h, { fileReservedTime: 1 }))
      const storedOneHour = await fill(oneHour)
      const oldest = Math.min(...storedOneHour.map((m) => m.storeTimestamp))
      const newest = Math.max(...storedOneHour.map((m) => m.storeTimestamp))
      // one hour after the oldest message nothing is older than the limit yet; one hour after the newest, all is
      expect((await oneHour.deleteExpiredFiles({ now: oldest + HOUR_MS })).deletedSegments).toBe(0)
      const report = await oneHour.deleteExpiredFiles({ now: newest + HOUR_MS + 1 })
      expect(report.deletedSegments).toBeGreaterThan(0)
      await expectRetainedFrom(oneHour, storedOneHour, report.minPhyOffset)

      const zero = await h.open(retentionConfig(h, { fileReservedTime: 0 }))
      const storedZero = await fill(zero)
      const zeroReport = await zero.deleteExpiredFiles({ now: Math.max(...storedZero.map((m) => m.storeTimestamp)) + 1 })
      expect(zeroReport.deletedSegments).toBeGreaterThan(0)
      await expectRetainedFrom(zero, storedZero, zeroReport.minPhyOffset)
    })

    it('a segment expires by its NEWEST store time, strictly older than now - fileReservedTime', async () => {
      const store = await h.open(retentionConfig(h, { fileReservedTime: 1 }))
      const t1 = Date.now() - 2 * HOUR_MS
      const t2 = t1 + 10 * 60_000
      // 60 messages (≈ 2.4 segments) at t1, then 40 at t2: the segment holding the switch has newest time t2
      vi.useFakeTimers({ toFake: ['Date'] })
      let stored: StoredMessage[]
      try {
        stored = await fill(store, 50, 'a', (i) => (i < 60 ? t1 : t2))
      } finally {
        vi.useRealTimers()
      }
      const firstT2 = stored[60]!
      expect(firstT2.storeTimestamp).toBe(t2)
      const biggest = Math.max(...stored.map((m) => m.size))
      expect((await store.deleteExpiredFiles({ now: t1 + HOUR_MS })).deletedSegments).toBe(0)
      // segments holding only t1 messages go; the one holding the first t2 message stays
      const report = await store.deleteExpiredFiles({ now: t1 + HOUR_MS + 1 })
      expect(report.deletedSegments).toBeGreaterThan(0)
      expect(report.minPhyOffset).toBeLessThanOrEqual(firstT2.commitLogOffset)
      expect(report.minPhyOffset).toBeGreaterThan(firstT2.commitLogOffset - RETENTION_SEGMENT_SIZE - biggest)
      await expectRetainedFrom(store, stored, report.minPhyOffset)
      expect((await store.deleteExpiredFiles({ now: t2 + HOUR_MS })).deletedSegments).toBe(0)
      const last = await store.deleteExpiredFiles({ now: t2 + HOUR_MS + 1 })
      expect(last.deletedSegments).toBeGreaterThan(0)
      expect(store.getMaxPhyOffset() - last.minPhyOffset).toBeLessThanOrEqual(RETENTION_SEGMENT_SIZE + biggest)
      await expectRetainedFrom(store, stored, last.minPhyOffset)
    })

    it('validates its options', async () => {
      const store = await h.open(retentionConfig(h))
      await expect(store.deleteExpiredFiles({ now: 1.5 })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' })
      await expect(store.deleteExpiredFiles({ force: 'yes' as unknown as boolean })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' })
    })
  })
}
