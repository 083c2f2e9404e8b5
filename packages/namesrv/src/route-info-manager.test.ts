import { describe, expect, it } from 'vitest'
import type { NamesrvEvent } from './namesrv-events.js'
import { RouteInfoManager } from './route-info-manager.js'
import type { BrokerChannel, RegisterBrokerInput, RegisteredTopicConfig } from './route-types.js'

function channel(id: string): BrokerChannel & { closed: boolean } {
  return {
    id,
    closed: false,
    close() {
      this.closed = true
    },
  }
}

function topic(topicName: string, queues = 4, perm = 6): RegisteredTopicConfig {
  return { topicName, readQueueNums: queues, writeQueueNums: queues, perm, topicSysFlag: 0 }
}

function input(overrides: Partial<RegisterBrokerInput> & { brokerAddr: string }): RegisterBrokerInput {
  return {
    clusterName: 'DefaultCluster',
    brokerName: 'broker-a',
    brokerId: 0,
    haServerAddr: overrides.brokerAddr.replace(/\d+$/, (p) => String(Number(p) + 1)),
    dataVersion: { counter: 0, timestamp: 1 },
    topicConfigs: [],
    filterServerList: [],
    channel: null,
    ...overrides,
  }
}

describe('RouteInfoManager', () => {
  it('returns a route with quoted-key-ready brokerAddrs and the queue data of a registered master', () => {
    const manager = new RouteInfoManager()
    manager.registerBroker(input({ brokerAddr: '127.0.0.1:10911', topicConfigs: [topic('T1', 8, 7)] }))
    expect(manager.pickupTopicRouteData('T1')).toEqual({
      brokerDatas: [{ brokerAddrs: { '0': '127.0.0.1:10911' }, brokerName: 'broker-a', cluster: 'DefaultCluster' }],
      filterServerTable: {},
      queueDatas: [{ brokerName: 'broker-a', perm: 7, readQueueNums: 8, topicSysFlag: 0, writeQueueNums: 8 }],
    })
    expect(manager.pickupTopicRouteData('nope')).toBeNull()
  })

  it('rebuilds queue data only when the master DataVersion changed', () => {
    const manager = new RouteInfoManager()
    manager.registerBroker(input({ brokerAddr: 'a:1', topicConfigs: [topic('T1', 4)] }))
    // same version, different content: ignored (the broker did not bump its version)
    manager.registerBroker(input({ brokerAddr: 'a:1', topicConfigs: [topic('T1', 2), topic('T2')] }))
    expect(manager.pickupTopicRouteData('T1')?.queueDatas[0]?.readQueueNums).toBe(4)
    expect(manager.pickupTopicRouteData('T2')).toBeNull()
    manager.registerBroker(input({ brokerAddr: 'a:1', dataVersion: { counter: 1, timestamp: 2 }, topicConfigs: [topic('T1', 2), topic('T2')] }))
    expect(manager.pickupTopicRouteData('T1')?.queueDatas[0]?.readQueueNums).toBe(2)
    expect(manager.pickupTopicRouteData('T2')).not.toBeNull()
  })

  it('ignores slave topic data, lists the slave address and tells the slave where its master is', () => {
    const manager = new RouteInfoManager()
    const master = manager.registerBroker(input({ brokerAddr: 'm:10911', haServerAddr: 'm:10912', topicConfigs: [topic('T1')] }))
    expect(master).toEqual({})
    const slave = manager.registerBroker(input({ brokerAddr: 's:10911', brokerId: 1, topicConfigs: [topic('SLAVE_ONLY')] }))
    expect(slave).toEqual({ masterAddr: 'm:10911', haServerAddr: 'm:10912' })
    expect(manager.pickupTopicRouteData('SLAVE_ONLY')).toBeNull()
    expect(manager.pickupTopicRouteData('T1')?.brokerDatas[0]?.brokerAddrs).toEqual({ '0': 'm:10911', '1': 's:10911' })
  })

  it('gives a slave no master address while the master is not alive', () => {
    const manager = new RouteInfoManager()
    expect(manager.registerBroker(input({ brokerAddr: 's:1', brokerId: 1 }))).toEqual({})
  })

  it('moves an address re-registering under a new id (slave promoted to master)', () => {
    const manager = new RouteInfoManager()
    manager.registerBroker(input({ brokerAddr: 'm:1', topicConfigs: [topic('T1')] }))
    manager.registerBroker(input({ brokerAddr: 's:1', brokerId: 1 }))
    manager.unregisterBroker('DefaultCluster', 'm:1', 'broker-a', 0)
    manager.registerBroker(input({ brokerAddr: 's:1', brokerId: 0, topicConfigs: [topic('T1')] }))
    expect(manager.getAllClusterInfo().brokerAddrTable['broker-a']?.brokerAddrs).toEqual({ '0': 's:1' })
  })

  it('unregistering the last address removes the broker, its cluster entry and its topics', () => {
    const manager = new RouteInfoManager()
    const events: NamesrvEvent[] = []
    manager.events.on((e) => events.push(e))
    manager.registerBroker(input({ brokerAddr: 'a:1', topicConfigs: [topic('T1')] }))
    manager.registerBroker(input({ brokerAddr: 'b:1', brokerName: 'broker-b', topicConfigs: [topic('T1'), topic('T2')] }))
    manager.unregisterBroker('DefaultCluster', 'a:1', 'broker-a', 0)
    expect(manager.pickupTopicRouteData('T1')?.queueDatas.map((q) => q.brokerName)).toEqual(['broker-b'])
    expect(manager.getAllClusterInfo().clusterAddrTable).toEqual({ DefaultCluster: ['broker-b'] })
    manager.unregisterBroker('DefaultCluster', 'b:1', 'broker-b', 0)
    expect(manager.getAllTopicList()).toEqual([])
    expect(manager.getAllClusterInfo()).toEqual({ brokerAddrTable: {}, clusterAddrTable: {} })
    expect(events.filter((e) => e.type === 'BROKER_REMOVED').map((e) => e.payload.reason)).toEqual(['UNREGISTER', 'UNREGISTER'])
  })

  it('removes only the broker whose registering channel closed', () => {
    const manager = new RouteInfoManager()
    const chA = channel('A')
    manager.registerBroker(input({ brokerAddr: 'a:1', channel: chA, topicConfigs: [topic('T1')] }))
    manager.registerBroker(input({ brokerAddr: 'b:1', brokerName: 'broker-b', channel: channel('B'), topicConfigs: [topic('T1')] }))
    expect(manager.onChannelClosed(channel('client'))).toBeNull()
    expect(manager.onChannelClosed(chA)).toBe('a:1')
    expect(manager.getLiveBrokerAddrs()).toEqual(['b:1'])
    expect(manager.pickupTopicRouteData('T1')?.brokerDatas.map((b) => b.brokerName)).toEqual(['broker-b'])
  })

  it('expires brokers not re-registered within brokerChannelExpiredTime and closes their channel', () => {
    let now = 1_000
    const manager = new RouteInfoManager({ brokerChannelExpiredTime: 100, now: () => now })
    const chA = channel('A')
    manager.registerBroker(input({ brokerAddr: 'a:1', channel: chA, topicConfigs: [topic('T1')] }))
    manager.registerBroker(input({ brokerAddr: 'b:1', brokerName: 'broker-b', heartbeatTimeoutMillis: 1_000 }))
    now += 100
    expect(manager.scanNotActiveBroker()).toEqual([])
    now += 1
    expect(manager.scanNotActiveBroker()).toEqual(['a:1'])
    expect(chA.closed).toBe(true)
    expect(manager.pickupTopicRouteData('T1')).toBeNull()
    expect(manager.getLiveBrokerAddrs()).toEqual(['b:1'])
  })

  it('a liveness refresh postpones expiry', () => {
    let now = 0
    const manager = new RouteInfoManager({ brokerChannelExpiredTime: 100, now: () => now })
    manager.registerBroker(input({ brokerAddr: 'a:1' }))
    now = 90
    manager.updateBrokerInfoUpdateTimestamp('a:1')
    now = 150
    expect(manager.scanNotActiveBroker()).toEqual([])
  })

  it('reports DataVersion changes', () => {
    const manager = new RouteInfoManager()
    expect(manager.isBrokerTopicConfigChanged('a:1', { counter: 0, timestamp: 1 })).toBe(true)
    manager.registerBroker(input({ brokerAddr: 'a:1', dataVersion: { counter: 3, timestamp: 9 } }))
    expect(manager.isBrokerTopicConfigChanged('a:1', { counter: 3, timestamp: 9 })).toBe(false)
    expect(manager.isBrokerTopicConfigChanged('a:1', { counter: 4, timestamp: 9 })).toBe(true)
    expect(manager.queryBrokerTopicConfig('a:1')).toEqual({ counter: 3, timestamp: 9 })
  })

  it('lists topics by cluster, system topics, deletes topics and flips the write bit', () => {
    const manager = new RouteInfoManager()
    manager.registerBroker(input({ brokerAddr: 'a:1', topicConfigs: [topic('T1'), topic('T2')] }))
    manager.registerBroker(input({ brokerAddr: 'c:1', clusterName: 'C2', brokerName: 'broker-c', topicConfigs: [topic('T3')] }))
    expect(manager.getTopicsByCluster('DefaultCluster')).toEqual(['T1', 'T2'])
    expect(manager.getTopicsByCluster('C2')).toEqual(['T3'])
    expect(manager.getTopicsByCluster('none')).toEqual([])
    expect(manager.getSystemTopicList()).toEqual({ topicList: ['DefaultCluster', 'broker-a', 'C2', 'broker-c'], brokerAddr: 'a:1' })

    expect(manager.updateWritePermOfBroker('broker-a', 'wipe')).toBe(2)
    expect(manager.pickupTopicRouteData('T1')?.queueDatas[0]?.perm).toBe(4)
    expect(manager.updateWritePermOfBroker('broker-a', 'add')).toBe(2)
    expect(manager.pickupTopicRouteData('T1')?.queueDatas[0]?.perm).toBe(6)

    manager.deleteTopic('T2')
    manager.deleteTopic('T3', 'DefaultCluster') // T3 is not served by DefaultCluster: untouched
    expect(manager.getAllTopicList()).toEqual(['T1', 'T3'])
    manager.deleteTopic('T3', 'C2')
    expect(manager.getAllTopicList()).toEqual(['T1'])
  })

  it('keeps filter servers per broker address in routes', () => {
    const manager = new RouteInfoManager()
    manager.registerBroker(input({ brokerAddr: 'a:1', topicConfigs: [topic('T1')], filterServerList: ['f:1'] }))
    expect(manager.pickupTopicRouteData('T1')?.filterServerTable).toEqual({ 'a:1': ['f:1'] })
  })

  it('isolates a throwing event listener', () => {
    const manager = new RouteInfoManager()
    manager.events.on(() => {
      throw new Error('boom')
    })
    expect(() => manager.registerBroker(input({ brokerAddr: 'a:1' }))).not.toThrow()
  })
})
