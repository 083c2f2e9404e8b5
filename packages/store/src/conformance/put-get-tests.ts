import { decodeMessageRecord, encodeMessageRecord, MessageSysFlag } from '@cometmq/protocol'
import { describe, expect, it } from 'vitest'
import type { PutMessageInput } from '../types.js'
import { TOPIC, batch, message, useHarness } from './harness.js'
import type { ConformanceOptions } from './harness.js'

function expectedRecord(input: PutMessageInput, queueOffset: number, commitLogOffset: number, storeTimestamp: number): Buffer {
  const { tagsCode: _t, waitStoreMsgOK: _w, ...record } = input
  return encodeMessageRecord({ ...record, queueOffset, commitLogOffset, storeTimestamp })
}

export function putGetTests(options: ConformanceOptions): void {
  describe('put and get', () => {
    const h = useHarness(options)

    it('putMessage answers PUT_OK with where the record landed', async () => {
      const store = await h.open()
      const before = Date.now()
      const result = await store.putMessage(message())
      const after = Date.now()
      expect(result.status).toBe('PUT_OK')
      const a = result.appendResult!
      expect(a.queueOffset).toBe(0)
      expect(a.msgNum).toBe(1)
      expect(a.commitLogOffsets).toEqual([a.wroteOffset])
      expect(a.wroteBytes).toBeGreaterThan(90)
      expect(a.storeTimestamp).toBeGreaterThanOrEqual(before)
      expect(a.storeTimestamp).toBeLessThanOrEqual(after)
    })

    it('getMessage returns the record byte-identical to encodeMessageRecord', async () => {
      const store = await h.open()
      const input = message({ tags: 'TagA', flag: 7, reconsumeTimes: 2, body: Buffer.from('Hello RocketMQ 0') })
      const a = (await store.putMessage(input)).appendResult!
      const got = await store.getMessage({ topic: TOPIC, queueId: 0, offset: 0, maxMsgNums: 32 })
      expect(got.status).toBe('FOUND')
      expect(got.messages).toHaveLength(1)
      expect(got.messages[0]!.equals(expectedRecord(input, 0, a.wroteOffset, a.storeTimestamp))).toBe(true)
      expect(got.messages[0]!.length).toBe(a.wroteBytes)
      const decoded = decodeMessageRecord(got.messages[0]!)
      expect(decoded).toMatchObject({ topic: TOPIC, queueId: 0, flag: 7, reconsumeTimes: 2, queueOffset: 0, commitLogOffset: a.wroteOffset })
      expect(decoded.properties.TAGS).toBe('TagA')
      expect(decoded.body.toString()).toBe('Hello RocketMQ 0')
    })

    it('putMessages assigns consecutive queue offsets and contiguous records', async () => {
      const store = await h.open()
      await store.putMessage(message())
      const result = await store.putMessages(batch(['b0', 'b1', 'b2', 'b3', 'b4']))
      expect(result.status).toBe('PUT_OK')
      const a = result.appendResult!
      expect(a.queueOffset).toBe(1)
      expect(a.msgNum).toBe(5)
      expect(a.commitLogOffsets[0]).toBe(a.wroteOffset)
      const got = await store.getMessage({ topic: TOPIC, queueId: 0, offset: 1, maxMsgNums: 32 })
      const decoded = got.messages.map((m) => decodeMessageRecord(m))
      expect(decoded.map((m) => m.body.toString())).toEqual(['b0', 'b1', 'b2', 'b3', 'b4'])
      expect(decoded.map((m) => m.queueOffset)).toEqual([1, 2, 3, 4, 5])
      expect(decoded.map((m) => m.commitLogOffset)).toEqual(a.commitLogOffsets)
      for (let i = 1; i < 5; i++) expect(a.commitLogOffsets[i]).toBe(a.commitLogOffsets[i - 1]! + got.messages[i - 1]!.length)
      expect(a.wroteBytes).toBe(got.messages.reduce((n, m) => n + m.length, 0))
      expect(decoded.every((m) => m.storeTimestamp === a.storeTimestamp)).toBe(true)
      expect((await store.putMessage(message())).appendResult!.queueOffset).toBe(6)
    })

    it('topics and queues are independent', async () => {
      const store = await h.open()
      await store.putMessage(message({ topic: 'A', queueId: 0, body: Buffer.from('a0') }))
      await store.putMessage(message({ topic: 'A', queueId: 1, body: Buffer.from('a1') }))
      await store.putMessage(message({ topic: 'B', queueId: 0, body: Buffer.from('b0') }))
      const r = await store.putMessage(message({ topic: 'A', queueId: 0, body: Buffer.from('a0-2') }))
      expect(r.appendResult!.queueOffset).toBe(1)
      const got = await store.getMessage({ topic: 'A', queueId: 0, offset: 0, maxMsgNums: 32 })
      expect(got.messages.map((m) => decodeMessageRecord(m).body.toString())).toEqual(['a0', 'a0-2'])
      expect(store.getMaxOffsetInQueue('A', 1)).toBe(1)
      expect(store.getMaxOffsetInQueue('B', 0)).toBe(1)
      expect(store.getMaxOffsetInQueue('B', 1)).toBe(0)
    })

    it('PREPARED and ROLLBACK records get queueOffset 0 and no ConsumeQueue entry', async () => {
      const store = await h.open()
      await store.putMessage(message())
      const prepared = await store.putMessage(message({ sysFlag: MessageSysFlag.TRANSACTION_PREPARED_TYPE, body: Buffer.from('half') }))
      const rollback = await store.putMessage(message({ sysFlag: MessageSysFlag.TRANSACTION_ROLLBACK_TYPE }))
      expect(prepared.status).toBe('PUT_OK')
      expect(prepared.appendResult!.queueOffset).toBe(0)
      expect(rollback.appendResult!.queueOffset).toBe(0)
      expect(store.getMaxOffsetInQueue(TOPIC, 0)).toBe(1)
      const half = await store.lookMessageByOffset(prepared.appendResult!.wroteOffset)
      expect(half!.body.toString()).toBe('half')
      expect(half!.queueOffset).toBe(0)
      const commit = await store.putMessage(message({ sysFlag: MessageSysFlag.TRANSACTION_COMMIT_TYPE }))
      expect(commit.appendResult!.queueOffset).toBe(1)
    })

    it('a transactional batch is MESSAGE_ILLEGAL and stores nothing', async () => {
      const store = await h.open()
      const result = await store.putMessages(batch(['x'], { sysFlag: MessageSysFlag.TRANSACTION_PREPARED_TYPE }))
      expect(result.status).toBe('MESSAGE_ILLEGAL')
      expect(result.appendResult).toBeUndefined()
      expect(store.getMaxPhyOffset()).toBe(store.getMinPhyOffset())
    })

    it('SYNC_FLUSH puts answer PUT_OK, with and without waitStoreMsgOK', async () => {
      const store = await h.open(h.config({ flushDiskType: 'SYNC_FLUSH' }))
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.putMessage(message({ body: Buffer.from(`s${i}`) }))))
      expect(results.map((r) => r.status)).toEqual(Array(10).fill('PUT_OK'))
      expect((await store.putMessage(message({ waitStoreMsgOK: false }))).status).toBe('PUT_OK')
      expect((await store.putMessages(batch(['x', 'y'], { waitStoreMsgOK: true }))).status).toBe('PUT_OK')
      expect(store.getMaxOffsetInQueue(TOPIC, 0)).toBe(13)
    })
  })
}
