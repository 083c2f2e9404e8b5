import { deflateSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { MQBrokerError, MessageSysFlag, RequestCode, ResponseCode, createOffsetMsgId, createResponse } from '@cometmq/protocol'
import { startFakeCluster, withTimeout } from './__fixtures__/fake-cluster.js'
import { Admin } from './admin.js'

type Cluster = Awaited<ReturnType<typeof startFakeCluster>>
const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})

async function setup(brokers = 1): Promise<{ c: Cluster; admin: Admin }> {
  const c = await startFakeCluster(brokers)
  cleanups.push(c.close)
  const admin = new Admin({ namesrvAddr: c.namesrv.addr, clientIP: '127.0.0.1' })
  cleanups.push(() => admin.shutdown())
  await admin.start()
  return { c, admin }
}

describe('Admin.viewMessage', () => {
  it('sends VIEW_MESSAGE_BY_ID to the broker named in the id and decodes the record, inflating a compressed body', async () => {
    const { c, admin } = await setup()
    const broker = c.brokers[0]!
    broker.put({ topic: 'T1', queueId: 0, body: 'first' })
    const body = Buffer.from('compressed body '.repeat(100))
    const stored = broker.put({
      topic: 'T1', queueId: 1, body: deflateSync(body), sysFlag: MessageSysFlag.COMPRESSED_FLAG, reconsumeTimes: 2,
      properties: { TAGS: 'TagA', KEYS: 'k1 k2', UNIQ_KEY: 'UNIQ-1', p: 'v' },
    })
    const offsetMsgId = createOffsetMsgId('127.0.0.1', Number(broker.addr.split(':')[1]), stored.commitLogOffset)
    const message = await admin.viewMessage(offsetMsgId.toLowerCase())
    expect(broker.requestsOf(RequestCode.VIEW_MESSAGE_BY_ID).map((r) => r.extFields.offset)).toEqual([String(stored.commitLogOffset)])
    expect(message.body.equals(body)).toBe(true)
    expect(message).toMatchObject({
      topic: 'T1', queueId: 1, queueOffset: 0, commitLogOffset: stored.commitLogOffset, sysFlag: 0, reconsumeTimes: 2,
      msgId: 'UNIQ-1', offsetMsgId, tags: 'TagA', keys: ['k1', 'k2'], storeHost: { host: '127.0.0.1', port: Number(broker.addr.split(':')[1]) },
    })
    expect(message.properties).toMatchObject({ TAGS: 'TagA', KEYS: 'k1 k2', UNIQ_KEY: 'UNIQ-1', p: 'v' })
    expect('brokerName' in message).toBe(false)
  })

  it('throws MQBrokerError when the broker has no message at that offset', async () => {
    const { c, admin } = await setup()
    const port = Number(c.brokers[0]!.addr.split(':')[1])
    const error = await admin.viewMessage(createOffsetMsgId('127.0.0.1', port, 4242)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MQBrokerError)
    expect(error).toMatchObject({ responseCode: 1, remark: 'can not find message by the offset, 4242', brokerAddr: c.brokers[0]!.addr })
  })

  it('rejects malformed ids, honours the abort signal and needs start()', async () => {
    const { c, admin } = await setup()
    const broker = c.brokers[0]!
    await expect(admin.viewMessage('not-an-id')).rejects.toThrow(TypeError)
    await expect(admin.viewMessage('7F00000100002A9F')).rejects.toThrow(TypeError)
    broker.override(RequestCode.VIEW_MESSAGE_BY_ID, () => null) // never answers
    const controller = new AbortController()
    const pending = admin.viewMessage(createOffsetMsgId('127.0.0.1', Number(broker.addr.split(':')[1]), 0), { signal: controller.signal, timeoutMs: 60_000 })
    await withTimeout(broker.waitForRequest(RequestCode.VIEW_MESSAGE_BY_ID), 5000, 'the request')
    const reason = new Error('stop')
    controller.abort(reason)
    await expect(pending).rejects.toBe(reason)
    const idle = new Admin({ namesrvAddr: c.namesrv.addr })
    await expect(idle.viewMessage('7F00000100002A9F00000000000000D6')).rejects.toMatchObject({ code: 'NOT_STARTED' })
  })
})

describe('Admin.queryMessage', () => {
  const T0 = Date.UTC(2024, 0, 1)

  it('asks every broker of the route, keeps only exact KEYS matches of the topic, newest first', async () => {
    const { c, admin } = await setup(2)
    const [a, b] = c.brokers as [Cluster['brokers'][0], Cluster['brokers'][0]]
    c.namesrv.setRoute('T1', [a, b])
    a.put({ topic: 'T1', queueId: 0, body: 'a1', properties: { KEYS: 'order-1 x' }, storeTimestamp: T0 + 1 })
    a.put({ topic: 'T1', queueId: 1, body: 'a10', properties: { KEYS: 'order-10' }, storeTimestamp: T0 + 2 }) // loose hit, dropped
    a.put({ topic: 'T2', queueId: 0, body: 'other topic', properties: { KEYS: 'order-1' }, storeTimestamp: T0 + 3 })
    b.put({ topic: 'T1', queueId: 0, body: 'b1', properties: { KEYS: 'y order-1' }, storeTimestamp: T0 + 4 })
    const messages = await admin.queryMessage({ topic: 'T1', key: 'order-1', beginTimestamp: T0, endTimestamp: T0 + 10 })
    expect(messages.map((m) => m.body.toString())).toEqual(['b1', 'a1'])
    expect(messages[0]).toMatchObject({ topic: 'T1', keys: ['y', 'order-1'], storeTimestamp: T0 + 4 })
    for (const broker of [a, b]) {
      expect(broker.requestsOf(RequestCode.QUERY_MESSAGE).map((r) => r.extFields)).toEqual([
        { topic: 'T1', key: 'order-1', maxNum: '64', beginTimestamp: String(T0), endTimestamp: String(T0 + 10), _UNIQUE_KEY_QUERY: 'false' },
      ])
    }
    expect(await admin.queryMessage({ topic: 'T1', key: 'nothing' })).toEqual([])
  })

  it('unique-key query: sends _UNIQUE_KEY_QUERY=true, keeps msgId == key, earliest copy first; queryMessageByUniqKey returns it', async () => {
    const { c, admin } = await setup(2)
    const [a, b] = c.brokers as [Cluster['brokers'][0], Cluster['brokers'][0]]
    c.namesrv.setRoute('T1', [a, b])
    const uniq = 'C0A8000100002A9F0000000000000001'
    b.put({ topic: 'T1', queueId: 0, body: 'retried copy', properties: { UNIQ_KEY: uniq }, storeTimestamp: T0 + 50 })
    a.put({ topic: 'T1', queueId: 0, body: 'first copy', properties: { UNIQ_KEY: uniq }, storeTimestamp: T0 + 10 })
    a.put({ topic: 'T1', queueId: 0, body: 'a KEYS word equal to the id', properties: { KEYS: uniq, UNIQ_KEY: 'OTHER' }, storeTimestamp: T0 + 20 })
    const all = await admin.queryMessage({ topic: 'T1', key: uniq, uniqueKey: true })
    expect(all.map((m) => m.body.toString())).toEqual(['first copy', 'retried copy'])
    expect(a.requestsOf(RequestCode.QUERY_MESSAGE)[0]?.extFields).toMatchObject({ key: uniq, maxNum: '32', _UNIQUE_KEY_QUERY: 'true' })
    const one = await admin.queryMessageByUniqKey('T1', uniq)
    expect(one).toMatchObject({ msgId: uniq, storeTimestamp: T0 + 10 })
    expect(one?.body.toString()).toBe('first copy')
    expect(await admin.queryMessageByUniqKey('T1', 'C0A8000100002A9F00000000000000FF')).toBeNull()
  })

  it('skips a failing broker, throws when every broker fails, and validates its arguments', async () => {
    const { c, admin } = await setup(2)
    const [a, b] = c.brokers as [Cluster['brokers'][0], Cluster['brokers'][0]]
    c.namesrv.setRoute('T1', [a, b])
    a.put({ topic: 'T1', queueId: 0, body: 'kept', properties: { KEYS: 'k' } })
    b.override(RequestCode.QUERY_MESSAGE, (request) => createResponse(request, ResponseCode.SYSTEM_BUSY, 'busy'))
    expect((await admin.queryMessage({ topic: 'T1', key: 'k' })).map((m) => m.body.toString())).toEqual(['kept'])
    a.override(RequestCode.QUERY_MESSAGE, (request) => createResponse(request, ResponseCode.SYSTEM_ERROR, 'broken'))
    await expect(admin.queryMessage({ topic: 'T1', key: 'k' })).rejects.toMatchObject({ responseCode: ResponseCode.SYSTEM_ERROR, remark: 'broken' })
    await expect(admin.queryMessage({ topic: 'NoRoute', key: 'k' })).rejects.toMatchObject({ code: 'NO_ROUTE' })
    await expect(admin.queryMessage({ topic: 'T1', key: '' })).rejects.toThrow(TypeError)
    await expect(admin.queryMessage({ topic: 'T1', key: 'k', maxNum: 0 })).rejects.toThrow(RangeError)
    await expect(admin.queryMessage({ topic: 'T1', key: 'k', endTimestamp: -1 })).rejects.toThrow(RangeError)
  })
})

describe('Admin.viewMessage(topic, msgId)', () => {
  it('views an offset id of a route broker, and looks any other id up as a UNIQ_KEY', async () => {
    const { c, admin } = await setup()
    const broker = c.brokers[0]!
    c.namesrv.setRoute('T1', [broker])
    const port = Number(broker.addr.split(':')[1])
    const stored = broker.put({ topic: 'T1', queueId: 0, body: 'by offset', properties: { UNIQ_KEY: 'C0A8000100002A9F0000000000000002' } })
    const byOffset = await admin.viewMessage('T1', createOffsetMsgId('127.0.0.1', port, stored.commitLogOffset))
    expect(byOffset.body.toString()).toBe('by offset')
    expect(broker.requestsOf(RequestCode.QUERY_MESSAGE)).toHaveLength(0)

    const byUniqKey = await admin.viewMessage('T1', 'C0A8000100002A9F0000000000000002')
    expect(byUniqKey.commitLogOffset).toBe(stored.commitLogOffset)
    // the UNIQ_KEY decodes to 192.168.0.1:10911, not a broker of the route: no VIEW_MESSAGE_BY_ID was sent there
    expect(broker.requestsOf(RequestCode.VIEW_MESSAGE_BY_ID)).toHaveLength(1)
    expect(broker.requestsOf(RequestCode.QUERY_MESSAGE)).toHaveLength(1)

    const missing = createOffsetMsgId('127.0.0.1', port, 999_999)
    await expect(admin.viewMessage('T1', missing)).rejects.toMatchObject({ code: 'NO_MESSAGE' })
    expect(broker.requestsOf(RequestCode.VIEW_MESSAGE_BY_ID)).toHaveLength(2)
    expect(broker.requestsOf(RequestCode.QUERY_MESSAGE).at(-1)?.extFields).toMatchObject({ key: missing, _UNIQUE_KEY_QUERY: 'true' })
  })
})
