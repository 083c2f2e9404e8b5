import { decodeMessageRecord } from '@cometmq/protocol'
import { describe, expect, it } from 'vitest'
import type { MessageStore } from '../message-store.js'
import { TOPIC, message, useHarness } from './harness.js'
import type { ConformanceOptions } from './harness.js'

async function withMessages(store: MessageStore, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await store.putMessage(message({ body: Buffer.from(`m${i}`) }))
}

export function getMessageStatusTests(options: ConformanceOptions): void {
  describe('getMessage statuses and nextBeginOffset (§7.5)', () => {
    const h = useHarness(options)
    const get = (store: MessageStore, offset: number, extra: object = {}) =>
      store.getMessage({ topic: TOPIC, queueId: 0, offset, maxMsgNums: 32, ...extra })

    it('returns NO_MESSAGE_IN_QUEUE with nextBeginOffset 0 for an unknown or empty queue', async () => {
      const store = await h.open()
      for (const offset of [0, 5]) {
        expect(await get(store, offset)).toEqual({ status: 'NO_MESSAGE_IN_QUEUE', nextBeginOffset: 0, minOffset: 0, maxOffset: 0, messages: [] })
      }
    })

    it('returns FOUND with nextBeginOffset = offset + messages returned', async () => {
      const store = await h.open()
      await withMessages(store, 5)
      const got = await get(store, 1)
      expect(got.status).toBe('FOUND')
      expect(got.nextBeginOffset).toBe(5)
      expect(got.minOffset).toBe(0)
      expect(got.maxOffset).toBe(5)
      expect(got.messages.map((m) => decodeMessageRecord(m).body.toString())).toEqual(['m1', 'm2', 'm3', 'm4'])
    })

    it('returns OFFSET_OVERFLOW_ONE when offset == maxOffset, nextBeginOffset = offset', async () => {
      const store = await h.open()
      await withMessages(store, 3)
      expect(await get(store, 3)).toEqual({ status: 'OFFSET_OVERFLOW_ONE', nextBeginOffset: 3, minOffset: 0, maxOffset: 3, messages: [] })
    })

    it('returns OFFSET_OVERFLOW_BADLY when offset > maxOffset, nextBeginOffset = maxOffset', async () => {
      const store = await h.open()
      await withMessages(store, 3)
      expect(await get(store, 10)).toEqual({ status: 'OFFSET_OVERFLOW_BADLY', nextBeginOffset: 3, minOffset: 0, maxOffset: 3, messages: [] })
    })

    it('returns OFFSET_TOO_SMALL when offset < minOffset, nextBeginOffset = minOffset', async () => {
      const store = await h.open()
      await withMessages(store, 3)
      expect(await get(store, -1)).toEqual({ status: 'OFFSET_TOO_SMALL', nextBeginOffset: 0, minOffset: 0, maxOffset: 3, messages: [] })
    })

    it('returns NO_MATCHED_MESSAGE when the filter rejects every entry, nextBeginOffset past the scanned ones', async () => {
      const store = await h.open()
      await withMessages(store, 4)
      const got = await get(store, 1, { tagsCodeFilter: () => false })
      expect(got).toEqual({ status: 'NO_MATCHED_MESSAGE', nextBeginOffset: 4, minOffset: 0, maxOffset: 4, messages: [] })
    })

    it('the next pull from nextBeginOffset continues without gaps or repeats', async () => {
      const store = await h.open()
      await withMessages(store, 10)
      const seen: number[] = []
      let offset = 0
      for (;;) {
        const got = await get(store, offset, { maxMsgNums: 3 })
        if (got.status !== 'FOUND') {
          expect(got.status).toBe('OFFSET_OVERFLOW_ONE')
          break
        }
        seen.push(...got.messages.map((m) => decodeMessageRecord(m).queueOffset))
        offset = got.nextBeginOffset
      }
      expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    })
  })
}
