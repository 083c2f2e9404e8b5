import { describe, expect, it } from 'vitest'
import { ConsumeStats, SendStats } from './stats.js'

/** A manual clock. */
function clock(start = 1000): { now: () => number; advance(ms: number): void } {
  let t = start
  return { now: () => t, advance: (ms) => (t += ms) }
}

describe('SendStats', () => {
  it('reports an interval and starts a new one', () => {
    const c = clock()
    const stats = new SendStats(c.now)
    for (let i = 0; i < 99; i++) stats.recordSuccess(1)
    stats.recordSuccess(10)
    stats.recordSendFailed()
    stats.recordResponseFailed()
    c.advance(1000)
    const first = stats.snapshot()
    expect(first).toMatchObject({ elapsedMs: 1000, success: 100, sendFailed: 1, responseFailed: 1, maxRtMs: 10 })
    expect(first.avgRtMs).toBeCloseTo(1.09, 5)
    expect(first.p99RtMs).toBeCloseTo(1, 2)
    c.advance(500)
    expect(stats.snapshot()).toEqual({ elapsedMs: 500, success: 0, sendFailed: 0, responseFailed: 0, maxRtMs: 0, avgRtMs: 0, p99RtMs: 0 })
  })

  it('keeps totals across intervals and counts batch messages', () => {
    const c = clock()
    const stats = new SendStats(c.now)
    stats.recordSuccess(2, 16)
    stats.snapshot()
    stats.recordSuccess(4, 16)
    c.advance(2000)
    const totals = stats.totals()
    expect(totals).toMatchObject({ elapsedMs: 2000, success: 32, maxRtMs: 4, avgRtMs: 3 })
    expect(totals.p50RtMs).toBeCloseTo(2, 2)
    expect(totals.p999RtMs).toBeCloseTo(4, 2)
    expect(stats.totalSuccess).toBe(32)
  })

  it('restart() clears everything', () => {
    const c = clock()
    const stats = new SendStats(c.now)
    stats.recordSuccess(5)
    stats.recordSendFailed()
    c.advance(100)
    stats.restart()
    c.advance(100)
    expect(stats.totals()).toMatchObject({ elapsedMs: 100, success: 0, sendFailed: 0, p99RtMs: 0 })
  })
})

describe('ConsumeStats', () => {
  it('measures born-to-consume and store-to-consume from the wall clock', () => {
    const c = clock()
    const stats = new ConsumeStats(c.now, () => 10_000)
    stats.record([
      { bornTimestamp: 9_000, storeTimestamp: 9_500 },
      { bornTimestamp: 9_990, storeTimestamp: 9_995 },
    ])
    c.advance(1000)
    const snapshot = stats.snapshot()
    expect(snapshot).toMatchObject({ consumed: 2, totalConsumed: 2, maxB2cMs: 1000, maxS2cMs: 500, elapsedMs: 1000 })
    expect(snapshot.avgB2cMs).toBe(505)
    expect(snapshot.avgS2cMs).toBe(252.5)
    expect(stats.snapshot().consumed).toBe(0)
  })

  it('ends the active time at the last message', () => {
    const c = clock()
    const stats = new ConsumeStats(c.now, () => 0)
    c.advance(300)
    stats.record([{ bornTimestamp: 0, storeTimestamp: 0 }])
    c.advance(5000)
    expect(stats.totals()).toMatchObject({ consumed: 1, activeMs: 300 })
    stats.record([])
    expect(stats.totals().activeMs).toBe(300)
  })
})
