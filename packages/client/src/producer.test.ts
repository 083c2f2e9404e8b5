import { inflateSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { MQBrokerError, MQClientError, RemotingServer, RequestCode, ResponseCode, createResponse, decodeProperties } from '@cometmq/protocol'
import type { RemotingCommand } from '@cometmq/protocol'
import { deferred, startFakeCluster, withTimeout } from './__fixtures__/fake-cluster.js'
import { Producer } from './producer.js'

type Cluster = Awaited<ReturnType<typeof startFakeCluster>>
const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})

async function setup(brokers = 1, options: Partial<ConstructorParameters<typeof Producer>[0]> = {}): Promise<{ cluster: Cluster; producer: Producer }> {
  const cluster = await startFakeCluster(brokers)
  cleanups.push(cluster.close)
  const producer = new Producer({ namesrvAddr: cluster.namesrv.addr, producerGroup: 'PG', clientIP: '127.0.0.1', ...options })
  await producer.start()
  cleanups.push(() => producer.shutdown())
  return { cluster, producer }
}

const sends = (request: RemotingCommand): boolean => request.code === RequestCode.SEND_MESSAGE_V2

describe('Producer.send', () => {
  it('sends SEND_MESSAGE_V2 with the Java header fields and maps the response', async () => {
    const { cluster, producer } = await setup()
    const [broker] = cluster.brokers
    cluster.namesrv.setRoute('T1', cluster.brokers)
    const result = await producer.send({ topic: 'T1', body: 'hello', tags: 'TagA', keys: ['k1', 'k2'], properties: { p: 'v' } })
    const request = broker!.requests.find(sends) as RemotingCommand
    expect(request.extFields).toMatchObject({ a: 'PG', b: 'T1', c: 'TBW102', d: '4', f: '0', h: '0', j: '0', k: 'false', m: 'false' })
    const props = decodeProperties(request.extFields.i ?? '')
    expect(props).toMatchObject({ TAGS: 'TagA', KEYS: 'k1 k2', WAIT: 'true', p: 'v' })
    expect(request.body?.toString()).toBe('hello')
    expect(result).toMatchObject({ sendStatus: 'SEND_OK', msgId: props.UNIQ_KEY, regionId: 'DefaultRegion', traceOn: true, queueOffset: 0 })
    expect(result.messageQueue).toEqual({ topic: 'T1', brokerName: 'broker-a', queueId: Number(request.extFields.e) })
    expect(result.offsetMsgId).toMatch(/^[0-9A-F]{32}$/)
  })

  it('looks the route up once and round-robins over the queues', async () => {
    const { cluster, producer } = await setup()
    cluster.namesrv.setRoute('T2', cluster.brokers, 4)
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => producer.send({ topic: 'T2', body: `m${i}` })))
    expect(cluster.namesrv.routeRequests.filter((t) => t === 'T2')).toHaveLength(1)
    const counts = new Map<number, number>()
    for (const r of results) counts.set(r.messageQueue.queueId, (counts.get(r.messageQueue.queueId) ?? 0) + 1)
    expect([...counts.values()]).toEqual([2, 2, 2, 2])
  })

  it('falls back to the TBW102 route when the topic has none', async () => {
    const { cluster, producer } = await setup()
    cluster.namesrv.setRoute('TBW102', cluster.brokers, 8)
    const result = await producer.send({ topic: 'NewTopic', body: 'x' })
    expect(cluster.namesrv.routeRequests).toEqual(['NewTopic', 'TBW102'])
    expect(result.messageQueue.queueId).toBeLessThan(4)
    const request = cluster.brokers[0]!.requests.find(sends) as RemotingCommand
    expect(request.extFields).toMatchObject({ b: 'NewTopic', c: 'TBW102', d: '4' })
  })

  it('accepts route bodies with unquoted integer map keys (fastjson legacy form)', async () => {
    const { cluster, producer } = await setup()
    const broker = cluster.brokers[0]!
    cluster.namesrv.server.registerProcessor(RequestCode.GET_ROUTEINFO_BY_TOPIC, (request) => {
      const text = `{"brokerDatas":[{"brokerAddrs":{0:"${broker.addr}"},"brokerName":"broker-a","cluster":"C"}],"filterServerTable":{},"queueDatas":[{"brokerName":"broker-a","perm":6,"readQueueNums":2,"topicSysFlag":0,"writeQueueNums":2}]}`
      return createResponse(request, ResponseCode.SUCCESS, null, {}, Buffer.from(text))
    })
    await expect(producer.send({ topic: 'Legacy', body: 'x' })).resolves.toMatchObject({ sendStatus: 'SEND_OK', messageQueue: { brokerName: 'broker-a' } })
  })

  it('throws NO_ROUTE when neither the topic nor TBW102 has a route', async () => {
    const { producer } = await setup()
    await expect(producer.send({ topic: 'Nowhere', body: 'x' })).rejects.toMatchObject({ code: 'NO_ROUTE' })
  })

  it('retries a retriable code on another broker', async () => {
    const { cluster, producer } = await setup(2)
    const [a, b] = cluster.brokers as [NonNullable<Cluster['brokers'][0]>, NonNullable<Cluster['brokers'][0]>]
    cluster.namesrv.setRoute('T3', cluster.brokers, 1)
    a.override(RequestCode.SEND_MESSAGE_V2, (request) => createResponse(request, ResponseCode.SERVICE_NOT_AVAILABLE, 'disk full'))
    b.override(RequestCode.SEND_MESSAGE_V2, (request) => createResponse(request, ResponseCode.SERVICE_NOT_AVAILABLE, 'disk full'))
    // Both fail: three attempts alternating brokers, then the last MQBrokerError surfaces.
    const error = await producer.send({ topic: 'T3', body: 'x' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MQBrokerError)
    expect((error as MQBrokerError).responseCode).toBe(14)
    const attempts = [...a.requests.filter(sends).map(() => 'a'), ...b.requests.filter(sends).map(() => 'b')]
    expect(attempts).toHaveLength(3)
    expect(a.requests.filter(sends).length).toBeGreaterThanOrEqual(1)
    expect(b.requests.filter(sends).length).toBeGreaterThanOrEqual(1)
    // Only broker-a fails: every send lands on broker-b after at most one retry.
    b.override(RequestCode.SEND_MESSAGE_V2, undefined)
    for (let i = 0; i < 4; i++) {
      const result = await producer.send({ topic: 'T3', body: `y${i}` })
      expect(result.messageQueue.brokerName).toBe('broker-b')
    }
  })

  it('surfaces a non-retriable code as MQBrokerError after one attempt', async () => {
    const { cluster, producer } = await setup(2)
    cluster.namesrv.setRoute('T4', cluster.brokers, 1)
    for (const broker of cluster.brokers) broker.override(RequestCode.SEND_MESSAGE_V2, (request) => createResponse(request, ResponseCode.MESSAGE_ILLEGAL, 'the message is illegal'))
    const error = await producer.send({ topic: 'T4', body: 'x' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MQBrokerError)
    expect(error).toMatchObject({ code: 'BROKER_ERROR', responseCode: 13, remark: 'the message is illegal', retriable: false })
    expect(cluster.brokers.map((b) => b.requests.filter(sends).length).reduce((x, y) => x + y)).toBe(1)
    expect([cluster.brokers[0]!.addr, cluster.brokers[1]!.addr]).toContain((error as MQBrokerError).brokerAddr)
  })

  it('maps 10/11/12 to non-OK statuses without throwing', async () => {
    const { cluster, producer } = await setup()
    cluster.namesrv.setRoute('T5', cluster.brokers, 1)
    const broker = cluster.brokers[0]!
    for (const [code, status] of [[10, 'FLUSH_DISK_TIMEOUT'], [11, 'SLAVE_NOT_AVAILABLE'], [12, 'FLUSH_SLAVE_TIMEOUT']] as const) {
      broker.override(RequestCode.SEND_MESSAGE_V2, (request) => createResponse(request, code, null, { msgId: '7F00000100002A9F0000000000000000', queueId: 0, queueOffset: 9 }))
      await expect(producer.send({ topic: 'T5', body: 'x' })).resolves.toMatchObject({ sendStatus: status, queueOffset: 9 })
    }
  })

  it('compresses large bodies on the wire', async () => {
    const { cluster, producer } = await setup(1, { compressMsgBodyOverHowmuch: 100 })
    cluster.namesrv.setRoute('T6', cluster.brokers, 1)
    const body = Buffer.alloc(1000, 'q')
    await producer.send({ topic: 'T6', body })
    const request = cluster.brokers[0]!.requests.find(sends) as RemotingCommand
    expect(Number(request.extFields.f) & 1).toBe(1)
    expect(inflateSync(request.body as Buffer).equals(body)).toBe(true)
  })

  it('validates before any network I/O', async () => {
    const { cluster, producer } = await setup(1, { maxMessageSize: 10 })
    await expect(producer.send({ topic: 'T7', body: Buffer.alloc(11) })).rejects.toMatchObject({ code: 'MESSAGE_ILLEGAL' })
    await expect(producer.send({ topic: 'no spaces', body: 'x' })).rejects.toBeInstanceOf(MQClientError)
    expect(cluster.namesrv.routeRequests).toEqual([])
  })

  it('honours an explicit queue and a selector', async () => {
    const { cluster, producer } = await setup()
    cluster.namesrv.setRoute('T8', cluster.brokers, 4)
    const explicit = await producer.send({ topic: 'T8', body: 'x' }, { messageQueue: { topic: 'T8', brokerName: 'broker-a', queueId: 2 } })
    expect(explicit.messageQueue.queueId).toBe(2)
    const selected = await producer.send({ topic: 'T8', body: 'x' }, { selector: (queues, _m, arg) => queues[(arg as number) % queues.length]!, arg: 7 })
    expect(selected.messageQueue.queueId).toBe(3)
    await expect(producer.send({ topic: 'T8', body: 'x' }, { messageQueue: { topic: 'Other', brokerName: 'broker-a', queueId: 0 } })).rejects.toMatchObject({ code: 'MESSAGE_ILLEGAL' })
  })

  it('aborts a send that is waiting for the broker', async () => {
    const { cluster, producer } = await setup()
    cluster.namesrv.setRoute('T9', cluster.brokers, 1)
    const arrived = deferred()
    cluster.brokers[0]!.override(RequestCode.SEND_MESSAGE_V2, () => {
      arrived.resolve()
      return null // never answer
    })
    const controller = new AbortController()
    const sending = producer.send({ topic: 'T9', body: 'x' }, { signal: controller.signal, timeoutMs: 20_000 })
    await withTimeout(arrived.promise, 5000, 'the send request')
    const reason = new Error('stop')
    controller.abort(reason)
    await expect(sending).rejects.toBe(reason)
    expect(cluster.brokers[0]!.requests.filter(sends)).toHaveLength(1)
    await expect(producer.send({ topic: 'T9', body: 'x' }, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason)
  })

  it('gives up with SEND_TIMEOUT when the budget runs out', async () => {
    const { cluster, producer } = await setup()
    cluster.namesrv.setRoute('T10', cluster.brokers, 1)
    cluster.brokers[0]!.override(RequestCode.SEND_MESSAGE_V2, () => null)
    const error = await producer.send({ topic: 'T10', body: 'x' }, { timeoutMs: 150 }).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'SEND_TIMEOUT' })
  })

  it('rotates to the next name server when one is down', async () => {
    const cluster = await startFakeCluster(1)
    cleanups.push(cluster.close)
    const dead = new RemotingServer({ host: '127.0.0.1', port: 0 })
    await dead.listen()
    const deadAddr = `127.0.0.1:${dead.port}`
    await dead.close()
    cluster.namesrv.setRoute('T11', cluster.brokers, 1)
    const producer = new Producer({ namesrvAddr: [deadAddr, cluster.namesrv.addr], producerGroup: 'PG', clientIP: '127.0.0.1' })
    await producer.start()
    cleanups.push(() => producer.shutdown())
    await expect(producer.send({ topic: 'T11', body: 'x' })).resolves.toMatchObject({ sendStatus: 'SEND_OK' })
  })

  it('sends a batch as SEND_BATCH_MESSAGE', async () => {
    const { cluster, producer } = await setup()
    cluster.namesrv.setRoute('T12', cluster.brokers, 1)
    const result = await producer.sendBatch([{ topic: 'T12', body: 'a', tags: 'x' }, { topic: 'T12', body: 'b' }])
    expect(result.msgId.split(',')).toHaveLength(2)
    expect(result.offsetMsgId.split(',')).toHaveLength(2)
    const stored = cluster.brokers[0]!.queues.get('T12:0') ?? []
    expect(stored.map((s) => s.body.toString())).toEqual(['a', 'b'])
    expect(stored[0]?.properties.TAGS).toBe('x')
  })

  it('rejects use before start and after shutdown, and sends UNREGISTER_CLIENT', async () => {
    const { cluster, producer } = await setup()
    cluster.namesrv.setRoute('T13', cluster.brokers, 1)
    await producer.send({ topic: 'T13', body: 'x' })
    await producer.shutdown()
    const unregister = cluster.brokers[0]!.requestsOf(RequestCode.UNREGISTER_CLIENT)
    expect(unregister[0]?.extFields).toMatchObject({ producerGroup: 'PG', clientID: producer.clientId })
    await expect(producer.send({ topic: 'T13', body: 'x' })).rejects.toMatchObject({ code: 'NOT_STARTED' })
    const fresh = new Producer({ namesrvAddr: cluster.namesrv.addr, producerGroup: 'PG' })
    await expect(fresh.send({ topic: 'T13', body: 'x' })).rejects.toMatchObject({ code: 'NOT_STARTED' })
    expect(() => new Producer({ namesrvAddr: '', producerGroup: 'PG' })).toThrow(TypeError)
    expect(() => new Producer({ namesrvAddr: '127.0.0.1:1', producerGroup: 'bad group' })).toThrow(TypeError)
  })
})
