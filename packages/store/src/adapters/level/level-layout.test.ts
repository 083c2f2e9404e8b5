import { BLANK_MAGIC_CODE, encodeProperties, tagsStringToTagsCode } from '@cometmq/protocol'
import { unpack } from 'msgpackr'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { FileMessageStore } from '../file/file-message-store.js'
import { SEGMENT_SIZE, allEntries, expectedRecord, numbered, str16, u32, u64, useLevelEnv } from './__fixtures__/level-test-helpers.js'

const hex = (...parts: Array<Buffer | number[]>): string => Buffer.concat(parts.map((p) => (Buffer.isBuffer(p) ? p : Buffer.from(p)))).toString('hex')
const int64 = (n: number): Buffer => {
  const b = Buffer.alloc(8)
  b.writeBigInt64BE(BigInt(n))
  return b
}

describe('LevelMessageStore key layout', () => {
  const env = useLevelEnv()
  afterEach(() => {
    vi.useRealTimers()
  })

  it('stores puts as records, ConsumeQueue units, index entries and metadata under the documented keys', async () => {
    const dir = env.dir()
    const store = env.store(dir)
    await store.open()
    const input = { ...numbered(0), topic: 'T', queueId: 1, propertiesString: encodeProperties({ KEYS: 'alpha beta', UNIQ_KEY: 'U1', TAGS: 'A' }), tagsCode: tagsStringToTagsCode('A') }
    const single = (await store.putMessage(input)).appendResult!
    const batch = (
      await store.putMessages({
        topic: 'T',
        queueId: 2,
        sysFlag: 0,
        bornTimestamp: 1,
        bornHost: input.bornHost,
        storeHost: input.storeHost,
        reconsumeTimes: 0,
        messages: ['B0', 'B1'].map((key) => ({ flag: 0, body: Buffer.from(key), propertiesString: encodeProperties({ UNIQ_KEY: key }), tagsCode: 0 })),
      })
    ).appendResult!
    const [b0, b1] = batch.commitLogOffsets as [number, number]
    const end = store.getMaxPhyOffset()
    await store.close()

    const entries = new Map((await allEntries(await env.raw(dir))).map(([key, value]) => [key.toString('hex'), value]))
    const q = (queueId: number): Buffer => Buffer.concat([str16('T'), u32(queueId)])
    const index = (key: string, offset: number): [string, string] => [hex([0x30], str16('T'), str16(key), u64(offset)), hex([0x31], u64(offset), str16('T'), str16(key))]
    const expectedKeys = [
      hex([0x01, 0x48]),
      hex([0x01, 0x4c]),
      hex([0x02], u64(0)),
      hex([0x03], q(1)),
      hex([0x03], q(2)),
      hex([0x10], u64(0)),
      hex([0x10], u64(b0)),
      hex([0x10], u64(b1)),
      hex([0x20], q(1), u64(0)),
      hex([0x20], q(2), u64(0)),
      hex([0x20], q(2), u64(1)),
      ...index('alpha', 0),
      ...index('beta', 0),
      ...index('U1', 0),
      ...index('B0', b0),
      ...index('B1', b1),
    ].sort()
    expect([...entries.keys()]).toEqual(expectedKeys)

    expect(entries.get(hex([0x10], u64(0)))!.equals(expectedRecord(input, 0, 0, single.storeTimestamp))).toBe(true)
    const unit = entries.get(hex([0x20], q(1), u64(0)))!
    expect(unit.toString('hex')).toBe(hex(int64(0), u32(single.wroteBytes), int64(input.tagsCode), int64(single.storeTimestamp)))
    expect(entries.get(hex([0x20], q(2), u64(1)))!.toString('hex')).toBe(hex(int64(b1), u32(end - b1), int64(0), int64(batch.storeTimestamp)))
    expect(entries.get(index('beta', 0)[0])!.toString('hex')).toBe(int64(single.storeTimestamp).toString('hex'))
    expect(entries.get(index('B1', b1)[1])!.length).toBe(0)

    expect(unpack(entries.get(hex([0x01, 0x48]))!)).toEqual({
      version: 1,
      segmentSize: SEGMENT_SIZE,
      maxPhyOffset: end,
      lastStoreTimestamp: batch.storeTimestamp,
      indexLastUpdateTimestamp: batch.storeTimestamp,
      indexLastUpdatePhyoffset: b1,
    })
    expect(unpack(entries.get(hex([0x01, 0x4c]))!)).toEqual({ minPhyOffset: 0 })
    expect(unpack(entries.get(hex([0x02], u64(0)))!)).toEqual({ newestStoreTimestamp: batch.storeTimestamp })
    expect(unpack(entries.get(hex([0x03], q(1)))!)).toEqual({ maxOffset: 1 })
    expect(unpack(entries.get(hex([0x03], q(2)))!)).toEqual({ maxOffset: 2 })
  })

  it('ends a segment with a BLANK filler at the same offsets as FileMessageStore, and readCommitLog streams identical bytes', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(1_750_000_000_000)
    const dir = env.dir()
    const level = env.store(dir)
    const file = env.track(new FileMessageStore({ storePathRootDir: env.dir(), mappedFileSizeCommitLog: SEGMENT_SIZE }))
    await level.open()
    await file.open()
    const fillers: number[] = []
    for (let n = 0; n < 45; n++) {
      const input = numbered(n, 3, 2500 + n * 40)
      const before = level.getMaxPhyOffset()
      const a = await level.putMessage(input)
      const b = await file.putMessage(input)
      expect(a).toEqual(b)
      if (a.appendResult!.wroteOffset !== before) fillers.push(before)
    }
    expect(fillers.length).toBeGreaterThanOrEqual(2)
    expect(level.getMaxPhyOffset()).toBe(file.getMaxPhyOffset())
    for (const chunk of [7001, SEGMENT_SIZE]) {
      for (let offset = 0; offset < level.getMaxPhyOffset(); ) {
        const fromLevel = await level.readCommitLog(offset, chunk)
        const fromFile = await file.readCommitLog(offset, chunk)
        expect(fromLevel.length, `bytes at ${offset}`).toBeGreaterThan(0)
        expect(fromLevel.equals(fromFile), `bytes at ${offset}`).toBe(true)
        offset += fromLevel.length
      }
    }
    const tail = await level.readCommitLog(fillers[0]! + 3, 1 << 20)
    expect(tail.length).toBe(SEGMENT_SIZE - (fillers[0]! % SEGMENT_SIZE) - 3)
    expect(tail.subarray(5).every((byte) => byte === 0)).toBe(true)
    expect(await level.selectOneMessageByOffset(fillers[0]!)).toBeNull()
    await level.close()

    const db = await env.raw(dir)
    const blank = (await db.get(Buffer.concat([Buffer.from([0x10]), u64(fillers[0]!)])))!
    expect(blank.length).toBe(8)
    expect(blank.readInt32BE(0)).toBe(SEGMENT_SIZE - (fillers[0]! % SEGMENT_SIZE))
    expect(blank.readInt32BE(4)).toBe(BLANK_MAGIC_CODE)
  })

  it('retention removes the deleted segments’ records, queue entries and index entries, and moves the low-water keys', async () => {
    const dir = env.dir()
    const store = env.store(dir, { diskUsage: async () => 10 })
    await store.open()
    for (let n = 0; n < 150; n++) expect((await store.putMessage(numbered(n, 3, 1000))).status).toBe('PUT_OK')
    const report = await store.deleteExpiredFiles({ force: true })
    expect(report.deletedSegments).toBe(2)
    const min = 2 * SEGMENT_SIZE
    expect(report.minPhyOffset).toBe(min)
    const queueMins = [0, 1, 2].map((queueId) => store.getMinOffsetInQueue('LevelTopic', queueId))
    expect(queueMins.every((offset) => offset > 0)).toBe(true)
    const retained = store.getMaxOffsetInQueue('LevelTopic', 0) + store.getMaxOffsetInQueue('LevelTopic', 1) + store.getMaxOffsetInQueue('LevelTopic', 2) - queueMins.reduce((a, b) => a + b, 0)
    await store.close()

    const entries = await allEntries(await env.raw(dir))
    let records = 0
    let indexEntries = 0
    for (const [key, value] of entries) {
      const at = (pos: number): number => Number(key.readBigUInt64BE(pos))
      switch (key[0]) {
        case 0x10:
          expect(at(1)).toBeGreaterThanOrEqual(min)
          records++
          break
        case 0x02:
        case 0x31:
          expect(at(1)).toBeGreaterThanOrEqual(min)
          break
        case 0x30:
          expect(at(key.length - 8)).toBeGreaterThanOrEqual(min)
          indexEntries++
          break
        case 0x20:
          expect(Number(value.readBigInt64BE(0))).toBeGreaterThanOrEqual(min)
          expect(at(key.length - 8)).toBeGreaterThanOrEqual(queueMins[key.readUInt32BE(key.length - 12)]!)
          break
      }
    }
    expect(records).toBeGreaterThanOrEqual(retained) // plus BLANK fillers
    expect(indexEntries).toBe(retained * 3) // KEYS `k<n> shared` + UNIQ_KEY
    const low = entries.find(([key]) => key.equals(Buffer.from([0x01, 0x4c])))!
    expect(unpack(low[1])).toEqual({ minPhyOffset: min })
    const queueLows = entries.filter(([key]) => key[0] === 0x04).map(([key, value]) => [key.readUInt32BE(key.length - 4), unpack(value)])
    expect(queueLows).toEqual([0, 1, 2].map((queueId) => [queueId, { minOffset: queueMins[queueId] }]))
  })
})
