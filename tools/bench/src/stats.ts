/**
 * Counters and latency histograms for the benchmarks. Latencies are recorded in microseconds in
 * hdr-histogram-js histograms (3 significant digits) and reported in milliseconds.
 *
 * `snapshot()` returns the interval since the previous snapshot and starts a new interval;
 * `totals()` covers everything since construction (or `restart()`).
 */
import { build } from 'hdr-histogram-js'
import type { Histogram } from 'hdr-histogram-js'

/** What one report interval of a producer saw. */
export interface SendSnapshot {
  elapsedMs: number
  success: number
  sendFailed: number
  responseFailed: number
  maxRtMs: number
  avgRtMs: number
  p99RtMs: number
}

/** Producer totals over the whole run. */
export interface SendTotals extends Omit<SendSnapshot, 'p99RtMs'> {
  p50RtMs: number
  p99RtMs: number
  p999RtMs: number
}

function histogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3, autoResize: true })
}

function toMicros(ms: number): number {
  return Math.max(1, Math.round(ms * 1000))
}

/**
 * Producer counters. A "send failed" is an error raised before a broker answered (network, timeout, route);
 * a "response failed" is a broker answer other than success (`MQBrokerError`), as in RocketMQ's benchmark.
 * `messages` per success counts a batch as its message count.
 */
export class SendStats {
  readonly #now: () => number
  #intervalStart: number
  #start: number
  #interval = histogram()
  #total = histogram()
  #i = { success: 0, sendFailed: 0, responseFailed: 0, rtSum: 0, rtMax: 0 }
  #t = { success: 0, sendFailed: 0, responseFailed: 0, rtSum: 0, rtMax: 0, requests: 0 }
  #iRequests = 0

  /** @param now clock in ms (injectable for tests); default `performance.now`. */
  constructor(now: () => number = () => performance.now()) {
    this.#now = now
    this.#start = now()
    this.#intervalStart = this.#start
  }

  /** Starts counting afresh (e.g. after a warm-up). */
  restart(): void {
    this.#start = this.#now()
    this.#intervalStart = this.#start
    this.#interval.reset()
    this.#total.reset()
    this.#i = { success: 0, sendFailed: 0, responseFailed: 0, rtSum: 0, rtMax: 0 }
    this.#t = { success: 0, sendFailed: 0, responseFailed: 0, rtSum: 0, rtMax: 0, requests: 0 }
    this.#iRequests = 0
  }

  /** One successful request that took `rtMs` and carried `messages` messages. */
  recordSuccess(rtMs: number, messages = 1): void {
    const micros = toMicros(rtMs)
    this.#interval.recordValue(micros)
    this.#total.recordValue(micros)
    this.#i.success += messages
    this.#t.success += messages
    this.#i.rtSum += rtMs
    this.#t.rtSum += rtMs
    this.#iRequests++
    this.#t.requests++
    if (rtMs > this.#i.rtMax) this.#i.rtMax = rtMs
    if (rtMs > this.#t.rtMax) this.#t.rtMax = rtMs
  }

  recordSendFailed(): void {
    this.#i.sendFailed++
    this.#t.sendFailed++
  }

  recordResponseFailed(): void {
    this.#i.responseFailed++
    this.#t.responseFailed++
  }

  /** Messages sent successfully so far. */
  get totalSuccess(): number {
    return this.#t.success
  }

  snapshot(): SendSnapshot {
    const now = this.#now()
    const result: SendSnapshot = {
      elapsedMs: now - this.#intervalStart,
      success: this.#i.success,
      sendFailed: this.#i.sendFailed,
      responseFailed: this.#i.responseFailed,
      maxRtMs: this.#i.rtMax,
      avgRtMs: this.#iRequests === 0 ? 0 : this.#i.rtSum / this.#iRequests,
      p99RtMs: this.#iRequests === 0 ? 0 : this.#interval.getValueAtPercentile(99) / 1000,
    }
    this.#intervalStart = now
    this.#interval.reset()
    this.#i = { success: 0, sendFailed: 0, responseFailed: 0, rtSum: 0, rtMax: 0 }
    this.#iRequests = 0
    return result
  }

  totals(): SendTotals {
    const any = this.#t.requests > 0
    return {
      elapsedMs: this.#now() - this.#start,
      success: this.#t.success,
      sendFailed: this.#t.sendFailed,
      responseFailed: this.#t.responseFailed,
      maxRtMs: this.#t.rtMax,
      avgRtMs: any ? this.#t.rtSum / this.#t.requests : 0,
      p50RtMs: any ? this.#total.getValueAtPercentile(50) / 1000 : 0,
      p99RtMs: any ? this.#total.getValueAtPercentile(99) / 1000 : 0,
      p999RtMs: any ? this.#total.getValueAtPercentile(99.9) / 1000 : 0,
    }
  }
}

/** What one report interval of a consumer saw. */
export interface ConsumeSnapshot {
  elapsedMs: number
  consumed: number
  totalConsumed: number
  avgB2cMs: number
  avgS2cMs: number
  maxB2cMs: number
  maxS2cMs: number
}

/** Consumer totals: `activeMs` runs from construction/restart to the last recorded message (or now if none). */
export interface ConsumeTotals {
  consumed: number
  activeMs: number
  avgS2cMs: number
  maxS2cMs: number
}

/** Consumer counters. Born/store timestamps are epoch ms from the message; `wallNow` is epoch ms. */
export class ConsumeStats {
  readonly #now: () => number
  readonly #wallNow: () => number
  #start: number
  #intervalStart: number
  #last: number | undefined
  #i = { consumed: 0, b2cSum: 0, s2cSum: 0, b2cMax: 0, s2cMax: 0 }
  #t = { consumed: 0, s2cSum: 0, s2cMax: 0 }

  constructor(now: () => number = () => performance.now(), wallNow: () => number = () => Date.now()) {
    this.#now = now
    this.#wallNow = wallNow
    this.#start = now()
    this.#intervalStart = this.#start
  }

  restart(): void {
    this.#start = this.#now()
    this.#intervalStart = this.#start
    this.#last = undefined
    this.#i = { consumed: 0, b2cSum: 0, s2cSum: 0, b2cMax: 0, s2cMax: 0 }
    this.#t = { consumed: 0, s2cSum: 0, s2cMax: 0 }
  }

  /** Records a batch of messages consumed now. */
  record(messages: ReadonlyArray<{ bornTimestamp: number; storeTimestamp: number }>): void {
    if (messages.length === 0) return
    const wall = this.#wallNow()
    for (const message of messages) {
      const b2c = Math.max(0, wall - message.bornTimestamp)
      const s2c = Math.max(0, wall - message.storeTimestamp)
      this.#i.b2cSum += b2c
      this.#i.s2cSum += s2c
      this.#t.s2cSum += s2c
      if (b2c > this.#i.b2cMax) this.#i.b2cMax = b2c
      if (s2c > this.#i.s2cMax) this.#i.s2cMax = s2c
      if (s2c > this.#t.s2cMax) this.#t.s2cMax = s2c
    }
    this.#i.consumed += messages.length
    this.#t.consumed += messages.length
    this.#last = this.#now()
  }

  get totalConsumed(): number {
    return this.#t.consumed
  }

  snapshot(): ConsumeSnapshot {
    const now = this.#now()
    const n = this.#i.consumed
    const result: ConsumeSnapshot = {
      elapsedMs: now - this.#intervalStart,
      consumed: n,
      totalConsumed: this.#t.consumed,
      avgB2cMs: n === 0 ? 0 : this.#i.b2cSum / n,
      avgS2cMs: n === 0 ? 0 : this.#i.s2cSum / n,
      maxB2cMs: this.#i.b2cMax,
      maxS2cMs: this.#i.s2cMax,
    }
    this.#intervalStart = now
    this.#i = { consumed: 0, b2cSum: 0, s2cSum: 0, b2cMax: 0, s2cMax: 0 }
    return result
  }

  totals(): ConsumeTotals {
    const n = this.#t.consumed
    return {
      consumed: n,
      activeMs: (this.#last ?? this.#now()) - this.#start,
      avgS2cMs: n === 0 ? 0 : this.#t.s2cSum / n,
      maxS2cMs: this.#t.s2cMax,
    }
  }
}
