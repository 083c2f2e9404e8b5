import { describe, expect, it } from 'vitest'
import { TOPIC, batch, message, useHarness } from './harness.js'
import type { ConformanceOptions } from './harness.js'

export function lookByOffsetTests(options: ConformanceOptions): void {
  describe('lookMessageByOffset / selectOneMessageByOffset', () => {
    const h = useHarness(options)

    it('finds every record by its commit-log offset, including inside a batch', async () => {
      const store = await h.open()
      const single = (await store.putMessage(message({ body: Buffer.from('one'), tags: 'T1' }))).appendResult!
      const many = (await store.putMessages(batch(['b0', 'b1', 'b2']))).appendResult!
      const looked = await store.lookMessageByOffset(single.wroteOffset)
      expect(looked).toMatchObject({ topic: TOPIC, queueId: 0, queueOffset: 0, commitLogOffset: single.wroteOffset, storeTimestamp: single.storeTimestamp })
      expect(looked!.body.toString()).toBe('one')
      expect(looked!.properties.TAGS).toBe('T1')
      const second = await store.lookMessageByOffset(many.commitLogOffsets[1]!)
      expect(second!.body.toString()).toBe('b1')
      expect(second!.queueOffset).toBe(2)
    })

    it('selectOneMessageByOffset returns the same bytes getMessage returns', async () => {
      const store = await h.open()
      const a = (await store.putMessage(message({ body: Buffer.from('same') }))).appendResult!
      const raw = await store.selectOneMessageByOffset(a.wroteOffset)
      const got = await store.getMessage({ topic: TOPIC, queueId: 0, offset: 0, maxMsgNums: 1 })
      expect(raw!.equals(got.messages[0]!)).toBe(true)
      expect(raw!.length).toBe(a.wroteBytes)
    })

    it('answers null where no record starts', async () => {
      const store = await h.open()
      expect(await store.lookMessageByOffset(0)).toBeNull()
      const a = (await store.putMessage(message())).appendResult!
      expect(await store.lookMessageByOffset(a.wroteOffset + 1)).toBeNull()
      expect(await store.selectOneMessageByOffset(a.wroteOffset + 3)).toBeNull()
      expect(await store.lookMessageByOffset(store.getMaxPhyOffset())).toBeNull()
      expect(await store.lookMessageByOffset(store.getMaxPhyOffset() + 1_000_000)).toBeNull()
      expect(await store.selectOneMessageByOffset(-5)).toBeNull()
    })
  })
}
