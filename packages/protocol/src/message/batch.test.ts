import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeBatchMessages, encodeBatchMessages } from './batch.js'
import { MessageDecodeError } from './message-decode-error.js'

describe('batch body', () => {
  it('has the MessageDecoder.encodeMessage layout', () => {
    const buf = encodeBatchMessages([{ flag: 7, body: Buffer.from('hi'), properties: { TAGS: 'A' } }])
    expect(buf.toString('hex')).toBe(
      '0000001e' + '00000000' + '00000000' + '00000007' + '00000002' + '6869' + '0006' + Buffer.from('TAGS\x01A').toString('hex'),
    )
    expect(buf.length).toBe(30)
  })

  it('round-trips any list of messages', () => {
    const message = fc.record({
      flag: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      body: fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
      properties: fc.dictionary(
        fc.string({ unit: 'grapheme', minLength: 1 }).filter((s) => !/[\x01\x02]/.test(s) && s !== '__proto__'),
        fc.string({ unit: 'grapheme', minLength: 1 }).filter((s) => !s.includes('\x02')),
      ),
    })
    fc.assert(
      fc.property(fc.array(message, { maxLength: 8 }), (messages) => {
        const decoded = decodeBatchMessages(encodeBatchMessages(messages))
        expect(decoded.map((m) => ({ ...m, properties: { ...m.properties } }))).toEqual(messages)
      }),
    )
  })

  it('throws MessageDecodeError on truncated or inconsistent entries', () => {
    const buf = encodeBatchMessages([{ flag: 0, body: Buffer.from('abc'), properties: { A: 'b' } }])
    expect(() => decodeBatchMessages(buf.subarray(0, buf.length - 1))).toThrow(MessageDecodeError)
    expect(() => decodeBatchMessages(buf.subarray(0, 10))).toThrow(MessageDecodeError)
    const bad = Buffer.from(buf)
    bad.writeInt32BE(100, 16)
    expect(() => decodeBatchMessages(bad)).toThrow(MessageDecodeError)
    const wrongTotal = Buffer.concat([buf, Buffer.alloc(1)])
    wrongTotal.writeInt32BE(buf.length + 1, 0)
    expect(() => decodeBatchMessages(wrongTotal)).toThrow(MessageDecodeError)
  })
})
