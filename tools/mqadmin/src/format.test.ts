import { describe, expect, it } from 'vitest'
import { compareQueues, formatRow, formatTopicConfig, permToString, prettyJson, table } from './format.js'

describe('format', () => {
  it('pads like printf %-Ns / %Ns, lets long values overflow, trims the end', () => {
    expect(formatRow([{ width: 6 }, { width: 4 }, { width: 3 }], ['ab', 'cdefgh', 'x'])).toBe('ab      cdefgh  x')
    expect(formatRow([{ width: 5, align: 'right' }, { width: 3 }], [42, ''])).toBe('   42')
    expect(table([{ width: 3 }, { width: 3 }], [' | '])(['a', 'b'])).toBe('a   | b')
  })

  it('renders PermName.perm2String', () => {
    expect(permToString(6)).toBe('RW-')
    expect(permToString(4)).toBe('R--')
    expect(permToString(2)).toBe('-W-')
    expect(permToString(7)).toBe('RWX')
    expect(permToString(0)).toBe('---')
  })

  it('renders TopicConfig like RocketMQ 4.9', () => {
    expect(formatTopicConfig({ topicName: 'T', readQueueNums: 8, writeQueueNums: 4, perm: 6, topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order: false })).toBe(
      'TopicConfig [topicName=T, readQueueNums=8, writeQueueNums=4, perm=RW-, topicFilterType=SINGLE_TAG, topicSysFlag=0, order=false]',
    )
  })

  it('sorts queues by topic, broker name, queue id', () => {
    const queues = [
      { topic: 'B', brokerName: 'a', queueId: 0 },
      { topic: 'A', brokerName: 'b', queueId: 0 },
      { topic: 'A', brokerName: 'a', queueId: 10 },
      { topic: 'A', brokerName: 'a', queueId: 2 },
    ]
    expect(queues.sort(compareQueues).map((q) => `${q.topic}/${q.brokerName}/${q.queueId}`)).toEqual(['A/a/2', 'A/a/10', 'A/b/0', 'B/a/0'])
  })

  it('prints tab-indented JSON with sorted keys', () => {
    expect(prettyJson({ b: 1, a: { d: [1], c: 'x' } })).toBe('{\n\t"a": {\n\t\t"c": "x",\n\t\t"d": [\n\t\t\t1\n\t\t]\n\t},\n\t"b": 1\n}')
  })
})
