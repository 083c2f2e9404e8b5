import { describe, expect, it } from 'vitest'
import { FakeAdmin } from '../__fixtures__/fake-admin.js'
import { formatBrokerAddrs, topicList, topicRoute, topicStatus, updateTopic } from './topic-commands.js'

describe('updateTopic', () => {
  it('creates on every master of a cluster and prints the TopicConfig', async () => {
    const admin = new FakeAdmin()
    const lines = await updateTopic(admin, { topic: 'T', clusterName: 'DefaultCluster', readQueueNums: 8, writeQueueNums: 8, perm: 6, order: false })
    expect(lines).toEqual([
      'create topic to 127.0.0.1:10915 success.',
      'create topic to 127.0.0.1:10911 success.',
      'TopicConfig [topicName=T, readQueueNums=8, writeQueueNums=8, perm=RW-, topicFilterType=SINGLE_TAG, topicSysFlag=0, order=false]',
    ])
    expect(admin.created[0]).toEqual({ topic: 'T', clusterName: 'DefaultCluster', readQueueNums: 8, writeQueueNums: 8, perm: 6, order: false })
  })

  it('creates on one broker', async () => {
    const admin = new FakeAdmin()
    const lines = await updateTopic(admin, { topic: 'T', brokerAddr: '127.0.0.1:10911', readQueueNums: 2, writeQueueNums: 2, perm: 4, order: true })
    expect(lines[0]).toBe('create topic to 127.0.0.1:10911 success.')
    expect(lines[1]).toContain('perm=R--')
    expect(lines[1]).toContain('order=true')
    expect(admin.created[0]).toMatchObject({ brokerAddr: '127.0.0.1:10911' })
    expect(admin.created[0]).not.toHaveProperty('clusterName')
  })
})

describe('topicList', () => {
  it('prints topics sorted, one per line', async () => {
    const admin = new FakeAdmin()
    admin.addTopic('b', { 'broker-a': 1 })
    admin.addTopic('TBW102', { 'broker-a': 1 })
    admin.addTopic('a', { 'broker-a': 1 })
    expect(await topicList(admin)).toEqual(['TBW102', 'a', 'b'])
  })
})

describe('topicRoute', () => {
  it('prints the route as JSON by default', async () => {
    const admin = new FakeAdmin()
    admin.addTopic('T', { 'broker-a': 4 })
    const [json] = await topicRoute(admin, { topic: 'T', list: false })
    expect(JSON.parse(json ?? '')).toEqual(await admin.getTopicRoute('T'))
    expect(json).toContain('\t"brokerDatas": [')
  })

  it('prints the -l table with totals', async () => {
    const admin = new FakeAdmin()
    admin.addTopic('T', { 'broker-b': 2, 'broker-a': 4 })
    const lines = await topicRoute(admin, { topic: 'T', list: true })
    expect(lines[0]).toBe(`${'#ClusterName'.padEnd(45)} ${'#BrokerName'.padEnd(32)} ${'#BrokerAddrs'.padEnd(50)} ${'#ReadQueue'.padEnd(10)} ${'#WriteQueue'.padEnd(11)} #Perm`)
    expect(lines[1]).toBe(`${'DefaultCluster'.padEnd(45)} ${'broker-a'.padEnd(32)} ${'{0=127.0.0.1:10911, 1=127.0.0.1:10921}'.padEnd(50)} ${'4'.padEnd(10)} ${'4'.padEnd(11)} 6`)
    expect(lines[2]).toMatch(/^DefaultCluster +broker-b +\{0=127\.0\.0\.1:10915\} +2 +2 +6$/)
    expect(lines[3]).toBe('-'.repeat(158))
    expect(lines[4]).toMatch(/^Total: +2 +6 +6$/)
  })

  it('renders brokerAddrs like a Java map, ids in numeric order', () => {
    expect(formatBrokerAddrs({ '10': 'c', '2': 'b', '0': 'a' })).toBe('{0=a, 2=b, 10=c}')
    expect(formatBrokerAddrs({})).toBe('{}')
  })

  it('propagates a missing route', async () => {
    await expect(topicRoute(new FakeAdmin(), { topic: 'nope', list: false })).rejects.toThrow(/No topic route/)
  })
})

describe('topicStatus', () => {
  it('prints min/max offsets for every queue in broker, queue order', async () => {
    const admin = new FakeAdmin()
    admin.addTopic('T', { 'broker-b': 1, 'broker-a': 2 })
    admin.setOffsets({ topic: 'T', brokerName: 'broker-a', queueId: 1 }, 5, 1000)
    const lines = await topicStatus(admin, { topic: 'T' })
    expect(lines).toEqual([
      `${'#Broker Name'.padEnd(32)}  #QID  ${'#Min Offset'.padEnd(20)}  #Max Offset`,
      `${'broker-a'.padEnd(32)}  0     ${'0'.padEnd(20)}  0`,
      `${'broker-a'.padEnd(32)}  1     ${'5'.padEnd(20)}  1000`,
      `${'broker-b'.padEnd(32)}  0     ${'0'.padEnd(20)}  0`,
    ])
  })
})
