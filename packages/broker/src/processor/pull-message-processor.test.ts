import { afterEach, describe, expect, it } from 'vitest'
import { RequestCode, ResponseCode, createRequest, decodeCommand } from '@cometmq/protocol'
import { fixture, heartbeatBody, nextSuspend, pull, pullExt, rawExchange, records, send, startBroker } from '../__fixtures__/harness.js'
import type { TestBroker } from '../__fixtures__/harness.js'
import { pullStatusToCode } from './pull-message-processor.js'

let t: TestBroker | undefined
afterEach(async () => {
  await t?.stop()
  t = undefined
})

const FOUR_FIELDS = ['suggestWhichBrokerId', 'nextBeginOffset', 'minOffset', 'maxOffset']

describe('PullMessageProcessor', () => {
  it('maps store statuses to response codes (§7.5)', () => {
    expect(pullStatusToCode('FOUND', 5)).toBe(0)
    expect(pullStatusToCode('NO_MATCHED_MESSAGE', 5)).toBe(20)
    expect(pullStatusToCode('MESSAGE_WAS_REMOVING', 5)).toBe(20)
    expect(pullStatusToCode('NO_MESSAGE_IN_QUEUE', 0)).toBe(19)
    expect(pullStatusToCode('NO_MESSAGE_IN_QUEUE', 3)).toBe(21)
    expect(pullStatusToCode('NO_MATCHED_LOGIC_QUEUE', 0)).toBe(19)
    expect(pullStatusToCode('OFFSET_OVERFLOW_ONE', 5)).toBe(19)
    expect(pullStatusToCode('OFFSET_FOUND_NULL', 5)).toBe(19)
    expect(pullStatusToCode('OFFSET_TOO_SMALL', 5)).toBe(21)
    expect(pullStatusToCode('OFFSET_OVERFLOW_BADLY', 5)).toBe(21)
  })

  it('returns 19 / 21 with all four offsets and the status as remark', async () => {
    t = await startBroker()
    await send(t, 'T', 'a')
    const caughtUp = await pull(t, 'G', 'T', 0, 1)
    expect(caughtUp.code).toBe(ResponseCode.PULL_NOT_FOUND)
    expect(caughtUp.remark).toBe('OFFSET_OVERFLOW_ONE')
    expect(caughtUp.extFields).toEqual({ suggestWhichBrokerId: '0', nextBeginOffset: '1', minOffset: '0', maxOffset: '1' })
    const badly = await pull(t, 'G', 'T', 0, 7)
    expect(badly.code).toBe(ResponseCode.PULL_OFFSET_MOVED)
    expect(badly.extFields.nextBeginOffset).toBe('1')
    const unknownTopic = await pull(t, 'G', 'Nope', 0, 0)
    expect(unknownTopic.code).toBe(ResponseCode.TOPIC_NOT_EXIST)
    expect(Object.keys(unknownTopic.extFields).sort()).toEqual([...FOUR_FIELDS].sort())
    const badQueue = await pull(t, 'G', 'T', 4, 0)
    expect(badQueue.code).toBe(ResponseCode.SYSTEM_ERROR)
    expect(badQueue.remark).toContain('queueId[4] is illegal')
  })

  it('long poll: answers on message arrival with the original opaque', async () => {
    t = await startBroker()
    await send(t, 'LP', 'seed', { queueId: 0 })
    const request = createRequest(RequestCode.PULL_MESSAGE, pullExt('G', 'LP', 0, 1, { suspendMs: 20_000 }))
    const parked = nextSuspend(t.broker)
    const pending = t.client.invoke(t.addr, request, { timeoutMs: 25_000 })
    await parked
    expect(t.broker.pullRequestHoldService.size).toBe(1)
    await send(t, 'LP', 'arrived', { queueId: 0 })
    const response = await pending
    expect(response.opaque).toBe(request.opaque)
    expect(response.code).toBe(ResponseCode.SUCCESS)
    expect(records(response).map((r) => r.body.toString())).toEqual(['arrived'])
    expect(response.extFields.nextBeginOffset).toBe('2')
    expect(t.broker.pullRequestHoldService.size).toBe(0)
  })

  it('long poll: answers PULL_NOT_FOUND with four offsets at suspendTimeoutMillis', async () => {
    t = await startBroker()
    await send(t, 'LPT', 'x', { queueId: 2 })
    const request = createRequest(RequestCode.PULL_MESSAGE, pullExt('G', 'LPT', 1, 0, { suspendMs: 150 }))
    const response = await t.client.invoke(t.addr, request, { timeoutMs: 10_000 })
    expect(response.opaque).toBe(request.opaque)
    expect(response.code).toBe(ResponseCode.PULL_NOT_FOUND)
    expect(response.extFields).toEqual({ suggestWhichBrokerId: '0', nextBeginOffset: '0', minOffset: '0', maxOffset: '0' })
    expect(response.remark).toBe('NO_MESSAGE_IN_QUEUE')
  })

  it('filters by tag, and a parked tag subscription ignores non-matching arrivals', async () => {
    t = await startBroker()
    for (const tag of ['TagA', 'TagB', 'TagA']) await send(t, 'Tags', tag, { properties: { TAGS: tag } })
    await send(t, 'Tags', 'untagged')
    const filtered = await pull(t, 'G', 'Tags', 0, 0, { subscription: 'TagA' })
    expect(records(filtered).map((r) => r.queueOffset)).toEqual([0, 2])
    expect(filtered.extFields.nextBeginOffset).toBe('4')
    const both = await pull(t, 'G', 'Tags', 0, 0, { subscription: 'TagA || TagB' })
    expect(records(both).map((r) => r.queueOffset)).toEqual([0, 1, 2])
    const none = await pull(t, 'G', 'Tags', 0, 0, { subscription: 'TagC' })
    expect(none.code).toBe(ResponseCode.PULL_RETRY_IMMEDIATELY)
    expect(none.remark).toBe('NO_MATCHED_MESSAGE')

    const request = createRequest(RequestCode.PULL_MESSAGE, pullExt('G', 'Tags', 0, 4, { subscription: 'TagC', suspendMs: 20_000 }))
    const parked = nextSuspend(t.broker)
    const pending = t.client.invoke(t.addr, request, { timeoutMs: 25_000 })
    await parked
    await send(t, 'Tags', 'b', { properties: { TAGS: 'TagB' } })
    expect(t.broker.pullRequestHoldService.size).toBe(1)
    await send(t, 'Tags', 'c', { properties: { TAGS: 'TagC' } })
    const response = await pending
    expect(records(response).map((r) => [r.queueOffset, r.body.toString()])).toEqual([[5, 'c']])
  })

  it('uses the subscription stored by HEART_BEAT; 24 without one, 25 when older than the pull', async () => {
    t = await startBroker()
    await send(t, 'HB', 'one', { properties: { TAGS: 'x' } })
    await send(t, 'HB', 'two', { properties: { TAGS: 'y' } })
    const noGroup = await pull(t, 'G', 'HB', 0, 0, { withSubscription: false, subVersion: 100 })
    expect(noGroup.code).toBe(ResponseCode.SUBSCRIPTION_NOT_EXIST)
    expect(Object.keys(noGroup.extFields).sort()).toEqual([...FOUR_FIELDS].sort())

    const hb = await t.invoke(RequestCode.HEART_BEAT, {}, heartbeatBody('c1@1', 'G', [{ topic: 'Other', subVersion: 100 }]))
    expect(hb.code).toBe(ResponseCode.SUCCESS)
    expect((await pull(t, 'G', 'HB', 0, 0, { withSubscription: false, subVersion: 100 })).code).toBe(ResponseCode.SUBSCRIPTION_NOT_EXIST)

    await t.invoke(RequestCode.HEART_BEAT, {}, heartbeatBody('c1@1', 'G', [{ topic: 'HB', subString: 'y', subVersion: 100 }]))
    const stale = await pull(t, 'G', 'HB', 0, 0, { withSubscription: false, subVersion: 200 })
    expect(stale.code).toBe(ResponseCode.SUBSCRIPTION_NOT_LATEST)

    const ok = await pull(t, 'G', 'HB', 0, 0, { withSubscription: false, subVersion: 100 })
    expect(ok.code).toBe(ResponseCode.SUCCESS)
    expect(records(ok).map((r) => r.body.toString())).toEqual(['two'])
  })

  it('replays the captured Java PULL_MESSAGE frame (sysFlag 2: stored subscription)', async () => {
    t = await startBroker()
    for (let i = 0; i < 3; i++) await send(t, 'TopicTest', `m${i}`, { queueId: 3, properties: { TAGS: 'TagA' } })
    const frame = await fixture('11-PULL_MESSAGE.req.bin')
    const request = decodeCommand(frame.subarray(4))
    const hb = await t.invoke(RequestCode.HEART_BEAT, {}, heartbeatBody('192.0.2.2@1#2', request.extFields.consumerGroup!, [{ topic: 'TopicTest', subVersion: Number(request.extFields.subVersion) }]))
    expect(hb.code).toBe(ResponseCode.SUCCESS)
    const response = await rawExchange(t.broker.port, frame)
    expect(response.opaque).toBe(request.opaque)
    expect(response.code).toBe(ResponseCode.SUCCESS)
    expect(response.remark).toBe('FOUND')
    expect(response.extFields).toEqual({ suggestWhichBrokerId: '0', nextBeginOffset: '3', minOffset: '0', maxOffset: '3' })
    expect(records(response).map((r) => [r.queueId, r.queueOffset, r.body.toString()])).toEqual([
      [3, 0, 'm0'],
      [3, 1, 'm1'],
      [3, 2, 'm2'],
    ])
  })

  it('serves LITE_PULL_MESSAGE (361) like PULL_MESSAGE', async () => {
    t = await startBroker()
    await send(t, 'Lite', 'x')
    const response = await t.invoke(RequestCode.LITE_PULL_MESSAGE, { ...pullExt('G', 'Lite', 0, 0), sysFlag: 0x14 })
    expect(response.code).toBe(ResponseCode.SUCCESS)
    expect(records(response).map((r) => r.body.toString())).toEqual(['x'])
  })

  it('commits commitOffset on the first evaluation when the COMMIT_OFFSET bit is set', async () => {
    t = await startBroker()
    await send(t, 'CO', 'x')
    await pull(t, 'G', 'CO', 0, 0, { commitOffset: 1 })
    expect(t.broker.consumerOffsetManager.queryOffset('G', 'CO', 0)).toBe(1)
  })

  it('drops a parked request when its channel closes', async () => {
    t = await startBroker()
    await send(t, 'Drop', 'x')
    const parked = nextSuspend(t.broker)
    const pending = t.client.invoke(t.addr, createRequest(RequestCode.PULL_MESSAGE, pullExt('G', 'Drop', 0, 1, { suspendMs: 20_000 })), { timeoutMs: 25_000 })
    await parked
    t.client.closeChannel(t.addr)
    await expect(pending).rejects.toThrow()
    await send(t, 'Drop', 'y') // reconnects; must not fail on the dropped request
    expect(t.broker.pullRequestHoldService.size).toBe(0)
  })
})
