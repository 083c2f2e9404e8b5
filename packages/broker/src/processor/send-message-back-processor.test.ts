import { afterEach, describe, expect, it } from 'vitest'
import { RequestCode, ResponseCode, decodeOffsetMsgId } from '@cometmq/protocol'
import { pull, records, send, startBroker } from '../__fixtures__/harness.js'
import type { TestBroker } from '../__fixtures__/harness.js'

let t: TestBroker | undefined
afterEach(async () => {
  await t?.stop()
  t = undefined
})

function sendBack(t: TestBroker, offset: number, options: { delayLevel?: number; maxReconsumeTimes?: number } = {}) {
  return t.invoke(RequestCode.CONSUMER_SEND_MSG_BACK, {
    offset,
    group: 'G',
    delayLevel: options.delayLevel ?? 0,
    originMsgId: 'ORIGIN',
    originTopic: 'Orders',
    unitMode: false,
    maxReconsumeTimes: options.maxReconsumeTimes ?? 16,
  })
}

describe('SendMessageBackProcessor', () => {
  it('copies a failed message into %RETRY%<group> with RETRY_TOPIC, ORIGIN_MESSAGE_ID, DELAY and reconsumeTimes + 1', async () => {
    t = await startBroker()
    const sent = await send(t, 'Orders', 'order-1', { properties: { TAGS: 'paid', KEYS: 'k' } })
    const { commitLogOffset } = decodeOffsetMsgId(sent.extFields.msgId!)
    const response = await sendBack(t, commitLogOffset)
    expect(response.code).toBe(ResponseCode.SUCCESS)

    const [retry] = records(await pull(t, 'G', '%RETRY%G', 0, 0))
    expect(retry).toMatchObject({ topic: '%RETRY%G', queueId: 0, reconsumeTimes: 1 })
    expect(retry!.body.toString()).toBe('order-1')
    expect(retry!.properties).toMatchObject({ RETRY_TOPIC: 'Orders', ORIGIN_MESSAGE_ID: sent.extFields.msgId, DELAY: '3', TAGS: 'paid', KEYS: 'k', CLUSTER: 'DefaultCluster' })

    // second failure: ORIGIN_MESSAGE_ID and RETRY_TOPIC are kept, DELAY grows
    const again = await sendBack(t, retry!.commitLogOffset)
    expect(again.code).toBe(ResponseCode.SUCCESS)
    const [, second] = records(await pull(t, 'G', '%RETRY%G', 0, 0))
    expect(second).toMatchObject({ reconsumeTimes: 2 })
    expect(second!.properties).toMatchObject({ RETRY_TOPIC: 'Orders', ORIGIN_MESSAGE_ID: sent.extFields.msgId, DELAY: '4' })
  })

  it('sends to %DLQ%<group> after maxReconsumeTimes, or straight away for delayLevel < 0', async () => {
    t = await startBroker()
    const sent = await send(t, 'Orders', 'poison')
    const { commitLogOffset } = decodeOffsetMsgId(sent.extFields.msgId!)
    await sendBack(t, commitLogOffset, { maxReconsumeTimes: 1 })
    const [retry] = records(await pull(t, 'G', '%RETRY%G', 0, 0))
    expect((await sendBack(t, retry!.commitLogOffset, { maxReconsumeTimes: 1 })).code).toBe(ResponseCode.SUCCESS)
    const [dead] = records(await pull(t, 'G', '%DLQ%G', 0, 0))
    expect(dead).toMatchObject({ topic: '%DLQ%G', reconsumeTimes: 2 })
    expect(dead!.properties.DELAY).toBeUndefined()
    expect(dead!.properties.RETRY_TOPIC).toBe('Orders')
    expect(t.broker.topicConfigManager.selectTopicConfig('%DLQ%G')).toMatchObject({ readQueueNums: 1, perm: 6 })

    await sendBack(t, commitLogOffset, { delayLevel: -1 })
    expect(records(await pull(t, 'G', '%DLQ%G', 0, 1))).toHaveLength(1)
  })

  it('answers SYSTEM_ERROR when no message starts at the offset, 26 when the group cannot be created', async () => {
    t = await startBroker()
    const missing = await sendBack(t, 123456)
    expect(missing.code).toBe(ResponseCode.SYSTEM_ERROR)
    expect(missing.remark).toBe('look message by offset failed, 123456')
    await t.stop()
    t = await startBroker({ config: { autoCreateSubscriptionGroup: false } })
    expect((await sendBack(t, 0)).code).toBe(ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST)
  })
})
