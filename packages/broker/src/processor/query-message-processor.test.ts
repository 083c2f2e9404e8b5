import { afterEach, describe, expect, it } from 'vitest'
import { RequestCode, ResponseCode, decodeOffsetMsgId } from '@cometmq/protocol'
import type { RemotingCommand } from '@cometmq/protocol'
import { MemoryMessageStore } from '@cometmq/store'
import { heartbeatBody, pull, records, send, startBroker } from '../__fixtures__/harness.js'
import type { TestBroker } from '../__fixtures__/harness.js'
import { QUERY_NOT_FOUND_REMARK } from './query-message-processor.js'

let t: TestBroker | undefined
afterEach(async () => {
  await t?.stop()
  t = undefined
})

const LONG_MAX = '9223372036854775807'

function query(broker: TestBroker, fields: Record<string, string | number | boolean | undefined>): Promise<RemotingCommand> {
  return broker.invoke(RequestCode.QUERY_MESSAGE, { topic: 'T', maxNum: 32, beginTimestamp: 0, endTimestamp: LONG_MAX, ...fields })
}

function commitLogOffsetOf(sent: RemotingCommand): number {
  return decodeOffsetMsgId(sent.extFields.msgId!).commitLogOffset
}

describe('QueryMessageProcessor: QUERY_MESSAGE (12)', () => {
  it('returns the records carrying a KEYS word in the topic, newest first, with the index header', async () => {
    t = await startBroker()
    const a = await send(t, 'T', 'a', { properties: { KEYS: 'order-1 x' } })
    await send(t, 'T', 'not me', { properties: { KEYS: 'order-10' } })
    await send(t, 'Other', 'other topic', { properties: { KEYS: 'order-1' } })
    const b = await send(t, 'T', 'b', { queueId: 2, properties: { KEYS: 'y order-1' } })
    const response = await query(t, { key: 'order-1' })
    expect(response.code).toBe(ResponseCode.SUCCESS)
    expect(response.remark).toBeNull()
    const found = records(response)
    expect(found.map((m) => m.body.toString())).toEqual(['b', 'a'])
    expect(found.map((m) => m.commitLogOffset)).toEqual([commitLogOffsetOf(b), commitLogOffsetOf(a)])
    expect(Number(response.extFields.indexLastUpdateTimestamp)).toBeGreaterThanOrEqual(found[0]!.storeTimestamp)
    expect(Number(response.extFields.indexLastUpdatePhyoffset)).toBeGreaterThanOrEqual(commitLogOffsetOf(b))
    // maxNum caps the answer
    expect(records(await query(t, { key: 'order-1', maxNum: 1 })).map((m) => m.body.toString())).toEqual(['b'])
  })

  it('uses defaultQueryMaxNum instead of maxNum when _UNIQUE_KEY_QUERY is exactly "true"', async () => {
    t = await startBroker({ config: { defaultQueryMaxNum: 2 } })
    for (const body of ['1', '2', '3']) await send(t, 'T', body, { properties: { UNIQ_KEY: 'C0A8000100002A9F0000000000000001' } })
    const unique = await query(t, { key: 'C0A8000100002A9F0000000000000001', maxNum: 1, _UNIQUE_KEY_QUERY: 'true' })
    expect(records(unique).map((m) => m.body.toString())).toEqual(['3', '2'])
    const notFlagged = await query(t, { key: 'C0A8000100002A9F0000000000000001', maxNum: 1, _UNIQUE_KEY_QUERY: 'TRUE' })
    expect(records(notFlagged)).toHaveLength(1)
  })

  it('answers 22 QUERY_NOT_FOUND for an unknown key, a time window without the message, or maxNum 0', async () => {
    t = await startBroker()
    const sent = await send(t, 'T', 'x', { properties: { KEYS: 'k' } })
    const [stored] = records(await query(t, { key: 'k' }))
    expect(stored?.commitLogOffset).toBe(commitLogOffsetOf(sent))
    for (const fields of [{ key: 'unknown' }, { key: 'k', endTimestamp: stored!.storeTimestamp - 1 }, { key: 'k', beginTimestamp: stored!.storeTimestamp + 1 }, { key: 'k', maxNum: 0 }, { key: 'k', topic: 'Other' }]) {
      const response = await query(t, fields)
      expect(response.code, JSON.stringify(fields)).toBe(ResponseCode.QUERY_NOT_FOUND)
      expect(response.remark).toBe(QUERY_NOT_FOUND_REMARK)
      expect(response.body).toBeNull()
      expect(response.extFields).toHaveProperty('indexLastUpdateTimestamp')
    }
    // the window is inclusive at both ends
    expect(records(await query(t, { key: 'k', beginTimestamp: stored!.storeTimestamp, endTimestamp: stored!.storeTimestamp }))).toHaveLength(1)
  })

  it('rejects a request without a required header field like any bad header (1 naming the field)', async () => {
    t = await startBroker()
    const response = await t.invoke(RequestCode.QUERY_MESSAGE, { topic: 'T', key: 'k', maxNum: 32, beginTimestamp: 0 })
    expect(response.code).toBe(ResponseCode.SYSTEM_ERROR)
    expect(response.remark).toBe('the custom field endTimestamp is null')
    const bad = await t.invoke(RequestCode.QUERY_MESSAGE, { topic: 'T', key: 'k', maxNum: 32, beginTimestamp: 0, endTimestamp: '9223372036854775808' })
    expect(bad.code).toBe(ResponseCode.SYSTEM_ERROR)
    expect(bad.remark).toMatch(/endTimestamp/)
  })
})

describe('QueryMessageProcessor: VIEW_MESSAGE_BY_ID (33)', () => {
  it('returns the record at a commit-log offset, and 1 "can not find message by the offset" elsewhere', async () => {
    t = await startBroker()
    await send(t, 'T', 'first')
    const second = await send(t, 'T', 'second', { properties: { KEYS: 'k' } })
    const offset = commitLogOffsetOf(second)
    const view = await t.invoke(RequestCode.VIEW_MESSAGE_BY_ID, { offset })
    expect(view.code).toBe(ResponseCode.SUCCESS)
    expect(records(view).map((m) => [m.body.toString(), m.commitLogOffset])).toEqual([['second', offset]])
    for (const missing of [offset + 1, 1 << 30, -1]) {
      const response = await t.invoke(RequestCode.VIEW_MESSAGE_BY_ID, { offset: missing })
      expect(response.code).toBe(ResponseCode.SYSTEM_ERROR)
      expect(response.remark).toBe(`can not find message by the offset, ${missing}`)
    }
  })
})

describe('after retention deleted the oldest segments', () => {
  it('lookups miss deleted records, pulls below the min offset get 21 with nextBeginOffset = min, committed offsets stay', async () => {
    const store = new MemoryMessageStore({ mappedFileSizeCommitLog: 4096 })
    t = await startBroker({ store })
    const sent: RemotingCommand[] = []
    for (let i = 0; i < 12; i++) sent.push(await send(t, 'T', `m${i}`.padEnd(1000, '.'), { properties: { KEYS: `k${i} all` } }))
    await t.invoke(RequestCode.UPDATE_CONSUMER_OFFSET, { consumerGroup: 'G', topic: 'T', queueId: 0, commitOffset: 1 })
    const report = await store.deleteExpiredFiles({ now: Date.now() + 73 * 3_600_000 })
    expect(report.deletedSegments).toBeGreaterThan(0)
    const min = store.getMinOffsetInQueue('T', 0)
    expect(min).toBeGreaterThan(1)
    expect(min).toBeLessThan(12)

    const deleted = await t.invoke(RequestCode.VIEW_MESSAGE_BY_ID, { offset: commitLogOffsetOf(sent[0]!) })
    expect(deleted.code).toBe(ResponseCode.SYSTEM_ERROR)
    expect(deleted.remark).toBe(`can not find message by the offset, ${commitLogOffsetOf(sent[0]!)}`)
    expect((await query(t, { key: 'k0' })).code).toBe(ResponseCode.QUERY_NOT_FOUND)
    const retained = records(await query(t, { key: 'all' }))
    expect(retained.map((m) => m.queueOffset).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 - min }, (_, i) => min + i))

    await t.invoke(RequestCode.HEART_BEAT, {}, heartbeatBody('c@1', 'G', [{ topic: 'T' }]))
    const below = await pull(t, 'G', 'T', 0, 1)
    expect(below.code).toBe(ResponseCode.PULL_OFFSET_MOVED)
    expect(below.extFields).toMatchObject({ nextBeginOffset: String(min), minOffset: String(min), maxOffset: '12' })
    const atMin = await pull(t, 'G', 'T', 0, min)
    expect(records(atMin).map((m) => m.body.toString().replace(/\.+$/, ''))).toEqual(Array.from({ length: 12 - min }, (_, i) => `m${min + i}`))

    // RocketMQ 4.9 ConsumerManageProcessor: a committed offset is returned as is (the pull corrects it); a group
    // without one gets 22 once the queue's min offset is above 0, so the client applies consumeFromWhere.
    const committed = await t.invoke(RequestCode.QUERY_CONSUMER_OFFSET, { consumerGroup: 'G', topic: 'T', queueId: 0 })
    expect(committed.extFields.offset).toBe('1')
    const fresh = await t.invoke(RequestCode.QUERY_CONSUMER_OFFSET, { consumerGroup: 'NEW', topic: 'T', queueId: 0 })
    expect(fresh.code).toBe(ResponseCode.QUERY_NOT_FOUND)
  })
})
