import { afterEach, describe, expect, it } from 'vitest'
import {
  RequestCode,
  ResponseCode,
  createRequest,
  decodeCommand,
  decodeOffsetMsgId,
  encodeBatchMessages,
  encodeMessageRecord,
  encodeProperties,
} from '@cometmq/protocol'
import { MemoryMessageStore } from '@cometmq/store'
import { fixture, pull, rawExchange, records, send, sendV2Ext, startBroker } from '../__fixtures__/harness.js'
import type { TestBroker } from '../__fixtures__/harness.js'

let t: TestBroker | undefined
afterEach(async () => {
  await t?.stop()
  t = undefined
})

describe('SendMessageProcessor', () => {
  it('stores a V2 send and a pull returns the byte-correct record', async () => {
    t = await startBroker()
    const response = await send(t, 'TopicA', 'hello', { queueId: 1, properties: { UNIQ_KEY: 'ABC', WAIT: 'true', TAGS: 'TagA', KEYS: 'k1 k2' } })
    expect(response.code).toBe(ResponseCode.SUCCESS)
    expect(response.extFields).toMatchObject({ queueId: '1', queueOffset: '0', MSG_REGION: 'DefaultRegion', TRACE_ON: 'true' })
    const msgId = decodeOffsetMsgId(response.extFields.msgId!)
    expect(msgId).toMatchObject({ host: '127.0.0.1', port: t.broker.port })

    const pulled = await pull(t, 'G', 'TopicA', 1, 0)
    expect(pulled.code).toBe(ResponseCode.SUCCESS)
    expect(pulled.remark).toBe('FOUND')
    expect(pulled.extFields).toEqual({ suggestWhichBrokerId: '0', nextBeginOffset: '1', minOffset: '0', maxOffset: '1' })
    const [record, ...rest] = records(pulled)
    expect(rest).toEqual([])
    expect(record!.body.toString()).toBe('hello')
    expect(record!.topic).toBe('TopicA')
    expect(record!.queueId).toBe(1)
    expect(record!.queueOffset).toBe(0)
    expect(record!.commitLogOffset).toBe(msgId.commitLogOffset)
    expect(record!.storeHost).toEqual({ host: '127.0.0.1', port: t.broker.port })
    expect(record!.bornHost.host).toBe('127.0.0.1')
    expect(record!.properties).toEqual({ UNIQ_KEY: 'ABC', TAGS: 'TagA', KEYS: 'k1 k2', CLUSTER: 'DefaultCluster' })
    expect(record!.msgId).toBe(response.extFields.msgId)
    // the record re-encodes to exactly the bytes we received
    const reencoded = encodeMessageRecord({ ...record!, propertiesString: encodeProperties(record!.properties) })
    expect(reencoded.equals(pulled.body!)).toBe(true)

    const viewed = await t.invoke(RequestCode.VIEW_MESSAGE_BY_ID, { offset: msgId.commitLogOffset })
    expect(viewed.code).toBe(ResponseCode.SUCCESS)
    expect(viewed.body!.equals(pulled.body!)).toBe(true)
  })

  it('accepts SEND_MESSAGE (10) with long header names and picks a random queue for queueId < 0', async () => {
    t = await startBroker()
    const ext = { producerGroup: 'PG', topic: 'TopicV1', defaultTopic: 'TBW102', defaultTopicQueueNums: 2, queueId: -1, sysFlag: 0, bornTimestamp: Date.now(), flag: 7, properties: encodeProperties({ TAGS: 'x' }) }
    const response = await t.invoke(RequestCode.SEND_MESSAGE, ext, Buffer.from('v1'))
    expect(response.code).toBe(ResponseCode.SUCCESS)
    const queueId = Number(response.extFields.queueId)
    expect([0, 1]).toContain(queueId)
    const [record] = records(await pull(t, 'G', 'TopicV1', queueId, 0))
    expect(record).toMatchObject({ flag: 7, queueId })
    expect(record!.body.toString()).toBe('v1')
  })

  it('stores a batch with consecutive offsets and comma-joined msgIds', async () => {
    t = await startBroker()
    await send(t, 'TopicB', 'first')
    const body = encodeBatchMessages([
      { flag: 0, body: Buffer.from('m0'), properties: { TAGS: 'a', UNIQ_KEY: 'U0' } },
      { flag: 1, body: Buffer.from('m1'), properties: { TAGS: 'b', UNIQ_KEY: 'U1' } },
      { flag: 2, body: Buffer.from('m2'), properties: { UNIQ_KEY: 'U2', WAIT: 'false' } },
    ])
    const response = await t.invoke(RequestCode.SEND_BATCH_MESSAGE, { ...sendV2Ext('TopicB'), m: true }, body)
    expect(response.code).toBe(ResponseCode.SUCCESS)
    expect(response.extFields.queueOffset).toBe('1')
    const ids = response.extFields.msgId!.split(',')
    expect(ids).toHaveLength(3)
    const got = records(await pull(t, 'G', 'TopicB', 0, 1))
    expect(got.map((r) => [r.queueOffset, r.flag, r.body.toString(), r.msgId])).toEqual([
      [1, 0, 'm0', ids[0]],
      [2, 1, 'm1', ids[1]],
      [3, 2, 'm2', ids[2]],
    ])
    expect(got[2]!.properties).toEqual({ UNIQ_KEY: 'U2', CLUSTER: 'DefaultCluster' })
    expect(got[0]!.properties.TAGS).toBe('a')
  })

  it('replays the captured Java SEND_MESSAGE_V2 frames (JSON and ROCKETMQ codecs)', async () => {
    t = await startBroker()
    for (const name of ['310-SEND_MESSAGE_V2.req.bin', '310-SEND_MESSAGE_V2.rocketmq.req.bin']) {
      const frame = await fixture(name)
      const request = decodeCommand(frame.subarray(4))
      const response = await rawExchange(t.broker.port, frame)
      expect(response.opaque).toBe(request.opaque)
      expect(response.serializeType).toBe(request.serializeType)
      expect(response.flag).toBe(1)
      expect(response.code).toBe(ResponseCode.SUCCESS)
      expect(response.extFields).toMatchObject({ queueId: request.extFields.e, MSG_REGION: 'DefaultRegion', TRACE_ON: 'true' })
      expect(response.extFields.msgId).toMatch(/^7F000001[0-9A-F]{24}$/)
    }
    // auto-created from TBW102 with the producer's 4 queues
    expect(t.broker.topicConfigManager.selectTopicConfig('TopicTest')).toMatchObject({ readQueueNums: 4, writeQueueNums: 4, perm: 6 })
    const got = records(await pull(t, 'G', 'TopicTest', 0, 0))
    expect(got.length).toBeGreaterThanOrEqual(1)
    expect(got[0]!.body.toString()).toBe('Hello RocketMQ 0')
    expect(got[0]!.properties.WAIT).toBeUndefined()
    expect(got[0]!.properties).toMatchObject({ TAGS: 'TagA', CLUSTER: 'DefaultCluster' })
    expect(got[0]!.properties.UNIQ_KEY).toMatch(/^FD0000/)
  })

  it('answers MESSAGE_ILLEGAL (13) with a remark for an oversize body and a bad topic', async () => {
    t = await startBroker({ config: { maxMessageSize: 1024 } })
    const big = await send(t, 'TopicC', Buffer.alloc(1025))
    expect(big.code).toBe(ResponseCode.MESSAGE_ILLEGAL)
    expect(big.remark).toMatch(/1025.*maxMessageSize 1024/)
    expect((await send(t, 'TopicC', Buffer.alloc(1024))).code).toBe(ResponseCode.SUCCESS)
    const bad = await send(t, 'bad topic!', 'x')
    expect(bad.code).toBe(ResponseCode.MESSAGE_ILLEGAL)
    expect(bad.remark).toContain('bad topic!')
    expect(bad.extFields).toMatchObject({ MSG_REGION: 'DefaultRegion', TRACE_ON: 'true' })
    const forbidden = await send(t, 'SCHEDULE_TOPIC_XXXX', 'x')
    expect(forbidden.code).toBe(ResponseCode.NO_PERMISSION)
  })

  it('enforces the real default maxMessageSize of 4194304 bytes', async () => {
    t = await startBroker()
    expect(t.broker.config.maxMessageSize).toBe(4194304)
    const response = await send(t, 'TopicBig', Buffer.alloc(4194305))
    expect(response.code).toBe(ResponseCode.MESSAGE_ILLEGAL)
    expect(response.remark).toContain('4194304')
  })

  it('answers TOPIC_NOT_EXIST (17) with a remark when autoCreateTopicEnable=false', async () => {
    t = await startBroker({ config: { autoCreateTopicEnable: false } })
    const response = await send(t, 'NoSuchTopic', 'x')
    expect(response.code).toBe(ResponseCode.TOPIC_NOT_EXIST)
    expect(response.remark).toContain('NoSuchTopic')
    expect(response.remark).toContain('autoCreateTopicEnable=false')
    expect(t.broker.topicConfigManager.selectTopicConfig('NoSuchTopic')).toBeUndefined()
  })

  it('answers SYSTEM_ERROR for a queueId out of range and for a missing header field', async () => {
    t = await startBroker()
    await send(t, 'TopicQ', 'x')
    const response = await send(t, 'TopicQ', 'x', { queueId: 9 })
    expect(response.code).toBe(ResponseCode.SYSTEM_ERROR)
    expect(response.remark).toContain('queueId[9] is illegal')
    const { b: _b, ...missing } = sendV2Ext('TopicQ')
    const bad = await t.invoke(RequestCode.SEND_MESSAGE_V2, missing, Buffer.from('x'))
    expect(bad.code).toBe(ResponseCode.SYSTEM_ERROR)
    expect(bad.remark).toBe('the custom field b is null')
  })

  it('answers REQUEST_CODE_NOT_SUPPORTED (3) for an unknown code', async () => {
    t = await startBroker()
    const response = await t.client.invoke(t.addr, createRequest(9999, {}), { timeoutMs: 5000 })
    expect(response.code).toBe(ResponseCode.REQUEST_CODE_NOT_SUPPORTED)
    expect(response.remark).toBe(' request type 9999 not supported')
  })

  it('diverts a %RETRY% send with reconsumeTimes >= max to %DLQ%<group> and rejects half messages', async () => {
    t = await startBroker()
    const response = await send(t, '%RETRY%G1', 'again', { reconsumeTimes: 3, maxReconsumeTimes: 3, properties: { DELAY: '5', RETRY_TOPIC: 'T' } })
    expect(response.code).toBe(ResponseCode.SUCCESS)
    const [dlq] = records(await pull(t, 'G1', '%DLQ%G1', 0, 0))
    expect(dlq).toMatchObject({ topic: '%DLQ%G1', reconsumeTimes: 3 })
    expect(dlq!.properties.DELAY).toBeUndefined()
    expect(dlq!.properties.RETRY_TOPIC).toBe('T')
    const half = await send(t, 'TopicTx', 'x', { properties: { TRAN_MSG: 'true', PGROUP: 'PG' } })
    expect(half.code).toBe(ResponseCode.NO_PERMISSION)
  })
})

describe('SendMessageProcessor when the store refuses puts', () => {
  it('answers 14 SERVICE_NOT_AVAILABLE naming the full disk, and stores again once usage drops', async () => {
    let usage = 96.5
    const store = new MemoryMessageStore({ diskUsage: async () => usage })
    t = await startBroker({ store })
    expect(store.diskFull).toBe(true)
    const refused = await send(t, 'T', 'x')
    expect(refused.code).toBe(ResponseCode.SERVICE_NOT_AVAILABLE)
    expect(refused.remark).toMatch(/^service not available now\. It may be caused by one of the following reasons: the broker's disk is full \[disk usage 96\.50%\], messages are put to the slave/)
    expect(refused.remark).toMatch(/diskSpaceWarningLevelRatio 90/)
    expect(store.getMaxOffsetInQueue('T', 0)).toBe(0)
    usage = 40
    await store.deleteExpiredFiles()
    expect(store.diskFull).toBe(false)
    expect((await send(t, 'T', 'x')).code).toBe(ResponseCode.SUCCESS)
  })

  it('answers 14 with the store reason when the store is closed', async () => {
    t = await startBroker()
    await t.broker.store.close()
    const response = await send(t, 'T', 'x')
    expect(response.code).toBe(ResponseCode.SERVICE_NOT_AVAILABLE)
    expect(response.remark).toMatch(/message store has been shut down, etc\. \(message store is not available: .*closed/)
  })
})
