import { describe, expect, it } from 'vitest'
import { FakeAdmin } from '../__fixtures__/fake-admin.js'
import { candidateTopics, clusterList, consumerProgress, formatProgress } from './cluster-commands.js'

describe('clusterList', () => {
  it('prints every broker address sorted by cluster, broker name and id', async () => {
    const admin = new FakeAdmin()
    admin.cluster.clusterAddrTable['AnotherCluster'] = []
    expect(await clusterList(admin)).toEqual([
      '#Cluster Name     #Broker Name            #BID  #Addr',
      'DefaultCluster    broker-a                0     127.0.0.1:10911',
      'DefaultCluster    broker-a                1     127.0.0.1:10921',
      'DefaultCluster    broker-b                0     127.0.0.1:10915',
    ])
  })

  it('filters by -c', async () => {
    const admin = new FakeAdmin()
    expect(await clusterList(admin, { clusterName: 'Other' })).toHaveLength(1)
  })
})

describe('consumerProgress', () => {
  it('chooses candidate topics: all but foreign retry/DLQ topics, or the given topic and the group retry topic', () => {
    const all = ['%RETRY%G', '%RETRY%other', '%DLQ%G', 'TopicB', 'TopicA']
    expect(candidateTopics(all, 'G')).toEqual(['%RETRY%G', 'TopicA', 'TopicB'])
    expect(candidateTopics(all, 'G', 'TopicA')).toEqual(['TopicA', '%RETRY%G'])
    expect(candidateTopics(all, 'G', '%RETRY%G')).toEqual(['%RETRY%G'])
  })

  it('prints rows with diffs and the diff total, skipping queues without an offset', async () => {
    const admin = new FakeAdmin()
    admin.addTopic('TopicA', { 'broker-a': 2 })
    admin.addTopic('TopicB', { 'broker-a': 1 })
    const a0 = { topic: 'TopicA', brokerName: 'broker-a', queueId: 0 }
    const a1 = { topic: 'TopicA', brokerName: 'broker-a', queueId: 1 }
    admin.setOffsets(a0, 0, 100)
    admin.setOffsets(a1, 0, 50)
    admin.setConsumerOffset('G', a0, 90)
    admin.setConsumerOffset('G', a1, 50)
    const lines = await consumerProgress(admin, { group: 'G' })
    expect(lines).toEqual([
      `${'#Topic'.padEnd(64)}  ${'#Broker Name'.padEnd(32)}  #QID  ${'#Broker Offset'.padEnd(20)}  ${'#Consumer Offset'.padEnd(20)}  #Diff`,
      `${'TopicA'.padEnd(64)}  ${'broker-a'.padEnd(32)}  0     ${'100'.padEnd(20)}  ${'90'.padEnd(20)}  10`,
      `${'TopicA'.padEnd(64)}  ${'broker-a'.padEnd(32)}  1     ${'50'.padEnd(20)}  ${'50'.padEnd(20)}  0`,
      '',
      'Consume Diff Total: 10',
    ])
  })

  it('leaves out topics whose queues are all empty (brokers answer 0 there) unless asked with -t', async () => {
    const admin = new FakeAdmin()
    admin.addTopic('Empty', { 'broker-a': 1 })
    admin.addTopic('TopicA', { 'broker-a': 1 })
    const empty = { topic: 'Empty', brokerName: 'broker-a', queueId: 0 }
    const a0 = { topic: 'TopicA', brokerName: 'broker-a', queueId: 0 }
    admin.setConsumerOffset('G', empty, 0)
    admin.setOffsets(a0, 0, 3)
    admin.setConsumerOffset('G', a0, 1)
    const all = await consumerProgress(admin, { group: 'G' })
    expect(all.filter((line) => line.startsWith('Empty'))).toHaveLength(0)
    const one = await consumerProgress(admin, { group: 'G', topic: 'Empty' })
    expect(one[1]).toMatch(/^Empty +broker-a +0 +0 +0 +0$/)
  })

  it('fails like RocketMQ when the group has no offsets', async () => {
    const admin = new FakeAdmin()
    admin.addTopic('TopicA', { 'broker-a': 1 })
    await expect(consumerProgress(admin, { group: 'Nobody' })).rejects.toThrow(/offset table is empty/)
  })

  it('never prints a negative diff', () => {
    const lines = formatProgress([{ mq: { topic: 'T', brokerName: 'b', queueId: 0 }, brokerOffset: 5, consumerOffset: 7 }])
    expect(lines.at(-1)).toBe('Consume Diff Total: 0')
  })
})
