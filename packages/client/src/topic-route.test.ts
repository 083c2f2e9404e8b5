import { describe, expect, it } from 'vitest'
import type { TopicRouteData } from '@cometmq/protocol'
import { adaptDefaultTopicRoute, sameTopicRoute, toSubscribeQueues, toTopicPublishInfo } from './topic-route.js'

const route: TopicRouteData = {
  queueDatas: [
    { brokerName: 'broker-b', readQueueNums: 2, writeQueueNums: 2, perm: 6, topicSysFlag: 0 },
    { brokerName: 'broker-a', readQueueNums: 3, writeQueueNums: 2, perm: 6, topicSysFlag: 0 },
    { brokerName: 'broker-c', readQueueNums: 1, writeQueueNums: 1, perm: 4, topicSysFlag: 0 }, // read-only
    { brokerName: 'broker-d', readQueueNums: 1, writeQueueNums: 1, perm: 6, topicSysFlag: 0 }, // no master
  ],
  brokerDatas: [
    { cluster: 'C', brokerName: 'broker-a', brokerAddrs: { '0': '10.0.0.1:10911' } },
    { cluster: 'C', brokerName: 'broker-b', brokerAddrs: { '0': '10.0.0.2:10911', '1': '10.0.0.3:10911' } },
    { cluster: 'C', brokerName: 'broker-c', brokerAddrs: { '0': '10.0.0.4:10911' } },
    { cluster: 'C', brokerName: 'broker-d', brokerAddrs: { '1': '10.0.0.5:10911' } },
  ],
  filterServerTable: {},
}

describe('toTopicPublishInfo', () => {
  it('keeps writable queues of brokers with a master, sorted by brokerName', () => {
    const info = toTopicPublishInfo('T', route)
    expect(info.messageQueues.map((q) => `${q.brokerName}:${q.queueId}`)).toEqual(['broker-a:0', 'broker-a:1', 'broker-b:0', 'broker-b:1'])
    expect(info.orderTopic).toBe(false)
  })

  it('uses orderTopicConf when present', () => {
    const info = toTopicPublishInfo('T', { ...route, orderTopicConf: 'broker-x:2;broker-y:1' })
    expect(info.messageQueues.map((q) => `${q.brokerName}:${q.queueId}`)).toEqual(['broker-x:0', 'broker-x:1', 'broker-y:0'])
    expect(info.orderTopic).toBe(true)
  })

  it('round-robins and prefers another broker after a failure', () => {
    const info = toTopicPublishInfo('T', route)
    const seen = new Set<string>()
    for (let i = 0; i < 4; i++) {
      const mq = info.selectOneMessageQueue()
      seen.add(`${mq?.brokerName}:${mq?.queueId}`)
    }
    expect(seen.size).toBe(4)
    for (let i = 0; i < 10; i++) expect(info.selectOneMessageQueue('broker-a')?.brokerName).toBe('broker-b')
  })

  it('falls back to the same broker when it is the only one', () => {
    const single = toTopicPublishInfo('T', { ...route, queueDatas: [route.queueDatas[1]!] })
    expect(single.selectOneMessageQueue('broker-a')?.brokerName).toBe('broker-a')
    expect(toTopicPublishInfo('T', { ...route, queueDatas: [] }).selectOneMessageQueue()).toBeUndefined()
  })
})

describe('toSubscribeQueues', () => {
  it('lists readQueueNums queues of every readable QueueData', () => {
    expect(toSubscribeQueues('T', route).map((q) => `${q.brokerName}:${q.queueId}`)).toEqual([
      'broker-b:0', 'broker-b:1', 'broker-a:0', 'broker-a:1', 'broker-a:2', 'broker-c:0', 'broker-d:0',
    ])
  })
})

describe('adaptDefaultTopicRoute', () => {
  it('caps queue counts at min(defaultTopicQueueNums, readQueueNums)', () => {
    const tbw: TopicRouteData = { ...route, queueDatas: [{ brokerName: 'broker-a', readQueueNums: 8, writeQueueNums: 8, perm: 7, topicSysFlag: 0 }] }
    const adapted = adaptDefaultTopicRoute(tbw, 4)
    expect(adapted.queueDatas[0]).toMatchObject({ readQueueNums: 4, writeQueueNums: 4 })
    expect(toTopicPublishInfo('New', adapted).messageQueues).toHaveLength(4)
    expect(tbw.queueDatas[0]?.readQueueNums).toBe(8)
  })
})

describe('sameTopicRoute', () => {
  it('ignores order and detects changes', () => {
    const reordered = { ...route, queueDatas: [...route.queueDatas].reverse(), brokerDatas: [...route.brokerDatas].reverse() }
    expect(sameTopicRoute(route, reordered)).toBe(true)
    expect(sameTopicRoute(undefined, route)).toBe(false)
    expect(sameTopicRoute(route, { ...route, queueDatas: route.queueDatas.slice(1) })).toBe(false)
  })
})
