import { deflateSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { MQBrokerError, MessageSysFlag, RequestCode, createOffsetMsgId } from '@cometmq/protocol'
import { startFakeCluster, withTimeout } from './__fixtures__/fake-cluster.js'
import { Admin } from './admin.js'

type Cluster = Awaited<ReturnType<typeof startFakeCluster>>
const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})

async function setup(): Promise<{ c: Cluster; admin: Admin }> {
  const c = await startFakeCluster(1)
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
