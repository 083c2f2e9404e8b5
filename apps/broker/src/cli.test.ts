import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseBrokerConfig } from '@cometmq/broker'
import { noopLogger } from '@cometmq/protocol'
import {
  CommanderError,
  brokerBootLine,
  buildBrokerOverrides,
  formatBrokerConfig,
  loadBrokerConfig,
  parseBrokerArgs,
} from './cli.js'
import { runBroker } from './run-broker.js'
import type { BrokerAppIo } from './run-broker.js'
import { createStore } from '@cometmq/broker'
import { resolveConfigPath } from '@cometmq/cli-common'

const silent = { writeOut: () => {}, writeErr: () => {} }
const CWD = '/srv/cometmq'

function fakeIo(files: Record<string, string> = {}, env: Record<string, string> = {}): BrokerAppIo & { out: string[]; err: string[] } {
  const out: string[] = []
  const err: string[] = []
  return {
    out,
    err,
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    readText: (path) => {
      const text = files[path]
      if (text === undefined) throw new Error(`ENOENT: no such file '${path}'`)
      return text
    },
    env,
    cwd: CWD,
    isTTY: false,
    logDestination: { write: () => {} },
  }
}

describe('parseBrokerArgs', () => {
  it('reads -c, -n, -p and -m (also after a forwarded --)', () => {
    expect(parseBrokerArgs(['--', '-n', '127.0.0.1:9876', '-c', 'broker.conf', '-p'])).toEqual({
      configFile: 'broker.conf',
      namesrvAddr: '127.0.0.1:9876',
      printConfigItem: true,
      printImportantConfig: false,
    })
    expect(parseBrokerArgs(['-m'])).toEqual({ printConfigItem: false, printImportantConfig: true })
  })

  it('throws CommanderError for bad arguments and for -h (exit code 0)', () => {
    expect(() => parseBrokerArgs(['-x'], silent)).toThrow(CommanderError)
    expect(() => parseBrokerArgs(['-c'], silent)).toThrow(CommanderError)
    try {
      parseBrokerArgs(['--help'], silent)
      expect.unreachable()
    } catch (error) {
      expect((error as CommanderError).exitCode).toBe(0)
    }
  })
})

describe('config precedence: defaults < file < NAMESRV_ADDR < -n', () => {
  const file = { 'b.conf': 'brokerName=broker-x\nnamesrvAddr=file:9876\nlistenPort=10921' }
  const load = (args: string[], env: Record<string, string> = {}) =>
    loadBrokerConfig(parseBrokerArgs(args), env, (p) => file[p as keyof typeof file] ?? '', CWD).config

  it('uses defaults without a file', () => {
    const config = load([])
    expect(config.namesrvAddr).toBeUndefined()
    expect(config.listenPort).toBe(10911)
    expect(config.brokerClusterName).toBe('DefaultCluster')
  })

  it('file over defaults', () => {
    expect(load(['-c', 'b.conf'])).toMatchObject({ brokerName: 'broker-x', namesrvAddr: 'file:9876', listenPort: 10921 })
  })

  it('env NAMESRV_ADDR over the file', () => {
    expect(load(['-c', 'b.conf'], { NAMESRV_ADDR: 'env:9876' }).namesrvAddr).toBe('env:9876')
  })

  it('-n over env and file', () => {
    expect(load(['-c', 'b.conf', '-n', 'cli:9876;cli2:9876'], { NAMESRV_ADDR: 'env:9876' }).namesrvAddr).toBe('cli:9876;cli2:9876')
  })

  it('ignores empty values', () => {
    expect(buildBrokerOverrides({ printConfigItem: false, printImportantConfig: false, namesrvAddr: ' ' }, { NAMESRV_ADDR: '' })).toEqual({})
  })

  it('makes relative store paths absolute against the working directory', () => {
    const config = loadBrokerConfig(parseBrokerArgs([]), {}, () => '', CWD).config
    expect(parseBrokerConfig('storePathRootDir=./.store/a').config.storePathRootDir).toBe('./.store/a')
    const relative = loadBrokerConfig(parseBrokerArgs(['-c', 'x']), {}, () => 'storePathRootDir=./.store/a', CWD).config
    expect(relative.storePathRootDir).toBe(join(CWD, '.store/a'))
    expect(relative.storePathCommitLog).toBe(join(CWD, '.store/a/commitlog'))
    expect(config.storePathRootDir.startsWith('/')).toBe(true)
  })

  it('reports unknown keys as warnings with the file name', () => {
    const { warnings } = loadBrokerConfig(parseBrokerArgs(['-c', 'x.conf']), {}, () => 'brokerNme=a', CWD)
    expect(warnings.join('\n')).toMatch(/^x\.conf: .*brokerNme.*brokerName/)
  })
})

describe('resolveConfigPath', () => {
  const exists = (path: string) => path === '/repo/conf/broker.conf'
  it('prefers the working directory, then pnpm INIT_CWD', () => {
    expect(resolveConfigPath('/abs/b.conf', '/repo/apps/broker', '/repo', exists)).toBe('/abs/b.conf')
    expect(resolveConfigPath('conf/broker.conf', '/repo/apps/broker', '/repo', exists)).toBe('/repo/conf/broker.conf')
    expect(resolveConfigPath('conf/other.conf', '/repo/apps/broker', '/repo', exists)).toBe('/repo/apps/broker/conf/other.conf')
  })
})

describe('runBroker without starting', () => {
  it('prints key=value lines with -p and exits 0, with -n applied', async () => {
    const io = fakeIo({ 'b.conf': 'brokerName=broker-a\nbrokerIP1=127.0.0.1' }, { NAMESRV_ADDR: 'env:9876' })
    expect(await runBroker(['-c', 'b.conf', '-n', 'cli:9876', '-p'], io)).toEqual({ exitCode: 0 })
    const lines = io.out.join('\n').split('\n')
    expect(lines).toContain('brokerName=broker-a')
    expect(lines).toContain('namesrvAddr=cli:9876')
    expect(lines.every((line) => /^[A-Za-z0-9]+=/.test(line))).toBe(true)
  })

  it('prints only the important keys with -m', async () => {
    const io = fakeIo()
    expect(await runBroker(['-m'], io)).toEqual({ exitCode: 0 })
    expect(io.out.join('\n')).toContain('storeType=default')
    expect(io.out.join('\n')).not.toContain('traceOn=')
  })

  it('prints warnings for unknown keys and still works', async () => {
    const io = fakeIo({ 'b.conf': 'listenPrt=1' })
    expect(await runBroker(['-c', 'b.conf', '-p'], io)).toEqual({ exitCode: 0 })
    expect(io.err.join('\n')).toMatch(/WARN b\.conf: .*listenPrt.*listenPort/)
  })

  it('exits 1 with a message naming the key on a bad value', async () => {
    const io = fakeIo({ 'b.conf': 'listenPort=ten' })
    expect(await runBroker(['-c', 'b.conf'], io)).toEqual({ exitCode: 1 })
    expect(io.err.join('\n')).toMatch(/listenPort/)
  })

  it('exits 1 on a missing config file and on unknown arguments', async () => {
    const io = fakeIo()
    expect(await runBroker(['-c', 'missing.conf'], io)).toEqual({ exitCode: 1 })
    expect(io.err.join('\n')).toMatch(/ENOENT/)
    expect(await runBroker(['--nope'], fakeIo())).toEqual({ exitCode: 1 })
  })

  it('exits 1 with a clear message for an unknown storeType', async () => {
    const io = fakeIo({ 'b.conf': 'storeType=rocksdb\nlistenPort=0' })
    expect(await runBroker(['-c', 'b.conf'], io)).toEqual({ exitCode: 1 })
    expect(io.err.join('\n')).toMatch(/storeType.*rocksdb/)
  })
})

describe('createStore (storeType)', () => {
  it('builds a FileMessageStore for storeType=default and a MemoryMessageStore for memory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mqbroker-'))
    try {
      const file = createStore(parseBrokerConfig(`storePathRootDir=${dir}`).config, noopLogger)
      expect(file.constructor.name).toBe('FileMessageStore')
      const memory = createStore(parseBrokerConfig('storeType=memory').config, noopLogger)
      expect(memory.constructor.name).toBe('MemoryMessageStore')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('builds a LevelMessageStore for storeType=level', () => {
    expect(createStore(parseBrokerConfig('storeType=level\nstorePathRootDir=/nonexistent/store').config, noopLogger).constructor.name).toBe('LevelMessageStore')
  })
})

describe('boot line and -p format', () => {
  it('matches RocketMQ BrokerStartup', () => {
    expect(brokerBootLine('broker-a', '127.0.0.1:10911', '127.0.0.1:9876')).toBe(
      'The broker[broker-a, 127.0.0.1:10911] boot success. serializeType=JSON and name server is 127.0.0.1:9876',
    )
    expect(brokerBootLine('broker-a', '127.0.0.1:10911', undefined)).toBe('The broker[broker-a, 127.0.0.1:10911] boot success. serializeType=JSON')
  })

  it('prints an unset value as key=', () => {
    expect(formatBrokerConfig(parseBrokerConfig('').config, ['namesrvAddr', 'listenPort'])).toBe('namesrvAddr=\nlistenPort=10911')
  })
})

describe('runBroker start/stop', () => {
  it('starts a memory-store broker on port 0, prints the boot line and shuts down', async () => {
    const io = fakeIo({ 'b.conf': 'brokerName=broker-t\nbrokerIP1=127.0.0.1\nlistenPort=0\nstoreType=memory' })
    const result = await runBroker(['-c', 'b.conf'], io)
    if (!('running' in result)) throw new Error(`did not start: ${io.err.join('\n')}`)
    try {
      const { controller } = result.running
      expect(controller.port).toBeGreaterThan(0)
      expect(io.out).toEqual([`The broker[broker-t, 127.0.0.1:${controller.port}] boot success. serializeType=JSON`])
    } finally {
      await result.running.stop()
    }
  })
})
