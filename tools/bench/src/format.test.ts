import { describe, expect, it } from 'vitest'
import { formatConsumeLine, formatConsumeSummary, formatProcessLine, formatProcessSummary, formatSendLine, formatSendSummary, formatTime, tps } from './format.js'

const at = new Date(2024, 0, 2, 3, 4, 5, 67)

describe('format', () => {
  it('prints RocketMQ human time yyyy-MM-dd HH:mm:ss,SSS', () => {
    expect(formatTime(at)).toBe('2024-01-02 03:04:05,067')
  })

  it('computes TPS per second, rounded down, 0 for no time', () => {
    expect(tps(1999, 1000)).toBe(1999)
    expect(tps(10, 3000)).toBe(3)
    expect(tps(10, 0)).toBe(0)
  })

  it('prints the producer interval line', () => {
    const line = formatSendLine({ elapsedMs: 10_000, success: 39_000, sendFailed: 1, responseFailed: 2, maxRtMs: 12.2, avgRtMs: 0.25612, p99RtMs: 3.01 }, at)
    expect(line).toBe(
      'Current Time: 2024-01-02 03:04:05,067 | Send TPS: 3900 | Max RT(ms): 13 | Average RT(ms): 0.256 | Send Failed: 1 | Response Failed: 2 | p99 RT(ms): 4',
    )
  })

  it('prints the producer summary', () => {
    const line = formatSendSummary(
      { elapsedMs: 20_000, success: 100_000, sendFailed: 0, responseFailed: 0, maxRtMs: 50, avgRtMs: 1, p50RtMs: 0.5, p99RtMs: 4, p999RtMs: 20 },
      at,
    )
    expect(line).toContain('[Complete] Send Total: 100000 | Send TPS: 5000 | Max RT(ms): 50 | Average RT(ms): 1.000')
    expect(line).toContain('p50 RT(ms): 0.500 | p99 RT(ms): 4.000 | p999 RT(ms): 20.000 | Elapsed(s): 20.0')
  })

  it('prints consumer lines', () => {
    expect(formatConsumeLine({ elapsedMs: 1000, consumed: 500, totalConsumed: 1500, avgB2cMs: 1.5, avgS2cMs: 1.25, maxB2cMs: 9, maxS2cMs: 8.5 }, at)).toBe(
      'Current Time: 2024-01-02 03:04:05,067 | Consume TPS: 500 | AVG(B2C) RT(ms): 1.500 | AVG(S2C) RT(ms): 1.250 | MAX(B2C) RT(ms): 9 | MAX(S2C) RT(ms): 9 | Consumed: 1500',
    )
    expect(formatConsumeSummary({ consumed: 1000, activeMs: 4000, avgS2cMs: 2, maxS2cMs: 3 }, at)).toContain('[Complete] Consume Total: 1000 | Consume TPS: 250')
  })

  it('prints process samples and their summary', () => {
    expect(formatProcessLine('Broker', { pid: 42, cpuPercent: 97.25, rssBytes: 314_572_800 }, at)).toBe(
      'Current Time: 2024-01-02 03:04:05,067 | Broker pid: 42 | CPU(%): 97.3 | RSS(MB): 300.0',
    )
    expect(formatProcessLine('Broker', { pid: 42, cpuPercent: undefined, rssBytes: undefined }, at)).toContain('CPU(%): n/a | RSS(MB): n/a')
    expect(
      formatProcessSummary('Broker', [
        { pid: 1, cpuPercent: 50, rssBytes: 1048576 },
        { pid: 1, cpuPercent: 100, rssBytes: 3 * 1048576 },
      ]),
    ).toBe('[Complete] Broker AVG CPU(%): 75.0 | MAX CPU(%): 100.0 | MAX RSS(MB): 3.0 | Samples: 2')
    expect(formatProcessSummary('Broker', [])).toContain('AVG CPU(%): n/a')
  })
})
