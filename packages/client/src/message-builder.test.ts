import { inflateSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { MQClientError, decodeProperties } from '@cometmq/protocol'
import { prepareMessage } from './message-builder.js'

const limits = { maxMessageSize: 1024, compressMsgBodyOverHowmuch: 64 }

function illegal(fn: () => unknown, text: string): void {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(MQClientError)
    expect((error as MQClientError).code).toBe('MESSAGE_ILLEGAL')
    expect((error as Error).message).toContain(text)
    return
  }
  throw new Error('expected MESSAGE_ILLEGAL')
}

describe('prepareMessage', () => {
  it('builds TAGS, KEYS, WAIT, UNIQ_KEY, DELAY and user properties', () => {
    const p = prepareMessage({ topic: 'T', body: 'hi', tags: 'TagA', keys: ['k1', 'k2'], delayTimeLevel: 3, properties: { color: 'red' }, flag: 7 }, limits)
    const props = decodeProperties(p.properties)
    expect(props).toMatchObject({ TAGS: 'TagA', KEYS: 'k1 k2', WAIT: 'true', DELAY: '3', color: 'red' })
    expect(props.UNIQ_KEY).toMatch(/^[0-9A-F]{32}$/)
    expect(p.uniqKey).toBe(props.UNIQ_KEY)
    expect(p.flag).toBe(7)
    expect(p.sysFlag).toBe(0)
    expect(p.body.toString()).toBe('hi')
  })

  it('keeps an existing UNIQ_KEY and moves retry counters into header fields', () => {
    const p = prepareMessage({ topic: '%RETRY%G', body: 'x', properties: { UNIQ_KEY: 'ABC', RECONSUME_TIME: '2', MAX_RECONSUME_TIMES: '16' } }, limits)
    expect(p.uniqKey).toBe('ABC')
    expect(p.reconsumeTimes).toBe(2)
    expect(p.maxReconsumeTimes).toBe(16)
    const props = decodeProperties(p.properties)
    expect(props.RECONSUME_TIME).toBeUndefined()
    expect(props.MAX_RECONSUME_TIMES).toBeUndefined()
  })

  it('deflates bodies at or above the threshold and sets sysFlag bit 0', () => {
    const body = Buffer.alloc(64, 'a')
    const p = prepareMessage({ topic: 'T', body }, limits)
    expect(p.sysFlag & 1).toBe(1)
    expect(inflateSync(p.body).equals(body)).toBe(true)
    expect(prepareMessage({ topic: 'T', body: Buffer.alloc(63, 'a') }, limits).sysFlag).toBe(0)
  })

  it('rejects bad topics, empty or oversized bodies and separator characters', () => {
    illegal(() => prepareMessage({ topic: 'bad topic', body: 'x' }, limits), 'illegal characters')
    illegal(() => prepareMessage({ topic: '', body: 'x' }, limits), 'blank')
    illegal(() => prepareMessage({ topic: 'x'.repeat(128), body: 'x' }, limits), 'longer than')
    illegal(() => prepareMessage({ topic: 'SCHEDULE_TOPIC_XXXX', body: 'x' }, limits), 'forbidden')
    illegal(() => prepareMessage({ topic: 'T', body: '' }, limits), 'length is zero')
    illegal(() => prepareMessage({ topic: 'T', body: Buffer.alloc(1025) }, limits), 'MAX: 1024')
    illegal(() => prepareMessage({ topic: 'T', body: 'x', properties: { 'a\u0001': 'b' } }, limits), 'U+0001')
    illegal(() => prepareMessage({ topic: 'T', body: 'x', delayTimeLevel: -1 }, limits), 'delayTimeLevel')
  })
})
