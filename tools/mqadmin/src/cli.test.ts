import { describe, expect, it } from 'vitest'
import { CommanderError, parseMqadminArgs } from './cli.js'

const silent = { writeOut: () => {}, writeErr: () => {} }
const parse = (args: string[], env: Record<string, string> = {}) => parseMqadminArgs(args, env, silent)

describe('parseMqadminArgs', () => {
  it('parses updateTopic with RocketMQ defaults (8/8, perm 6, order false)', () => {
    expect(parse(['updateTopic', '-n', '127.0.0.1:9876', '-c', 'DefaultCluster', '-t', 'TopicTest'])).toEqual({
      command: 'updateTopic',
      namesrvAddr: '127.0.0.1:9876',
      options: { topic: 'TopicTest', clusterName: 'DefaultCluster', readQueueNums: 8, writeQueueNums: 8, perm: 6, order: false },
    })
  })

  it('parses updateTopic short and long options', () => {
    const result = parse(['updateTopic', '--namesrvAddr', '127.0.0.1:9876', '-b', '127.0.0.1:10911', '--topic', 'T', '-r', '4', '--writeQueueNums', '2', '-p', '4', '-o', 'true'])
    expect(result.options).toEqual({ topic: 'T', brokerAddr: '127.0.0.1:10911', readQueueNums: 4, writeQueueNums: 2, perm: 4, order: true })
  })

  it('requires exactly one of -b and -c for updateTopic', () => {
    expect(() => parse(['updateTopic', '-n', 'x:1', '-t', 'T'])).toThrow(/exactly one of -b/)
    expect(() => parse(['updateTopic', '-n', 'x:1', '-t', 'T', '-b', 'a:1', '-c', 'C'])).toThrow(/exactly one of -b/)
  })

  it('rejects bad numbers and booleans', () => {
    expect(() => parse(['updateTopic', '-n', 'x:1', '-c', 'C', '-t', 'T', '-r', 'eight'])).toThrow(CommanderError)
    expect(() => parse(['updateTopic', '-n', 'x:1', '-c', 'C', '-t', 'T', '-r', '0'])).toThrow(CommanderError)
    expect(() => parse(['updateTopic', '-n', 'x:1', '-c', 'C', '-t', 'T', '-o', 'yes'])).toThrow(CommanderError)
  })

  it('takes the name server from NAMESRV_ADDR when -n is absent, -n wins otherwise', () => {
    expect(parse(['topicList'], { NAMESRV_ADDR: '127.0.0.1:1' }).namesrvAddr).toBe('127.0.0.1:1')
    expect(parse(['topicList', '-n', '127.0.0.1:2'], { NAMESRV_ADDR: '127.0.0.1:1' }).namesrvAddr).toBe('127.0.0.1:2')
    expect(() => parse(['topicList'])).toThrow(/no name server address/)
  })

  it('parses topicRoute, topicStatus, clusterList and consumerProgress', () => {
    const env = { NAMESRV_ADDR: '127.0.0.1:9876' }
    expect(parse(['topicRoute', '-t', 'T', '-l'], env)).toMatchObject({ command: 'topicRoute', options: { topic: 'T', list: true } })
    expect(parse(['topicRoute', '-t', 'T'], env)).toMatchObject({ options: { list: false } })
    expect(parse(['topicStatus', '-t', 'T'], env)).toMatchObject({ command: 'topicStatus', options: { topic: 'T' } })
    expect(parse(['clusterList'], env)).toMatchObject({ command: 'clusterList', options: {} })
    expect(parse(['clusterList', '-c', 'C1'], env)).toMatchObject({ options: { clusterName: 'C1' } })
    expect(parse(['consumerProgress', '-g', 'G'], env)).toMatchObject({ command: 'consumerProgress', options: { group: 'G' } })
    expect(parse(['consumerProgress', '--groupName', 'G', '-t', 'T'], env)).toMatchObject({ options: { group: 'G', topic: 'T' } })
  })

  it('parses queryMsgById: comma-separated ids, -f charset, --bodyDir', () => {
    const env = { NAMESRV_ADDR: '127.0.0.1:9876' }
    expect(parse(['queryMsgById', '-i', 'A1, B2,'], env)).toEqual({ command: 'queryMsgById', namesrvAddr: '127.0.0.1:9876', options: { msgIds: ['A1', 'B2'] } })
    expect(parse(['queryMsgById', '--msgId', 'A1', '-f', 'UTF-8', '--bodyDir', '/tmp/x'], env)).toMatchObject({ options: { msgIds: ['A1'], bodyFormat: 'utf8', bodyDir: '/tmp/x' } })
    expect(() => parse(['queryMsgById'], env)).toThrow(CommanderError)
    expect(() => parse(['queryMsgById', '-i', ' , '], env)).toThrow(/at least one message id/)
    expect(() => parse(['queryMsgById', '-i', 'A1', '-f', 'GBK'], env)).toThrow(CommanderError)
  })

  it('parses queryMsgByKey (-t -k, optional -b -e -m; Long.MAX_VALUE clamped) and queryMsgByUniqueKey (-t -i, -a)', () => {
    const env = { NAMESRV_ADDR: '127.0.0.1:9876' }
    expect(parse(['queryMsgByKey', '-t', 'T', '-k', ' order-1 '], env)).toEqual({ command: 'queryMsgByKey', namesrvAddr: '127.0.0.1:9876', options: { topic: 'T', key: 'order-1' } })
    expect(parse(['queryMsgByKey', '--topic', 'T', '--msgKey', 'k', '-b', '1676730526212', '-e', '9223372036854775807', '-m', '10'], env)).toMatchObject({
      options: { topic: 'T', key: 'k', beginTimestamp: 1676730526212, endTimestamp: Number.MAX_SAFE_INTEGER, maxNum: 10 },
    })
    expect(() => parse(['queryMsgByKey', '-t', 'T'], env)).toThrow(CommanderError)
    expect(() => parse(['queryMsgByKey', '-t', 'T', '-k', 'k', '-e', '9223372036854775808'], env)).toThrow(CommanderError)
    expect(() => parse(['queryMsgByKey', '-t', 'T', '-k', 'k', '-m', '65'], env)).toThrow(CommanderError)
    expect(parse(['queryMsgByUniqueKey', '-t', 'T', '-i', 'C0A8'], env)).toEqual({ command: 'queryMsgByUniqueKey', namesrvAddr: '127.0.0.1:9876', options: { topic: 'T', msgId: 'C0A8', showAll: false } })
    expect(parse(['queryMsgByUniqueKey', '-t', 'T', '-i', 'C0A8', '-a', '--bodyDir', '/b'], env)).toMatchObject({ options: { showAll: true, bodyDir: '/b' } })
    expect(() => parse(['queryMsgByUniqueKey', '-i', 'C0A8'], env)).toThrow(CommanderError)
  })

  it('requires -t / -g where RocketMQ does', () => {
    const env = { NAMESRV_ADDR: '127.0.0.1:9876' }
    expect(() => parse(['topicRoute'], env)).toThrow(CommanderError)
    expect(() => parse(['topicStatus'], env)).toThrow(CommanderError)
    expect(() => parse(['consumerProgress'], env)).toThrow(CommanderError)
  })

  it('fails on unknown commands, extra arguments and no command; help exits 0', () => {
    const env = { NAMESRV_ADDR: '127.0.0.1:9876' }
    expect(() => parse(['deleteTopic', '-t', 'T'], env)).toThrow(CommanderError)
    expect(() => parse(['topicList', 'extra'], env)).toThrow(CommanderError)
    expect(() => parse([], env)).toThrow(CommanderError)
    try {
      parse(['topicList', '--help'], env)
      throw new Error('no throw')
    } catch (error) {
      expect((error as CommanderError).exitCode).toBe(0)
    }
  })

  it('drops a leading -- (pnpm forwards it)', () => {
    expect(parse(['--', 'topicList', '-n', '127.0.0.1:9876']).command).toBe('topicList')
  })
})
