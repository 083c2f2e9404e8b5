import { describe, expect, it } from 'vitest'
import { ProcessSampler, cpuPercent, parseProcStatCpu, parseProcStatTicks, parseVmRssBytes } from './proc-stats.js'

describe('procfs parsing', () => {
  it('reads utime + stime after the command name, even one with spaces and parentheses', () => {
    const stat = '1234 (node (main) x) S 1 1234 1234 0 -1 4194560 5000 0 0 0 250 70 0 0 20 0 11 0 100 1000000 25000'
    expect(parseProcStatTicks(stat)).toBe(320)
  })

  it('returns undefined for text that is not a stat line', () => {
    expect(parseProcStatTicks('garbage')).toBeUndefined()
    expect(parseProcStatTicks('1 (x) S 1 2')).toBeUndefined()
  })

  it('reads VmRSS in bytes', () => {
    expect(parseVmRssBytes('Name:\tnode\nVmPeak:\t 1000 kB\nVmRSS:\t  204800 kB\nThreads: 11\n')).toBe(204800 * 1024)
    expect(parseVmRssBytes('Name:\tkthread\n')).toBeUndefined()
  })

  it('converts ticks over wall time to percent of one core', () => {
    expect(cpuPercent(100, 300, 1000, 100)).toBe(200)
    expect(cpuPercent(100, 150, 1000, 100)).toBe(50)
    expect(cpuPercent(1, 2, 0, 100)).toBe(0)
  })
})

describe('ProcessSampler', () => {
  it('samples this process (Linux) or reports n/a elsewhere', async () => {
    const sampler = new ProcessSampler(process.pid)
    await sampler.start()
    const sample = await sampler.sample()
    expect(sample.pid).toBe(process.pid)
    if (process.platform === 'linux') {
      expect(sample.rssBytes).toBeGreaterThan(0)
      expect(sample.cpuPercent).toBeGreaterThanOrEqual(0)
    }
    expect(sampler.samples).toHaveLength(1)
  })

  it('reports undefined for a process that does not exist', async () => {
    const sampler = new ProcessSampler(2 ** 30)
    await sampler.start()
    expect(await sampler.sample()).toEqual({ pid: 2 ** 30, cpuPercent: undefined, rssBytes: undefined })
  })
})

describe('parseProcStatCpu', () => {
  it('counts everything but idle and iowait as busy', () => {
    expect(parseProcStatCpu('cpu  100 5 50 800 40 3 2 0 0 0\ncpu0 1 2 3 4 5 6 7 8\n')).toEqual({ busy: 160, total: 1000 })
    expect(parseProcStatCpu('intr 1 2 3')).toBeUndefined()
  })
})
