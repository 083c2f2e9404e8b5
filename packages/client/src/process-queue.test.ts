import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { ProcessQueue } from './process-queue.js'
import type { ConsumedMessage } from './types.js'

const message = (queueOffset: number, size = 1): ConsumedMessage => ({ queueOffset, body: Buffer.alloc(size) }) as ConsumedMessage

describe('ProcessQueue offsets', () => {
  it('is -1 before anything was pulled', () => {
    expect(new ProcessQueue().consumeOffset()).toBe(-1)
  })

  it('tracks the smallest in-flight offset under out-of-order completion', () => {
    const pq = new ProcessQueue()
    const msgs = [10, 11, 12, 13].map((o) => message(o))
    pq.putMessages(msgs)
    expect(pq.removeMessages([msgs[2] as ConsumedMessage])).toBe(10)
    expect(pq.removeMessages([msgs[0] as ConsumedMessage])).toBe(11)
    expect(pq.removeMessages([msgs[3] as ConsumedMessage])).toBe(11)
    expect(pq.removeMessages([msgs[1] as ConsumedMessage])).toBe(14)
    expect(pq.messageCount).toBe(0)
  })

  it('never reports an offset past an unfinished message (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.array(fc.nat(), { minLength: 40, maxLength: 40 }), (n, keys) => {
        const pq = new ProcessQueue()
        const msgs = Array.from({ length: n }, (_, i) => message(100 + i))
        pq.putMessages(msgs)
        const order = [...msgs].sort((a, b) => (keys[a.queueOffset - 100] ?? 0) - (keys[b.queueOffset - 100] ?? 0))
        const done = new Set<number>()
        for (const m of order) {
          done.add(m.queueOffset)
          const offset = pq.removeMessages([m])
          const firstUnfinished = msgs.find((x) => !done.has(x.queueOffset))?.queueOffset ?? 100 + n
          expect(offset).toBe(firstUnfinished)
        }
      }),
    )
  })

  it('ignores duplicates and keeps byte counts', () => {
    const pq = new ProcessQueue()
    pq.putMessages([message(1, 10), message(1, 10), message(2, 5)])
    expect(pq.messageCount).toBe(2)
    expect(pq.messageBytes).toBe(15)
  })
})

describe('ProcessQueue flow control', () => {
  it('waits while full and resumes when consumption frees room', async () => {
    const pq = new ProcessQueue()
    const msgs = [1, 2, 3].map((o) => message(o))
    pq.putMessages(msgs)
    expect(pq.waitForCapacity(5, 1000)).toBeUndefined()
    const wait = pq.waitForCapacity(3, 1000)
    expect(wait).toBeInstanceOf(Promise)
    let resumed = false
    void wait?.then(() => {
      resumed = true
    })
    await Promise.resolve()
    expect(resumed).toBe(false)
    pq.removeMessages([msgs[0] as ConsumedMessage])
    await wait
    expect(resumed).toBe(true)
  })

  it('drop() releases waiters and aborts the pull signal', async () => {
    const pq = new ProcessQueue()
    pq.putMessages([message(1)])
    const wait = pq.waitForCapacity(1, 1000)
    pq.drop()
    await wait
    expect(pq.dropped).toBe(true)
    expect(pq.abortController.signal.aborted).toBe(true)
  })
})
