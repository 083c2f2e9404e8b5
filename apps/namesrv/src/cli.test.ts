import { describe, expect, it } from 'vitest'
import { CommanderError, loadNamesrvSettings, namesrvBootLine, parseNamesrvArgs } from './cli.js'
import { adaptPino } from '@cometmq/cli-common'
import { runNamesrv } from './run-namesrv.js'
import type { NamesrvAppIo } from './run-namesrv.js'
import { pino } from 'pino'

const silent = { writeOut: () => {}, writeErr: () => {} }

function fakeIo(files: Record<string, string> = {}): NamesrvAppIo & { out: string[]; err: string[]; logs: string[] } {
  const out: string[] = []
  const err: string[] = []
  const logs: string[] = []
  return {
    out,
    err,
    logs,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    readText: (path) => {
      const text = files[path]
      if (text === undefined) throw new Error(`ENOENT: no such file '${path}'`)
      return text
    },
    env: {},
    isTTY: false,
    logDestination: { write: (line: string) => void logs.push(line) },
  }
}

describe('parseNamesrvArgs', () => {
  it('reads -c, -p and an ignored -n', () => {
    expect(parseNamesrvArgs(['-c', 'conf/namesrv.conf', '-p', '-n', '127.0.0.1:9876'])).toEqual({
      configFile: 'conf/namesrv.conf',
      printConfigItem: true,
      namesrvAddr: '127.0.0.1:9876',
    })
    expect(parseNamesrvArgs([])).toEqual({ printConfigItem: false })
  })

  it('throws CommanderError for unknown options and for -h (exit code 0)', () => {
    expect(() => parseNamesrvArgs(['--bogus'], silent)).toThrow(CommanderError)
    try {
      parseNamesrvArgs(['-h'], silent)
      expect.unreachable()
    } catch (error) {
      expect((error as CommanderError).exitCode).toBe(0)
    }
  })
})

describe('loadNamesrvSettings', () => {
  it('applies the -c file over defaults and reports warnings with the file name', () => {
    const { settings, warnings } = loadNamesrvSettings({ configFile: 'n.conf', printConfigItem: false, namesrvAddr: 'x:1' }, () => 'listenPort=9900\nlistenPrt=1')
    expect(settings.listenPort).toBe(9900)
    expect(warnings[0]).toMatch(/^n\.conf: line 2: unknown key 'listenPrt'/)
    expect(warnings[1]).toMatch(/-n x:1 is ignored/)
  })

  it('uses defaults without -c', () => {
    expect(loadNamesrvSettings({ printConfigItem: false }, () => '').settings.listenPort).toBe(9876)
  })
})

describe('runNamesrv', () => {
  it('prints the config with -p and exits 0', async () => {
    const io = fakeIo({ 'n.conf': 'listenPort=9911' })
    expect(await runNamesrv(['-c', 'n.conf', '-p'], io)).toEqual({ exitCode: 0 })
    expect(io.out.join('\n')).toContain('listenPort=9911')
  })

  it('exits 1 naming the key on a bad value, and on a missing file', async () => {
    const bad = fakeIo({ 'n.conf': 'listenPort=abc' })
    expect(await runNamesrv(['-c', 'n.conf'], bad)).toEqual({ exitCode: 1 })
    expect(bad.err.join('\n')).toMatch(/listenPort/)
    const missing = fakeIo()
    expect(await runNamesrv(['-c', 'nope.conf'], missing)).toEqual({ exitCode: 1 })
    expect(missing.err.join('\n')).toMatch(/ENOENT/)
  })

  it('starts on the configured port, prints the boot line and stops cleanly', async () => {
    const io = fakeIo({ 'n.conf': 'listenPort=0\nbindAddress=127.0.0.1' })
    const result = await runNamesrv(['-c', 'n.conf'], io)
    if (!('running' in result)) throw new Error(`did not start: ${io.err.join('\n')}`)
    try {
      const port = result.running.controller.port
      expect(port).toBeGreaterThan(0)
      expect(io.out).toEqual([namesrvBootLine(port)])
      expect(io.out[0]).toMatch(/^The Name Server boot success\. serializeType=JSON/)
    } finally {
      await result.running.stop()
    }
    expect(io.logs.some((line) => line.includes('"ns":"namesrv"'))).toBe(true)
  })
})

describe('adaptPino', () => {
  it('maps (message, fields) to pino and nests namespaces', () => {
    const lines: string[] = []
    const logger = adaptPino(pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) }))
    logger.child('namesrv').child('remoting').debug('hello', { topic: 'T1' })
    logger.info('plain')
    const first = JSON.parse(lines[0]!) as Record<string, unknown>
    expect(first).toMatchObject({ msg: 'hello', topic: 'T1', ns: 'namesrv.remoting', level: 20 })
    expect(JSON.parse(lines[1]!)).toMatchObject({ msg: 'plain', level: 30 })
  })
})
