import { decodeMessageRecord } from '@cometmq/protocol'
import { describe, expect, it } from 'vitest'
import { TEST_MAX_MESSAGE_SIZE, TOPIC, batch, message, useHarness } from './harness.js'
import type { ConformanceOptions } from './harness.js'

export function messageSizeTests(options: ConformanceOptions): void {
  describe('message size limits', () => {
    const h = useHarness(options)

    it('accepts bodies up to maxMessageSize and returns them intact', async () => {
      const store = await h.open()
      const body = Buffer.alloc(TEST_MAX_MESSAGE_SIZE)
      for (let i = 0; i < body.length; i++) body[i] = (i * 31) & 0xff
      const result = await store.putMessage(message({ body }))
      expect(result.status).toBe('PUT_OK')
      const got = await store.getMessage({ topic: TOPIC, queueId: 0, offset: 0, maxMsgNums: 1 })
      expect(decodeMessageRecord(got.messages[0]!).body.equals(body)).toBe(true)
    })

    it('many maximum-size messages in a row stay readable (commit-log files roll)', async () => {
      const store = await h.open()
      const bodies = Array.from({ length: 12 }, (_, i) => Buffer.alloc(TEST_MAX_MESSAGE_SIZE - i * 100, i + 1))
      for (const body of bodies) expect((await store.putMessage(message({ body }))).status).toBe('PUT_OK')
      const small = await store.putMessage(message({ body: Buffer.from('small') }))
      expect(small.appendResult!.queueOffset).toBe(12)
      for (let i = 0; i < bodies.length; i++) {
        const got = await store.getMessage({ topic: TOPIC, queueId: 0, offset: i, maxMsgNums: 1 })
        expect(decodeMessageRecord(got.messages[0]!).body.equals(bodies[i]!)).toBe(true)
      }
      const last = await store.getMessage({ topic: TOPIC, queueId: 0, offset: 12, maxMsgNums: 1 })
      expect(decodeMessageRecord(last.messages[0]!).body.toString()).toBe('small')
    })

    it('answers MESSAGE_ILLEGAL for a body over maxMessageSize and stores nothing', async () => {
      const store = await h.open()
      const phy = store.getMaxPhyOffset()
      const result = await store.putMessage(message({ body: Buffer.alloc(TEST_MAX_MESSAGE_SIZE + 1) }))
      expect(result.status).toBe('MESSAGE_ILLEGAL')
      expect(result.appendResult).toBeUndefined()
      expect(store.getMaxOffsetInQueue(TOPIC, 0)).toBe(0)
      expect(store.getMaxPhyOffset()).toBe(phy)
    })

    it('answers MESSAGE_ILLEGAL for a batch holding one oversized body and stores none of it', async () => {
      const store = await h.open()
      const input = batch(['ok', 'ok'])
      input.messages.push({ flag: 0, body: Buffer.alloc(TEST_MAX_MESSAGE_SIZE + 1), propertiesString: '', tagsCode: 0 })
      expect((await store.putMessages(input)).status).toBe('MESSAGE_ILLEGAL')
      expect(store.getMaxOffsetInQueue(TOPIC, 0)).toBe(0)
    })

    it('answers PROPERTIES_SIZE_EXCEEDED for properties over 32767 bytes', async () => {
      const store = await h.open()
      const ok = await store.putMessage(message({ propertiesString: `K\u0001${'v'.repeat(32765)}` }))
      expect(ok.status).toBe('PUT_OK')
      const tooBig = await store.putMessage(message({ propertiesString: `K\u0001${'v'.repeat(32766)}` }))
      expect(tooBig.status).toBe('PROPERTIES_SIZE_EXCEEDED')
      expect(store.getMaxOffsetInQueue(TOPIC, 0)).toBe(1)
    })

    it('answers MESSAGE_ILLEGAL for a topic over 127 bytes', async () => {
      const store = await h.open()
      expect((await store.putMessage(message({ topic: 'T'.repeat(127) }))).status).toBe('PUT_OK')
      expect((await store.putMessage(message({ topic: 'T'.repeat(128) }))).status).toBe('MESSAGE_ILLEGAL')
    })
  })
}
