import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { RemotingClient, RequestCode, ResponseCode, createRequest } from '@cometmq/protocol'
import { bodyJson, registerRequest, registerRequestWithBody, waitForEvent } from './__fixtures__/helpers.js'
import { NamesrvController } from './namesrv-controller.js'
import type { NamesrvConfig } from './config/namesrv-config.js'
import { encodeCompressedRegisterBrokerBody } from './register-broker-body.js'

const route = (topic: string, serializeType: 0 | 1 = 0) =>
  createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic }, null, { serializeType })

describe('NamesrvController over TCP', () => {
  let controller: NamesrvController
  let addr: string
  const clients: RemotingClient[] = []
  const newClient = (): RemotingClient => {
    const client = new RemotingClient()
    clients.push(client)
    return client
  }
  const start = async (config: NamesrvConfig = {}): Promise<void> => {
    controller = new NamesrvController({ listenPort: 0, host: '127.0.0.1', ...config })
    await controller.start()
    addr = `127.0.0.1:${controller.port}`
  }

  beforeEach(async () => {
    await start()
  })
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()))
    await controller.shutdown()
  })

  it('serves the route of a registered topic in the request codec (JSON and ROCKETMQ)', async () => {
    const broker = newClient()
    const registered = await broker.invoke(addr, registerRequest({ brokerAddr: '127.0.0.1:10911', topics: { T1: { readQueueNums: 8, writeQueueNums: 8, perm: 7 } } }))
    expect(registered.code).toBe(ResponseCode.SUCCESS)
    expect(registered.extFields).toEqual({})

    const client = newClient()
    for (const serializeType of [0, 1] as const) {
      const response = await client.invoke(addr, route('T1', serializeType))
      expect(response.code).toBe(ResponseCode.SUCCESS)
      expect(response.serializeType).toBe(serializeType)
      expect(response.body?.toString()).toBe(
        '{"brokerDatas":[{"brokerAddrs":{"0":"127.0.0.1:10911"},"brokerName":"broker-a","cluster":"DefaultCluster"}],' +
          '"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":7,"readQueueNums":8,"topicSysFlag":0,"writeQueueNums":8}]}',
      )
    }
  })

  it('answers TOPIC_NOT_EXIST with the RocketMQ remark for an unknown topic', async () => {
    const response = await newClient().invoke(addr, route('Missing'))
    expect(response.code).toBe(ResponseCode.TOPIC_NOT_EXIST)
    expect(response.remark).toMatch(/^No topic route info in name server for the topic: Missing\nSee /)
    expect(response.body).toBeNull()
  })

  it('parses legacy fastjson bodies with unquoted keys', async () => {
    const body = Buffer.from(
      '{filterServerList:[],topicConfigSerializeWrapper:{dataVersion:{counter:0,timestamp:1},' +
        'topicConfigTable:{Legacy:{perm:6,readQueueNums:2,topicName:"Legacy",topicSysFlag:0,writeQueueNums:2}},x:{0:"a",1:"b"}}}',
    )
    const response = await newClient().invoke(addr, registerRequestWithBody({ brokerAddr: '127.0.0.1:10911' }, body, false))
    expect(response.code).toBe(ResponseCode.SUCCESS)
    expect(bodyJson(await newClient().invoke(addr, route('Legacy')))).toMatchObject({ queueDatas: [{ readQueueNums: 2 }] })
  })

  it('accepts the compressed register body', async () => {
    const body = encodeCompressedRegisterBrokerBody({
      dataVersion: { counter: 1, timestamp: 2 },
      topicConfigs: [{ topicName: 'Zipped', readQueueNums: 3, writeQueueNums: 3, perm: 6, topicSysFlag: 0 }],
      filterServerList: [],
    })
    const response = await newClient().invoke(addr, registerRequestWithBody({ brokerAddr: '127.0.0.1:10911' }, body, true))
    expect(response.code).toBe(ResponseCode.SUCCESS)
    expect(bodyJson(await newClient().invoke(addr, route('Zipped')))).toMatchObject({ queueDatas: [{ readQueueNums: 3 }] })
  })

  it('rejects a body whose crc32 does not match', async () => {
    const response = await newClient().invoke(addr, registerRequest({ brokerAddr: '127.0.0.1:10911', topics: { T1: {} }, bodyCrc32: 12345 }))
    expect(response.code).toBe(ResponseCode.SYSTEM_ERROR)
    expect(response.remark).toBe('crc32 not match')
    expect((await newClient().invoke(addr, route('T1'))).code).toBe(ResponseCode.TOPIC_NOT_EXIST)
  })

  it('answers SYSTEM_ERROR naming a missing required header field', async () => {
    const response = await newClient().invoke(addr, createRequest(RequestCode.REGISTER_BROKER, { brokerName: 'b' }))
    expect(response.code).toBe(ResponseCode.SYSTEM_ERROR)
    expect(response.remark).toMatch(/custom field/)
  })

  it('removes a broker on UNREGISTER_BROKER', async () => {
    const broker = newClient()
    await broker.invoke(addr, registerRequest({ brokerAddr: '127.0.0.1:10911', topics: { T1: {} } }))
    const response = await broker.invoke(
      addr,
      createRequest(RequestCode.UNREGISTER_BROKER, { brokerName: 'broker-a', brokerAddr: '127.0.0.1:10911', clusterName: 'DefaultCluster', brokerId: 0 }),
    )
    expect(response.code).toBe(ResponseCode.SUCCESS)
    expect((await broker.invoke(addr, route('T1'))).code).toBe(ResponseCode.TOPIC_NOT_EXIST)
  })

  it('removes a broker at once when its registering connection closes', async () => {
    const broker = newClient()
    await broker.invoke(addr, registerRequest({ brokerAddr: '127.0.0.1:10911', topics: { T1: {} } }))
    const removed = waitForEvent(controller, 'BROKER_REMOVED')
    broker.closeChannel(addr)
    expect((await removed).payload).toMatchObject({ brokerAddr: '127.0.0.1:10911', reason: 'CHANNEL_CLOSED' })
    expect((await newClient().invoke(addr, route('T1'))).code).toBe(ResponseCode.TOPIC_NOT_EXIST)
  })

  it('serves cluster info and topic lists with quoted keys', async () => {
    const broker = newClient()
    await broker.invoke(addr, registerRequest({ brokerAddr: '127.0.0.1:10911', topics: { T1: {}, T2: {} } }))
    await broker.invoke(addr, registerRequest({ brokerAddr: '127.0.0.1:10921', brokerName: 'broker-b', clusterName: 'C2', topics: { T3: {} } }))

    const cluster = await broker.invoke(addr, createRequest(RequestCode.GET_BROKER_CLUSTER_INFO))
    expect(cluster.body?.toString()).toContain('"brokerAddrs":{"0":"127.0.0.1:10911"}')
    expect(bodyJson(cluster)).toEqual({
      brokerAddrTable: {
        'broker-a': { brokerAddrs: { '0': '127.0.0.1:10911' }, brokerName: 'broker-a', cluster: 'DefaultCluster' },
        'broker-b': { brokerAddrs: { '0': '127.0.0.1:10921' }, brokerName: 'broker-b', cluster: 'C2' },
      },
      clusterAddrTable: { DefaultCluster: ['broker-a'], C2: ['broker-b'] },
    })
    const all = await broker.invoke(addr, createRequest(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER))
    expect(bodyJson(all)).toEqual({ topicList: ['T1', 'T2', 'T3'] })
    const byCluster = await broker.invoke(addr, createRequest(RequestCode.GET_TOPICS_BY_CLUSTER, { cluster: 'C2' }))
    expect(bodyJson(byCluster)).toEqual({ topicList: ['T3'] })
  })

  it('routes a master and a slave sharing a brokerName and tells the slave its master', async () => {
    const broker = newClient()
    await broker.invoke(addr, registerRequest({ brokerAddr: '127.0.0.1:10911', haServerAddr: '127.0.0.1:10912', topics: { T1: {} } }))
    const slave = await broker.invoke(addr, registerRequest({ brokerAddr: '127.0.0.1:10921', brokerId: 1, topics: { T1: {} } }))
    expect(slave.extFields).toEqual({ masterAddr: '127.0.0.1:10911', haServerAddr: '127.0.0.1:10912' })
    const body = bodyJson(await broker.invoke(addr, route('T1'))) as { brokerDatas: Array<{ brokerAddrs: Record<string, string> }>; queueDatas: unknown[] }
    expect(body.brokerDatas).toEqual([{ brokerAddrs: { '0': '127.0.0.1:10911', '1': '127.0.0.1:10921' }, brokerName: 'broker-a', cluster: 'DefaultCluster' }])
    expect(body.queueDatas).toHaveLength(1)
  })

  it('answers QUERY_DATA_VERSION with changed and the stored version', async () => {
    const broker = newClient()
    await broker.invoke(addr, registerRequest({ brokerAddr: '127.0.0.1:10911', dataVersion: { counter: 3, timestamp: 9 } }))
    const header = { brokerName: 'broker-a', brokerAddr: '127.0.0.1:10911', clusterName: 'DefaultCluster', brokerId: 0 }
    const same = await broker.invoke(addr, createRequest(RequestCode.QUERY_DATA_VERSION, header, Buffer.from('{"counter":3,"timestamp":9}')))
    expect(same.extFields['changed']).toBe('false')
    expect(bodyJson(same)).toEqual({ counter: 3, timestamp: 9 })
    const newer = await broker.invoke(addr, createRequest(RequestCode.QUERY_DATA_VERSION, header, Buffer.from('{"counter":4,"timestamp":9}')))
    expect(newer.extFields['changed']).toBe('true')
  })

  it('wipes and restores the write permission of a broker', async () => {
    const broker = newClient()
    await broker.invoke(addr, registerRequest({ brokerAddr: '127.0.0.1:10911', topics: { T1: {}, T2: {} } }))
    const wiped = await broker.invoke(addr, createRequest(RequestCode.WIPE_WRITE_PERM_OF_BROKER, { brokerName: 'broker-a' }))
    expect(wiped.extFields['wipeTopicCount']).toBe('2')
    expect(bodyJson(await broker.invoke(addr, route('T1')))).toMatchObject({ queueDatas: [{ perm: 4 }] })
    const added = await broker.invoke(addr, createRequest(RequestCode.ADD_WRITE_PERM_OF_BROKER, { brokerName: 'broker-a' }))
    expect(added.extFields['addTopicCount']).toBe('2')
    expect(bodyJson(await broker.invoke(addr, route('T1')))).toMatchObject({ queueDatas: [{ perm: 6 }] })
  })

  it('deletes a topic route', async () => {
    const broker = newClient()
    await broker.invoke(addr, registerRequest({ brokerAddr: '127.0.0.1:10911', topics: { T1: {} } }))
    expect((await broker.invoke(addr, createRequest(RequestCode.DELETE_TOPIC_IN_NAMESRV, { topic: 'T1' }))).code).toBe(ResponseCode.SUCCESS)
    expect((await broker.invoke(addr, route('T1'))).code).toBe(ResponseCode.TOPIC_NOT_EXIST)
  })

  it('stores KV config in memory', async () => {
    const admin = newClient()
    const kv = { namespace: 'NS', key: 'k' }
    expect((await admin.invoke(addr, createRequest(RequestCode.GET_KV_CONFIG, kv))).code).toBe(ResponseCode.QUERY_NOT_FOUND)
    expect((await admin.invoke(addr, createRequest(RequestCode.PUT_KV_CONFIG, { ...kv, value: 'v' }))).code).toBe(ResponseCode.SUCCESS)
    expect((await admin.invoke(addr, createRequest(RequestCode.GET_KV_CONFIG, kv))).extFields['value']).toBe('v')
    expect(bodyJson(await admin.invoke(addr, createRequest(RequestCode.GET_KVLIST_BY_NAMESPACE, { namespace: 'NS' })))).toEqual({ table: { k: 'v' } })
    await admin.invoke(addr, createRequest(RequestCode.DELETE_KV_CONFIG, kv))
    const list = await admin.invoke(addr, createRequest(RequestCode.GET_KVLIST_BY_NAMESPACE, { namespace: 'NS' }))
    expect(list.code).toBe(ResponseCode.QUERY_NOT_FOUND)
    expect(list.remark).toBe('No config item, Namespace: NS')
  })

  it('answers REQUEST_CODE_NOT_SUPPORTED for a code it does not serve', async () => {
    const response = await newClient().invoke(addr, createRequest(RequestCode.PULL_MESSAGE))
    expect(response.code).toBe(ResponseCode.REQUEST_CODE_NOT_SUPPORTED)
  })
})

describe('NamesrvController liveness', () => {
  it('expires a broker that stops re-registering and closes its connection', async () => {
    const controller = new NamesrvController({ listenPort: 0, host: '127.0.0.1', scanNotActiveBrokerInterval: 20, brokerChannelExpiredTime: 300 })
    await controller.start()
    const broker = new RemotingClient()
    const client = new RemotingClient()
    try {
      const addr = `127.0.0.1:${controller.port}`
      const expired = waitForEvent(controller, 'BROKER_REMOVED')
      await broker.invoke(addr, registerRequest({ brokerAddr: '127.0.0.1:10911', topics: { T1: {} } }))
      expect((await expired).payload).toMatchObject({ brokerAddr: '127.0.0.1:10911', reason: 'EXPIRED' })
      // the expired broker's connection is being closed by the server; ask over another one
      expect((await client.invoke(addr, route('T1'))).code).toBe(ResponseCode.TOPIC_NOT_EXIST)
    } finally {
      await Promise.all([broker.close(), client.close()])
      await controller.shutdown()
    }
  })

  it('adds orderTopicConf to routes when orderMessageEnable is set', async () => {
    const controller = new NamesrvController({ listenPort: 0, host: '127.0.0.1', orderMessageEnable: true })
    await controller.start()
    const client = new RemotingClient()
    try {
      const addr = `127.0.0.1:${controller.port}`
      await client.invoke(addr, createRequest(RequestCode.PUT_KV_CONFIG, { namespace: 'ORDER_TOPIC_CONFIG', key: 'T1', value: 'broker-a:4' }))
      const registered = await client.invoke(addr, registerRequest({ brokerAddr: '127.0.0.1:10911', topics: { T1: {} } }))
      expect(bodyJson(registered)).toEqual({ table: { T1: 'broker-a:4' } })
      expect(bodyJson(await client.invoke(addr, route('T1')))).toMatchObject({ orderTopicConf: 'broker-a:4' })
    } finally {
      await client.close()
      await controller.shutdown()
    }
  })

  it('refuses a second start and tolerates repeated shutdown', async () => {
    const controller = new NamesrvController({ listenPort: 0, host: '127.0.0.1' })
    await controller.start()
    await expect(controller.start()).rejects.toThrow(/cannot start/)
    await controller.shutdown()
    await controller.shutdown()
  })
})
