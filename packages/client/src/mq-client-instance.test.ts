import { afterEach, describe, expect, it } from 'vitest'
import { RequestCode, ResponseCode, createRequest } from '@cometmq/protocol'
import type { ConsumerData, RemotingChannel } from '@cometmq/protocol'
import { deferred, startFakeCluster, withTimeout } from './__fixtures__/fake-cluster.js'
import { MQClientInstance } from './mq-client-instance.js'
import type { ConsumerMember } from './mq-client-instance.js'

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})

function member(group: string, onRebalance: () => void): ConsumerMember {
  const data: ConsumerData = { groupName: group, consumeType: 'CONSUME_PASSIVELY', messageModel: 'CLUSTERING', consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET', subscriptionDataSet: [], unitMode: false }
  return { group, subscribeTopics: () => ['T'], updateTopicSubscribeInfo: () => undefined, consumerData: () => data, rebalanceImmediately: onRebalance }
}

describe('MQClientInstance', () => {
  it('builds the client id as ip@pid#hrtime and heartbeats every registered group to every broker', async () => {
    const cluster = await startFakeCluster(2)
    cleanups.push(cluster.close)
    cluster.namesrv.setRoute('T', cluster.brokers, 1)
    const instance = new MQClientInstance({ namesrvAddr: cluster.namesrv.addr, clientIP: '10.1.2.3' })
    instance.start()
    cleanups.push(() => instance.shutdown())
    expect(instance.clientId).toMatch(new RegExp(`^10\\.1\\.2\\.3@${process.pid}#\\d+$`))
    instance.registerProducer({ group: 'PG', publishTopics: () => [], updateTopicPublishInfo: () => undefined })
    instance.registerConsumer(member('CG', () => undefined))
    expect(() => instance.registerConsumer(member('CG', () => undefined))).toThrow(/has been created before/)
    await instance.updateTopicRoute('T')
    await instance.sendHeartbeatToAllBrokers()
    for (const broker of cluster.brokers) {
      const heartbeat = broker.heartbeats.at(-1)
      expect(heartbeat?.clientID).toBe(instance.clientId)
      expect(heartbeat?.producerDataSet).toEqual([{ groupName: 'PG' }])
      expect(heartbeat?.consumerDataSet.map((c) => c.groupName)).toEqual(['CG'])
    }
  })

  it('rebalances on NOTIFY_CONSUMER_IDS_CHANGED and answers other broker requests with code 3', async () => {
    const cluster = await startFakeCluster(1)
    cleanups.push(cluster.close)
    const broker = cluster.brokers[0]!
    cluster.namesrv.setRoute('T', cluster.brokers, 1)
    const channel = deferred<RemotingChannel>()
    broker.server.onChannelConnected((c) => channel.resolve(c))
    const rebalanced = deferred()
    const instance = new MQClientInstance({ namesrvAddr: cluster.namesrv.addr, clientIP: '127.0.0.1' })
    instance.start()
    cleanups.push(() => instance.shutdown())
    instance.registerConsumer(member('CG', () => rebalanced.resolve()))
    await instance.updateTopicRoute('T')
    await instance.sendHeartbeatToAllBrokers()
    const conn = await withTimeout(channel.promise, 5000, 'the client connection')
    conn.invokeOneway(createRequest(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, { consumerGroup: 'CG' }))
    await withTimeout(rebalanced.promise, 5000, 'the rebalance')
    const answer = await conn.invoke(createRequest(RequestCode.GET_CONSUMER_RUNNING_INFO, { consumerGroup: 'CG' }))
    expect(answer.code).toBe(ResponseCode.REQUEST_CODE_NOT_SUPPORTED)
  })

  it('sends UNREGISTER_CLIENT for a removed group and closes on the last shutdown', async () => {
    const cluster = await startFakeCluster(1)
    cleanups.push(cluster.close)
    cluster.namesrv.setRoute('T', cluster.brokers, 1)
    const instance = new MQClientInstance({ namesrvAddr: cluster.namesrv.addr })
    instance.start()
    instance.start()
    instance.registerConsumer(member('CG', () => undefined))
    await instance.updateTopicRoute('T')
    await instance.unregisterConsumer('CG')
    expect(cluster.brokers[0]!.requestsOf(RequestCode.UNREGISTER_CLIENT)[0]?.extFields).toMatchObject({ clientID: instance.clientId, consumerGroup: 'CG' })
    await instance.shutdown()
    expect(instance.running).toBe(true)
    await instance.shutdown()
    expect(instance.running).toBe(false)
    expect(() => instance.start()).toThrow(/shut down/)
  })
})
