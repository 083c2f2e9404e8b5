/**
 * CPU and resident memory of another process, from Linux procfs:
 * - `/proc/<pid>/stat` fields 14 `utime` and 15 `stime` (clock ticks, `getconf CLK_TCK`, almost always 100);
 * - `/proc/<pid>/status` line `VmRSS:  <n> kB`.
 * CPU% is (Δutime + Δstime) / CLK_TCK / Δwall × 100, so a process using two full cores shows 200%.
 * On systems without procfs every value is `undefined` (printed as n/a).
 */
import { execFileSync } from 'node:child_process'
import { readFile } from 'node:fs/promises'

/** One sample of a process: CPU over the interval since the previous sample, RSS now. */
export interface ProcessSample {
  pid: number
  cpuPercent: number | undefined
  rssBytes: number | undefined
}

/**
 * utime + stime in clock ticks from the text of `/proc/<pid>/stat`. The command name (field 2) is in
 * parentheses and may contain spaces or ')', so fields are counted after the last ')'.
 * @returns undefined when the text is not a stat line.
 */
export function parseProcStatTicks(text: string): number | undefined {
  const end = text.lastIndexOf(')')
  if (end < 0) return undefined
  // after ')' come field 3 (state), 4, … ; utime is field 14 → index 11 of the rest, stime index 12
  const rest = text.slice(end + 1).trim().split(/\s+/)
  const utime = Number(rest[11])
  const stime = Number(rest[12])
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined
  return utime + stime
}

/** Resident set size in bytes from the text of `/proc/<pid>/status` (`VmRSS: 123456 kB`). */
export function parseVmRssBytes(text: string): number | undefined {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(text)
  return match ? Number(match[1]) * 1024 : undefined
}

/** CPU% from two tick readings `elapsedMs` apart. */
export function cpuPercent(ticksBefore: number, ticksAfter: number, elapsedMs: number, clockTicksPerSecond: number): number {
  if (elapsedMs <= 0) return 0
  return ((ticksAfter - ticksBefore) / clockTicksPerSecond / (elapsedMs / 1000)) * 100
}

let cachedClockTicks: number | undefined

/** `getconf CLK_TCK`, cached; 100 when it cannot be read. */
export function clockTicksPerSecond(): number {
  if (cachedClockTicks === undefined) {
    try {
      const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim())
      cachedClockTicks = Number.isFinite(value) && value > 0 ? value : 100
    } catch {
      cachedClockTicks = 100
    }
  }
  return cachedClockTicks
}

async function readOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch {
    return undefined
  }
}

/** Samples one process. The first `sample()` reports CPU since `start()` (or since construction). */
export class ProcessSampler {
  readonly pid: number
  readonly samples: ProcessSample[] = []
  readonly #ticksPerSecond: number
  #lastTicks: number | undefined
  #lastAt = 0

  constructor(pid: number, ticksPerSecond = clockTicksPerSecond()) {
    this.pid = pid
    this.#ticksPerSecond = ticksPerSecond
  }

  /** Takes the baseline reading; samples report CPU relative to it. */
  async start(): Promise<void> {
    this.#lastTicks = await this.#ticks()
    this.#lastAt = performance.now()
    this.samples.length = 0
  }

  /** Reads CPU (over the interval since the previous reading) and RSS, and keeps the sample. */
  async sample(): Promise<ProcessSample> {
    const [ticks, status] = await Promise.all([this.#ticks(), readOrUndefined(`/proc/${this.pid}/status`)])
    const at = performance.now()
    const cpu = ticks !== undefined && this.#lastTicks !== undefined ? cpuPercent(this.#lastTicks, ticks, at - this.#lastAt, this.#ticksPerSecond) : undefined
    this.#lastTicks = ticks
    this.#lastAt = at
    const sample: ProcessSample = { pid: this.pid, cpuPercent: cpu, rssBytes: status === undefined ? undefined : parseVmRssBytes(status) }
    this.samples.push(sample)
    return sample
  }

  async #ticks(): Promise<number | undefined> {
    const text = await readOrUndefined(`/proc/${this.pid}/stat`)
    return text === undefined ? undefined : parseProcStatTicks(text)
  }
}

/**
 * Busy and total jiffies from the first line of `/proc/stat` (`cpu  user nice system idle iowait irq softirq steal …`).
 * Busy = everything but idle and iowait.
 */
export function parseProcStatCpu(text: string): { busy: number; total: number } | undefined {
  const line = text.split('\n', 1)[0] ?? ''
  if (!line.startsWith('cpu ')) return undefined
  const values = line.trim().split(/\s+/).slice(1, 9).map(Number)
  if (values.length < 5 || values.some((v) => !Number.isFinite(v))) return undefined
  const total = values.reduce((a, b) => a + b, 0)
  const idle = (values[3] ?? 0) + (values[4] ?? 0)
  return { busy: total - idle, total }
}

/**
 * Whole-machine CPU over an interval, in percent of one core (so a busy 2-core machine shows 200%), to spot
 * other load competing with the benchmark. undefined without procfs.
 */
export class SystemCpuSampler {
  readonly cores: number
  #last: { busy: number; total: number } | undefined

  constructor(cores: number) {
    this.cores = cores
  }

  async start(): Promise<void> {
    this.#last = parseProcStatCpu((await readOrUndefined('/proc/stat')) ?? '')
  }

  async sample(): Promise<number | undefined> {
    const now = parseProcStatCpu((await readOrUndefined('/proc/stat')) ?? '')
    const last = this.#last
    this.#last = now
    if (!now || !last || now.total <= last.total) return undefined
    return ((now.busy - last.busy) / (now.total - last.total)) * 100 * this.cores
  }
}

/** CPU of this process over an interval, from `process.cpuUsage()` (user + system µs). */
export class SelfCpuSampler {
  #last = process.cpuUsage()
  #lastAt = performance.now()

  /** CPU% since the previous call (or construction). */
  sample(): number {
    const usage = process.cpuUsage(this.#last)
    const at = performance.now()
    const elapsedMs = at - this.#lastAt
    this.#last = process.cpuUsage()
    this.#lastAt = at
    return elapsedMs <= 0 ? 0 : ((usage.user + usage.system) / 1000 / elapsedMs) * 100
  }
}
