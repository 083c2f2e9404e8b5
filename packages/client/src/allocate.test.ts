import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { allocateMessageQueueAveragely, allocateMessageQueueAveragelyByCircle } from './allocate.js'
import type { MessageQueue } from './types.js'

const queues = (n: number): MessageQueue[] => Array.from({ length: n }, (_, queueId) => ({ topic: 'T', brokerName: 'broker-a', queueId }))
const cids = (m: number): string[] => Array.from({ length: m }, (_, i) => `c${i}`)
const ids = (mqs: MessageQueue[]): number[] => mqs.map((mq) => mq.queueId)

describe('allocateMessageQueueAveragely', () => {
  it.each([
    [8, 3, [[0, 1, 2], [3, 4, 5], [6, 7]]],
    [2, 3, [[0], [1], []]],
    [4, 4, [[0], [1], [2], [3]]],
    [5, 2, [[0, 1, 2], [3, 4]]],
    [1, 1, [[0]]],
  ])('N=%i M=%i gives the RocketMQ table', (n, m, expected) => {
    const mqAll = queues(n)
    const cidAll = cids(m)
    expect(cidAll.map((cid) => ids(allocateMessageQueueAveragely('G', cid, mqAll, cidAll)))).toEqual(expected)
  })

  it('gives nothing to a client that is not in the list, and nothing when there are no queues', () => {
    expect(allocateMessageQueueAveragely('G', 'other', queues(4), cids(2))).toEqual([])
    expect(allocateMessageQueueAveragely('G', 'c0', [], cids(2))).toEqual([])
  })

  it('assigns every queue to exactly one client, in contiguous balanced ranges', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 1, max: 20 }), (n, m) => {
        const mqAll = queues(n)
        const cidAll = cids(m)
        const owners = new Map<number, number>()
        const sizes: number[] = []
        cidAll.forEach((cid, i) => {
          const mine = ids(allocateMessageQueueAveragely('G', cid, mqAll, cidAll))
          sizes.push(mine.length)
          for (let k = 1; k < mine.length; k++) expect(mine[k]).toBe((mine[k - 1] as number) + 1)
          for (const q of mine) {
            expect(owners.has(q)).toBe(false)
            owners.set(q, i)
          }
        })
        expect(owners.size).toBe(n)
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1)
      }),
    )
  })
})

describe('allocateMessageQueueAveragelyByCircle', () => {
  it('N=8 M=3 deals queues round the circle', () => {
    const mqAll = queues(8)
    const cidAll = cids(3)
    expect(cidAll.map((cid) => ids(allocateMessageQueueAveragelyByCircle('G', cid, mqAll, cidAll)))).toEqual([[0, 3, 6], [1, 4, 7], [2, 5]])
  })
})
