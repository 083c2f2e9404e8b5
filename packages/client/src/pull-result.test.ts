import { deflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { decodeMessageRecord, encodeMessageRecord, encodeProperties, noopLogger } from '@cometmq/protocol'
import { processPullBody, toConsumedMessage } from './pull-result.js'

function record(queueOffset: number, props: Record<string, string>, body: Buffer = Buffer.from(`m${queueOffset}`), topic = 'T', sysFlag = 0): Buffer {
  return encodeMessageRecord({
    topic, queueId: 1, flag: 0, body, propertiesString: encodeProperties(props), sysFlag, bornTimestamp: 1, bornHost: { host: '127.0.0.1', port: 1 },
    storeHost: { host: '127.0.0.1', port: 10911 }, reconsumeTimes: 0, preparedTransactionOffset: 0, queueOffset, commitLogOffset: queueOffset * 100, storeTimestamp: 2,
  })
}

describe('processPullBody', () => {
  it('re-filters by tag on the client (hash collisions, untagged messages)', () => {
    const body = Buffer.concat([record(0, { TAGS: 'TagA' }), record(1, { TAGS: 'TagB' }), record(2, {}), record(3, { TAGS: 'TagC' })])
    const kept = processPullBody(body, 'broker-a', { tagsSet: ['TagA', 'TagC'] }, noopLogger)
    expect(kept.map((m) => m.queueOffset)).toEqual([0, 3])
    expect(processPullBody(body, 'broker-a', { tagsSet: [] }, noopLogger)).toHaveLength(4)
  })

  it('exposes msgId (UNIQ_KEY), offsetMsgId, tags, keys and brokerName', () => {
    const [m] = processPullBody(record(5, { UNIQ_KEY: 'U1', TAGS: 'A', KEYS: 'k1 k2' }), 'broker-a', { tagsSet: [] }, noopLogger)
    expect(m).toMatchObject({ msgId: 'U1', tags: 'A', keys: ['k1', 'k2'], brokerName: 'broker-a', queueOffset: 5 })
    expect(m?.offsetMsgId).toMatch(/^7F00000100002A9F/)
    const [n] = processPullBody(record(6, {}), 'broker-a', { tagsSet: [] }, noopLogger)
    expect(n?.msgId).toBe(n?.offsetMsgId)
  })

  it('inflates compressed bodies and clears the flag', () => {
    const original = Buffer.alloc(5000, 'z')
    const [m] = processPullBody(record(0, {}, deflateSync(original), 'T', 1), 'b', { tagsSet: [] }, noopLogger)
    expect(m?.body.equals(original)).toBe(true)
    expect((m?.sysFlag ?? 1) & 1).toBe(0)
  })

  it('builds the same messages as toConsumedMessage, with bodies that are views into the pull body', () => {
    const records = [record(0, { UNIQ_KEY: 'U0', TAGS: 'A', KEYS: 'k1  k2' }), record(1, {}), record(2, { TAGS: 'B' }, deflateSync(Buffer.from('zipped')), 'T', 1)]
    const body = Buffer.concat(records)
    const messages = processPullBody(body, 'broker-a', { tagsSet: [] }, noopLogger)
    let offset = 0
    messages.forEach((message, i) => {
      const decoded = decodeMessageRecord(body, offset)
      const before = { ...decoded }
      const expected = toConsumedMessage(decoded, 'broker-a', noopLogger)
      expect(decoded).toStrictEqual(before)
      expect(message).toStrictEqual(expected)
      expect(Object.keys(message)).toEqual(Object.keys(expected))
      offset += records[i]!.length
    })
    expect(Object.keys(messages[0]!).slice(-5)).toEqual(['msgId', 'offsetMsgId', 'brokerName', 'tags', 'keys'])
    expect(messages[0]!.keys).toEqual(['k1', 'k2'])
    expect(messages[0]!.body.buffer).toBe(body.buffer)
    expect(messages[1]!.body.byteOffset).toBe(body.byteOffset + records[0]!.length + 88)
    expect(messages[2]!.body.toString()).toBe('zipped')
    expect(messages[2]!.sysFlag & 1).toBe(0)
  })

  it('restores the original topic of retry deliveries', () => {
    const body = record(0, { RETRY_TOPIC: 'Orders' }, Buffer.from('x'), '%RETRY%G')
    expect(processPullBody(body, 'b', { tagsSet: [] }, noopLogger, '%RETRY%G')[0]?.topic).toBe('Orders')
    expect(processPullBody(body, 'b', { tagsSet: [] }, noopLogger)[0]?.topic).toBe('%RETRY%G')
  })
})
