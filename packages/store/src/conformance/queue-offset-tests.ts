import { decodeMessageRecord } from '@cometmq/protocol'
import { describe, expect, it } from 'vitest'
import { batch, message, prng, useHarness } from './harness.js'
import type { ConformanceOptions } from './harness.js'

export function queueOffsetTests(options: ConformanceOptions): void {
  describe('queue offsets', () => {
    const h = useHarness(options)

    it('queue offsets are dense and monotonic per queue under a random mix of puts', async () => {
      const store = await h.open()
      const random = prng(42)
      const topics = ['T0', 'T1', 'T2']
      const model = new Map<string, number>()
      let lastCommitLogOffset = -1
      for (let step = 0; step < 300; step++) {
        const topic = topics[Math.floor(random() * topics.length)]!
        const queueId = Math.floor(random() * 4)
        const key = `${topic}/${queueId}`
        const expected = model.get(key) ?? 0
        const size = 1 + Math.floor(random() * 400)
        const result =
          random() < 0.2
            ? await store.putMessages(batch(['x'.repeat(size), 'y', 'z'], { topic, queueId }))
            : await store.putMessage(message({ topic, queueId, body: Buffer.alloc(size, 1) }))
        expect(result.status).toBe('PUT_OK')
        const a = result.appendResult!
        expect(a.queueOffset).toBe(expected)
        expect(a.wroteOffset).toBeGreaterThan(lastCommitLogOffset)
        lastCommitLogOffset = a.commitLogOffsets[a.commitLogOffsets.length - 1]!
        model.set(key, expected + a.msgNum)
      }
      for (const [key, next] of model) {
        const [topic, queueId] = key.split('/') as [string, string]
        expect(store.getMaxOffsetInQueue(topic, Number(queueId))).toBe(next)
        expect(store.getMinOffsetInQueue(topic, Number(queueId))).toBe(0)
        const got = await store.getMessage({ topic, queueId: Number(queueId), offset: 0, maxMsgNums: 1000, maxTotalBytes: 1 << 30 })
        expect(got.messages.map((m) => decodeMessageRecord(m).queueOffset)).toEqual(Array.from({ length: next }, (_, i) => i))
      }
    })

    it('min and max offsets of an unknown queue are 0', async () => {
      const store = await h.open()
      expect(store.getMaxOffsetInQueue('Nope', 3)).toBe(0)
      expect(store.getMinOffsetInQueue('Nope', 3)).toBe(0)
    })

    it('max offset is the next offset to assign', async () => {
      const store = await h.open()
      for (let i = 0; i < 5; i++) await store.putMessage(message())
      expect(store.getMaxOffsetInQueue(message().topic, 0)).toBe(5)
      expect(store.getMinOffsetInQueue(message().topic, 0)).toBe(0)
    })

    it('physical offsets: min is 0 on a fresh store, max covers every record written', async () => {
      const store = await h.open()
      expect(store.getMinPhyOffset()).toBe(0)
      expect(store.getMaxPhyOffset()).toBe(0)
      let end = 0
      for (let i = 0; i < 10; i++) {
        const a = (await store.putMessage(message({ body: Buffer.alloc(1000 * i) }))).appendResult!
        expect(a.wroteOffset).toBeGreaterThanOrEqual(end)
        end = a.wroteOffset + a.wroteBytes
        expect(store.getMaxPhyOffset()).toBeGreaterThanOrEqual(end)
      }
      expect(store.getMinPhyOffset()).toBe(0)
    })
  })
}
