import { describe, expect, it } from 'vitest'
import { CommanderError, DEFAULT_DURATION_SEC, MAX_COUNT_RUN_SEC, checkLoopback, parseBenchArgs } from './cli.js'

const silent = { writeOut: () => {}, writeErr: () => {} }

function parse(args: string[], env: Record<string, string> = {}) {
  return parseBenchArgs(args, env, silent)
}

describe('parseBenchArgs', () => {
  it('parses producer options with RocketMQ-style short flags', () => {
    const result = parse(['producer', '-n', '127.0.0.1:9876', '-t', 'T1', '-w', '16', '-s', '1024', '-d', '30', '-i', '5'])
    expect(result).toEqual({
      command: 'producer',
      options: {
        namesrvAddr: '127.0.0.1:9876',
        topic: 'T1',
        durationSec: 30,
        reportIntervalSec: 5,
        concurrency: 16,
        messageSize: 1024,
        count: undefined,
        batchSize: 1,
        producerGroup: 'benchmark_producer',
        tag: undefined,
        sendTimeoutMs: 3000,
      },
    })
  })

  it('uses defaults: 128-byte messages, 10 s interval, NAMESRV_ADDR, and a bounded duration', () => {
    const result = parse(['producer'], { NAMESRV_ADDR: '127.0.0.1:19876' })
    if (result.command !== 'producer') throw new Error('wrong command')
    expect(result.options.messageSize).toBe(128)
    expect(result.options.reportIntervalSec).toBe(10)
    expect(result.options.namesrvAddr).toBe('127.0.0.1:19876')
    expect(result.options.durationSec).toBe(DEFAULT_DURATION_SEC)
  })

  it('leaves the duration unset when a producer count bounds the run', () => {
    const result = parse(['producer', '-c', '1000'])
    if (result.command !== 'producer') throw new Error('wrong command')
    expect(result.options.count).toBe(1000)
    expect(result.options.durationSec).toBeUndefined()
  })

  it('drops the leading -- that pnpm forwards', () => {
    expect(parse(['--', 'producer', '-c', '5']).command).toBe('producer')
  })

  it('gives a consumer a fresh group and a time bound even with a count', () => {
    const a = parse(['consumer', '-c', '10'])
    const b = parse(['consumer'])
    if (a.command !== 'consumer' || b.command !== 'consumer') throw new Error('wrong command')
    expect(a.options.group).toMatch(/^benchmark_consumer_[0-9a-f]{8}$/)
    expect(a.options.group).not.toBe(b.options.group)
    expect(a.options.durationSec).toBe(MAX_COUNT_RUN_SEC)
    expect(b.options.durationSec).toBe(DEFAULT_DURATION_SEC)
    expect(a.options.mode).toBe('push')
  })

  it('parses consumer mode and group', () => {
    const result = parse(['consumer', '-g', 'G1', '--mode', 'pull', '--pull-batch-size', '64', '-d', '5'])
    if (result.command !== 'consumer') throw new Error('wrong command')
    expect(result.options).toMatchObject({ group: 'G1', mode: 'pull', pullBatchSize: 64, durationSec: 5 })
  })

  it('bounds a backlog run by its message count', () => {
    const result = parse(['backlog', '-N', '1000000', '-s', '1024', '-w', '64', '-b', '16'])
    if (result.command !== 'backlog') throw new Error('wrong command')
    expect(result.options).toMatchObject({ messages: 1_000_000, count: 1_000_000, durationSec: undefined, messageSize: 1024, concurrency: 64, batchSize: 16, maxDrainSec: 900 })
  })

  it('parses cluster options and splits broker node args', () => {
    const result = parse(['cluster', '--scenario', 'backlog', '-N', '500', '-q', '4', '--store-type', 'memory', '--broker-node-args', '--cpu-prof  --cpu-prof-dir=/tmp/p'])
    if (result.command !== 'cluster') throw new Error('wrong command')
    expect(result.options.scenario).toBe('backlog')
    expect(result.options.queues).toBe(4)
    expect(result.options.storeType).toBe('memory')
    expect(result.options.flushDiskType).toBe('ASYNC_FLUSH')
    expect(result.options.brokerNodeArgs).toEqual(['--cpu-prof', '--cpu-prof-dir=/tmp/p'])
    expect(result.options.backlog.messages).toBe(500)
    expect(result.options.producer.durationSec).toBe(DEFAULT_DURATION_SEC)
  })

  it('rejects bad numbers, unknown choices and unknown commands', () => {
    expect(() => parse(['producer', '-w', '0'])).toThrow(CommanderError)
    expect(() => parse(['producer', '-s', '1.5'])).toThrow(/not an integer/)
    expect(() => parse(['consumer', '--mode', 'poll'])).toThrow(CommanderError)
    expect(() => parse(['nope'])).toThrow(CommanderError)
    expect(() => parse([])).toThrow(CommanderError)
  })

  it('refuses a non-loopback name server unless --allow-remote', () => {
    expect(() => parse(['producer', '-n', '10.0.0.5:9876'])).toThrow(/loopback/)
    const result = parse(['producer', '-n', '10.0.0.5:9876', '--allow-remote'])
    if (result.command !== 'producer') throw new Error('wrong command')
    expect(result.options.namesrvAddr).toBe('10.0.0.5:9876')
  })

  it('reports help with exit code 0', () => {
    try {
      parse(['producer', '--help'])
      throw new Error('no throw')
    } catch (error) {
      expect(error).toBeInstanceOf(CommanderError)
      expect((error as CommanderError).exitCode).toBe(0)
    }
  })
})

describe('checkLoopback', () => {
  it('accepts loopback lists and normalises separators', () => {
    expect(checkLoopback('127.0.0.1:9876; localhost:9877;')).toBe('127.0.0.1:9876;localhost:9877')
    expect(checkLoopback('[::1]:9876')).toBe('[::1]:9876')
  })

  it('rejects other hosts and missing ports', () => {
    expect(() => checkLoopback('127.0.0.1:9876;192.168.1.2:9876')).toThrow(/192\.168\.1\.2/)
    expect(() => checkLoopback('127.0.0.1')).toThrow()
    expect(() => checkLoopback(' ; ')).toThrow(/empty/)
  })
})
