import { afterEach, describe, expect, it, vi } from 'vitest'
import type { MessageStore } from '../message-store.js'
import { TOPIC, message, useHarness } from './harness.js'
import type { ConformanceOptions } from './harness.js'

/** Store times of offsets 0..4 (ms since epoch), set through a faked Date. */
const TIMES = [1_000_000, 1_000_000, 2_000_000, 3_000_000, 5_000_000]

async function putAt(store: MessageStore, times: number[]): Promise<void> {
  vi.useFakeTimers({ toFake: ['Date'] })
  try {
    for (const t of times) {
      vi.setSystemTime(t)
      expect((await store.putMessage(message())).appendResult!.storeTimestamp).toBe(t)
    }
  } finally {
    vi.useRealTimers()
  }
}

export function searchByTimeTests(options: ConformanceOptions): void {
  describe('search offset by timestamp (4.9 semantics)', () => {
    const h = useHarness(options)
    afterEach(() => {
      vi.useRealTimers()
    })

    it('an exact store time wins', async () => {
      const store = await h.open()
      await putAt(store, TIMES)
      expect(await store.getOffsetInQueueByTime(TOPIC, 0, 2_000_000)).toBe(2)
      expect(await store.getOffsetInQueueByTime(TOPIC, 0, 3_000_000)).toBe(3)
      expect(await store.getOffsetInQueueByTime(TOPIC, 0, 5_000_000)).toBe(4)
      expect([0, 1]).toContain(await store.getOffsetInQueueByTime(TOPIC, 0, 1_000_000))
    })

    it('otherwise the closer neighbour wins, the earlier one on a tie', async () => {
      const store = await h.open()
      await putAt(store, TIMES)
      expect(await store.getOffsetInQueueByTime(TOPIC, 0, 2_500_000)).toBe(2)
      expect(await store.getOffsetInQueueByTime(TOPIC, 0, 2_600_000)).toBe(3)
      expect(await store.getOffsetInQueueByTime(TOPIC, 0, 4_100_000)).toBe(4)
      expect(await store.getOffsetInQueueByTime(TOPIC, 0, 3_900_000)).toBe(3)
    })

    it('before every message → the first offset; after every message → the last message', async () => {
      const store = await h.open()
      await putAt(store, TIMES)
      expect(await store.getOffsetInQueueByTime(TOPIC, 0, 0)).toBe(0)
      expect(await store.getOffsetInQueueByTime(TOPIC, 0, 9_000_000)).toBe(4)
    })

    it('an empty or unknown queue answers 0', async () => {
      const store = await h.open()
      expect(await store.getOffsetInQueueByTime(TOPIC, 0, Date.now())).toBe(0)
      expect(await store.getOffsetInQueueByTime('Nope', 7, 0)).toBe(0)
    })

    it('getEarliestMessageTime is the store time at the min offset, -1 when empty', async () => {
      const store = await h.open()
      expect(await store.getEarliestMessageTime(TOPIC, 0)).toBe(-1)
      await putAt(store, TIMES)
      expect(await store.getEarliestMessageTime(TOPIC, 0)).toBe(1_000_000)
    })

    it('binary search stays correct over many messages', async () => {
      const store = await h.open()
      const times = Array.from({ length: 200 }, (_, i) => 10_000_000 + i * 1000)
      await putAt(store, times)
      for (const i of [0, 1, 57, 100, 198, 199]) {
        expect(await store.getOffsetInQueueByTime(TOPIC, 0, times[i]!)).toBe(i)
        expect(await store.getOffsetInQueueByTime(TOPIC, 0, times[i]! + 400)).toBe(i)
      }
    })
  })
}
