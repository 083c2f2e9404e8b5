/**
 * Report lines in the style of RocketMQ's benchmark tools (`org.apache.rocketmq.example.benchmark.Producer` /
 * `Consumer`): `Current Time: … | Send TPS: N | …`, one line per report interval plus a final summary.
 * Pure functions: every value comes in, a string goes out.
 */
import type { ConsumeSnapshot, ConsumeTotals, SendSnapshot, SendTotals } from './stats.js'
import type { ProcessSample } from './proc-stats.js'

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0')
}

/** `yyyy-MM-dd HH:mm:ss,SSS` in local time (RocketMQ `UtilAll.timeMillisToHumanString2`). */
export function formatTime(date: Date): string {
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1, 2)}-${pad(date.getDate(), 2)} ` +
    `${pad(date.getHours(), 2)}:${pad(date.getMinutes(), 2)}:${pad(date.getSeconds(), 2)},${pad(date.getMilliseconds(), 3)}`
  )
}

/** Milliseconds with three decimals, like Java's `%7.3f` without the padding. */
export function formatMs(ms: number): string {
  return ms.toFixed(3)
}

/** Messages per second over `elapsedMs`, rounded down (RocketMQ prints a long). 0 when no time passed. */
export function tps(count: number, elapsedMs: number): number {
  return elapsedMs > 0 ? Math.floor((count * 1000) / elapsedMs) : 0
}

/** One producer interval line. */
export function formatSendLine(snapshot: SendSnapshot, now: Date): string {
  return [
    `Current Time: ${formatTime(now)}`,
    `Send TPS: ${tps(snapshot.success, snapshot.elapsedMs)}`,
    `Max RT(ms): ${Math.ceil(snapshot.maxRtMs)}`,
    `Average RT(ms): ${formatMs(snapshot.avgRtMs)}`,
    `Send Failed: ${snapshot.sendFailed}`,
    `Response Failed: ${snapshot.responseFailed}`,
    `p99 RT(ms): ${Math.ceil(snapshot.p99RtMs)}`,
  ].join(' | ')
}

/** Final producer line: totals over the whole run and the latency distribution. */
export function formatSendSummary(totals: SendTotals, now: Date): string {
  return [
    `Current Time: ${formatTime(now)}`,
    `[Complete] Send Total: ${totals.success}`,
    `Send TPS: ${tps(totals.success, totals.elapsedMs)}`,
    `Max RT(ms): ${Math.ceil(totals.maxRtMs)}`,
    `Average RT(ms): ${formatMs(totals.avgRtMs)}`,
    `Send Failed: ${totals.sendFailed}`,
    `Response Failed: ${totals.responseFailed}`,
    `p50 RT(ms): ${formatMs(totals.p50RtMs)}`,
    `p99 RT(ms): ${formatMs(totals.p99RtMs)}`,
    `p999 RT(ms): ${formatMs(totals.p999RtMs)}`,
    `Elapsed(s): ${(totals.elapsedMs / 1000).toFixed(1)}`,
  ].join(' | ')
}

/** One consumer interval line (B2C = born→consumed, S2C = stored→consumed, as in RocketMQ's Consumer benchmark). */
export function formatConsumeLine(snapshot: ConsumeSnapshot, now: Date): string {
  return [
    `Current Time: ${formatTime(now)}`,
    `Consume TPS: ${tps(snapshot.consumed, snapshot.elapsedMs)}`,
    `AVG(B2C) RT(ms): ${formatMs(snapshot.avgB2cMs)}`,
    `AVG(S2C) RT(ms): ${formatMs(snapshot.avgS2cMs)}`,
    `MAX(B2C) RT(ms): ${Math.ceil(snapshot.maxB2cMs)}`,
    `MAX(S2C) RT(ms): ${Math.ceil(snapshot.maxS2cMs)}`,
    `Consumed: ${snapshot.totalConsumed}`,
  ].join(' | ')
}

/** Final consumer line. `drainMs` is the time from the consumer's start to the last counted message. */
export function formatConsumeSummary(totals: ConsumeTotals, now: Date): string {
  return [
    `Current Time: ${formatTime(now)}`,
    `[Complete] Consume Total: ${totals.consumed}`,
    `Consume TPS: ${tps(totals.consumed, totals.activeMs)}`,
    `AVG(S2C) RT(ms): ${formatMs(totals.avgS2cMs)}`,
    `MAX(S2C) RT(ms): ${Math.ceil(totals.maxS2cMs)}`,
    `Elapsed(s): ${(totals.activeMs / 1000).toFixed(1)}`,
  ].join(' | ')
}

/** A process sample line (`bench cluster`): CPU of one interval and resident memory at its end. */
export function formatProcessLine(label: string, sample: ProcessSample, now: Date): string {
  const parts = [`Current Time: ${formatTime(now)}`, `${label} pid: ${sample.pid}`]
  parts.push(`CPU(%): ${sample.cpuPercent === undefined ? 'n/a' : sample.cpuPercent.toFixed(1)}`)
  parts.push(`RSS(MB): ${sample.rssBytes === undefined ? 'n/a' : (sample.rssBytes / 1048576).toFixed(1)}`)
  return parts.join(' | ')
}

/** Summary of many process samples: average and peak CPU, peak RSS. */
export function formatProcessSummary(label: string, samples: readonly ProcessSample[]): string {
  const cpu = samples.map((s) => s.cpuPercent).filter((v): v is number => v !== undefined)
  const rss = samples.map((s) => s.rssBytes).filter((v): v is number => v !== undefined)
  const avgCpu = cpu.length === 0 ? 'n/a' : (cpu.reduce((a, b) => a + b, 0) / cpu.length).toFixed(1)
  const maxCpu = cpu.length === 0 ? 'n/a' : Math.max(...cpu).toFixed(1)
  const maxRss = rss.length === 0 ? 'n/a' : (Math.max(...rss) / 1048576).toFixed(1)
  return `[Complete] ${label} AVG CPU(%): ${avgCpu} | MAX CPU(%): ${maxCpu} | MAX RSS(MB): ${maxRss} | Samples: ${samples.length}`
}
