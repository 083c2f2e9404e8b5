import { decodeMessageRecord, tagsStringToTagsCode } from '@cometmq/protocol'
import { describe, expect, it } from 'vitest'
import { DEFAULT_MAX_TRANSFER_BYTES } from '../store-config.js'
import { TOPIC, batch, message, useHarness } from './harness.js'
import type { ConformanceOptions } from './harness.js'

export function batchLimitTests(options: ConformanceOptions): void {
  describe('pull batch limits and tag filter', () => {
    const h = useHarness(options)
    const query = { topic: TOPIC, queueId: 0 }

    it('stops at maxMsgNums', async () => {
      const store = await h.open()
      await store.putMessages(batch(Array.from({ length: 10 }, (_, i) => `m${i}`)))
      const got = await store.getMessage({ ...query, offset: 2, maxMsgNums: 3 })
      expect(got.messages.map((m) => decodeMessageRecord(m).queueOffset)).toEqual([2, 3, 4])
      expect(got.nextBeginOffset).toBe(5)
    })

    it('stops before maxTotalBytes would be exceeded, but returns at least one message', async () => {
      const store = await h.open()
      for (let i = 0; i < 6; i++) await store.putMessage(message({ body: Buffer.alloc(500, i) }))
      const size = (await store.getMessage({ ...query, offset: 0, maxMsgNums: 1 })).messages[0]!.length
      const two = await store.getMessage({ ...query, offset: 0, maxMsgNums: 32, maxTotalBytes: Math.floor(size * 2.5) })
      expect(two.messages).toHaveLength(2)
      expect(two.nextBeginOffset).toBe(2)
      const exact = await store.getMessage({ ...query, offset: 0, maxMsgNums: 32, maxTotalBytes: size * 3 })
      expect(exact.messages).toHaveLength(3)
      const one = await store.getMessage({ ...query, offset: 4, maxMsgNums: 32, maxTotalBytes: 1 })
      expect(one.status).toBe('FOUND')
      expect(one.messages).toHaveLength(1)
      expect(one.nextBeginOffset).toBe(5)
    })

    it('caps a pull at 256 KiB by default', async () => {
      const store = await h.open()
      const body = Buffer.alloc(10 * 1024, 7)
      for (let i = 0; i < 40; i++) expect((await store.putMessage(message({ body }))).status).toBe('PUT_OK')
      const got = await store.getMessage({ ...query, offset: 0, maxMsgNums: 64 })
      const size = got.messages[0]!.length
      expect(got.messages).toHaveLength(Math.floor(DEFAULT_MAX_TRANSFER_BYTES / size))
      expect(got.nextBeginOffset).toBe(got.messages.length)
      expect(got.messages.every((m) => decodeMessageRecord(m).body.equals(body))).toBe(true)
      const rest = await store.getMessage({ ...query, offset: got.nextBeginOffset, maxMsgNums: 64 })
      expect(got.messages.length + rest.messages.length).toBe(40)
    })

    it('tagsCodeFilter skips entries but counts them in nextBeginOffset', async () => {
      const store = await h.open()
      for (const tag of ['A', 'B', 'A', 'B', 'A']) await store.putMessage(message({ tags: tag }))
      const a = tagsStringToTagsCode('A')
      const b = tagsStringToTagsCode('B')
      const onlyA = await store.getMessage({ ...query, offset: 0, maxMsgNums: 2, tagsCodeFilter: (code) => code === a })
      expect(onlyA.messages.map((m) => decodeMessageRecord(m).queueOffset)).toEqual([0, 2])
      expect(onlyA.nextBeginOffset).toBe(3)
      const onlyB = await store.getMessage({ ...query, offset: 0, maxMsgNums: 32, tagsCodeFilter: (code) => code === b })
      expect(onlyB.messages.map((m) => decodeMessageRecord(m).properties.TAGS)).toEqual(['B', 'B'])
      expect(onlyB.nextBeginOffset).toBe(5)
    })

    it('scans at most max(800, maxMsgNums) entries per pull, then continues from nextBeginOffset', async () => {
      const store = await h.open()
      for (let i = 0; i < 9; i++) await store.putMessages(batch(Array.from({ length: 100 }, () => 'b'), {}, 'B'))
      let offset = 0
      let pulls = 0
      while (offset < 900) {
        const got = await store.getMessage({ ...query, offset, maxMsgNums: 1, tagsCodeFilter: () => false })
        expect(got.status).toBe('NO_MATCHED_MESSAGE')
        expect(got.nextBeginOffset).toBeGreaterThan(offset)
        expect(got.nextBeginOffset - offset).toBeLessThanOrEqual(800)
        offset = got.nextBeginOffset
        pulls++
      }
      expect(offset).toBe(900)
      expect(pulls).toBeGreaterThanOrEqual(2)
    })
  })
}
