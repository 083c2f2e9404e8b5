import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { RemotingProtocolError } from './errors.js'
import { LanguageCode } from './language-code.js'
import {
  createRequest,
  createResponse,
  decodeCommand,
  encodeCommand,
  encodeCommandParts,
  isOneway,
  isResponse,
} from './remoting-command.js'
import type { RemotingCommand } from './remoting-command.js'

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex')
const withoutPrefix = (frame: Buffer): Buffer => frame.subarray(4)

function jsonFrame(header: string, body = Buffer.alloc(0)): Buffer {
  const headerBytes = Buffer.from(header)
  const frame = Buffer.alloc(8 + headerBytes.length + body.length)
  frame.writeInt32BE(4 + headerBytes.length + body.length, 0)
  frame.writeInt32BE(headerBytes.length, 4)
  headerBytes.copy(frame, 8)
  body.copy(frame, 8 + headerBytes.length)
  return frame
}

describe('createRequest / createResponse', () => {
  it('assigns increasing opaques and the defaults (JSON, version 401, JAVA)', () => {
    const a = createRequest(105, { topic: 'T', queueId: 3, unitMode: false, big: 12n, none: undefined, nil: null })
    const b = createRequest(105)
    expect(b.opaque).toBe(a.opaque + 1)
    expect(a).toMatchObject({ code: 105, language: 'JAVA', version: 401, flag: 0, remark: null, body: null, serializeType: 0 })
    expect(a.extFields).toEqual({ topic: 'T', queueId: '3', unitMode: 'false', big: '12' })
    expect(isResponse(a)).toBe(false)
    expect(isOneway(a)).toBe(false)
  })

  it('honours oneway, serializeType, version and language options', () => {
    const r = createRequest(15, {}, Buffer.from('x'), { oneway: true, serializeType: 1, version: 121, language: 'GO' })
    expect(r).toMatchObject({ flag: 2, serializeType: 1, version: 121, language: 'GO' })
    expect(isOneway(r)).toBe(true)
  })

  it('copies opaque and serializeType into the response and sets flag 1', () => {
    const request = createRequest(11, {}, null, { serializeType: 1 })
    const response = createResponse(request, 19, 'NO_MESSAGE_IN_QUEUE', { minOffset: 0 })
    expect(response).toMatchObject({ code: 19, opaque: request.opaque, flag: 1, serializeType: 1, remark: 'NO_MESSAGE_IN_QUEUE' })
    expect(response.extFields).toEqual({ minOffset: '0' })
    expect(isResponse(response)).toBe(true)
  })
})

describe('JSON codec', () => {
  it('emits the exact fastjson form of §1.3 (131-byte header, §1.6 b)', () => {
    const cmd = { ...createRequest(105, { topic: 'TopicTest' }), opaque: 0 }
    const frame = encodeCommand(cmd)
    const header = '{"code":105,"extFields":{"topic":"TopicTest"},"flag":0,"language":"JAVA","opaque":0,"serializeTypeCurrentRPC":"JSON","version":401}'
    expect(frame.subarray(0, 8)).toEqual(hex('00000087 00000083'))
    expect(frame.subarray(8).toString()).toBe(header)
  })

  it('always writes extFields and writes remark only when non-null', () => {
    const request = { ...createRequest(34), opaque: 7 }
    expect(encodeCommand(request).subarray(8).toString()).toBe(
      '{"code":34,"extFields":{},"flag":0,"language":"JAVA","opaque":7,"serializeTypeCurrentRPC":"JSON","version":401}',
    )
    const response = createResponse(request, 1, 'boom "quoted"\n')
    expect(encodeCommand(response).subarray(8).toString()).toContain('"opaque":7,"remark":"boom \\"quoted\\"\\n","serializeTypeCurrentRPC"')
  })

  it('accepts numbers/booleans in extFields, integer language, missing remark/extFields and unknown keys', () => {
    const frame = jsonFrame('{"opaque":9,"code":11,"language":9,"flag":0,"version":121,"extFields":{"queueId":0,"unitMode":false,"d":4,"gone":null},"zzz":{"a":1}}')
    const cmd = decodeCommand(withoutPrefix(frame))
    expect(cmd).toMatchObject({ code: 11, language: 'GO', version: 121, opaque: 9, flag: 0, remark: null, serializeType: 0, body: null })
    expect(cmd.extFields).toEqual({ queueId: '0', unitMode: 'false', d: '4' })
    const bare = decodeCommand(withoutPrefix(jsonFrame('{"code":0,"flag":1,"language":"NODE_JS","opaque":1,"remark":null,"extFields":null}')))
    expect(bare).toMatchObject({ remark: null, extFields: {}, language: 'NODE_JS', version: 0 })
  })

  it('decodes string-only extFields with any keys, including __proto__ and integer-like keys', () => {
    const cmd = decodeCommand(withoutPrefix(jsonFrame('{"code":11,"extFields":{"b":"2","__proto__":"p","1":"one","a":"\\u0001x"},"flag":0,"opaque":3}')))
    expect(Object.keys(cmd.extFields)).toEqual(['1', 'b', '__proto__', 'a'])
    expect(cmd.extFields.__proto__).toBe('p')
    expect(Object.getPrototypeOf(cmd.extFields)).toBe(Object.prototype)
    expect(cmd.extFields.a).toBe('\u0001x')
    expect(Object.entries(cmd.extFields)).toEqual([['1', 'one'], ['b', '2'], ['__proto__', 'p'], ['a', '\u0001x']])
  })

  it('keeps the body after the header as a view', () => {
    const frame = jsonFrame('{"code":310,"flag":0,"opaque":1}', Buffer.from('hello'))
    expect(decodeCommand(withoutPrefix(frame)).body?.toString()).toBe('hello')
  })

  it('rejects invalid JSON and non-object headers with RemotingProtocolError', () => {
    expect(() => decodeCommand(withoutPrefix(jsonFrame('{"code":')))).toThrow(RemotingProtocolError)
    expect(() => decodeCommand(withoutPrefix(jsonFrame('[1,2]')))).toThrow(RemotingProtocolError)
    expect(() => decodeCommand(withoutPrefix(jsonFrame('{"code":"abc"}')))).toThrow(RemotingProtocolError)
  })
})

describe('ROCKETMQ codec', () => {
  it('matches §1.6 (a) byte for byte', () => {
    const cmd = { ...createRequest(105, { topic: 'TopicTest' }, null, { serializeType: 1 }), opaque: 0 }
    const expected = hex(`0000002d 01000029 0069 00 0191 00000000 00000000 00000000 00000014
      0005 746f706963 00000009 546f70696354657374`)
    expect(encodeCommand(cmd)).toEqual(expected)
    expect(decodeCommand(withoutPrefix(expected))).toEqual({ ...cmd, remark: null })
  })

  it('matches §1.6 (c): error response with remark and no ext map', () => {
    const remark = 'No topic route info in name server for the topic: T1'
    const request = { ...createRequest(105, {}, null, { serializeType: 1 }), opaque: 7 }
    const frame = encodeCommand(createResponse(request, 17, remark))
    expect(frame.subarray(0, 26)).toEqual(hex('0000004d 01000049 0011 00 0191 00000007 00000001 00000034 4e'))
    expect(frame.subarray(frame.length - 4)).toEqual(hex('00000000'))
    expect(frame.length).toBe(4 + 0x4d)
  })

  it('matches §1.6 (d): SEND_MESSAGE_V2 with body', () => {
    const ext = { a: 'PG', b: 'T1', c: 'TBW102', d: '4', e: '0', f: '0', g: '1700000000000', h: '0', i: 'TAGS\x01A\x02', j: '0', k: 'false', m: 'false' }
    const cmd = { ...createRequest(310, ext, Buffer.from('hi'), { serializeType: 1 }), opaque: 42 }
    const frame = encodeCommand(cmd)
    expect(frame.subarray(0, 29)).toEqual(hex('0000009c 01000096 0136 00 0191 0000002a 00000000 00000000 00000081'))
    expect(frame.subarray(29, 38)).toEqual(hex('0001 61 00000002 5047'))
    expect(frame.length).toBe(4 + 0x9c)
    const decoded = decodeCommand(withoutPrefix(frame))
    expect(decoded.extFields).toEqual(ext)
    expect(decoded.body?.toString()).toBe('hi')
  })

  it('rejects remark/map lengths that run past the header', () => {
    const good = encodeCommand({ ...createRequest(105, { topic: 'TopicTest' }, null, { serializeType: 1 }), remark: 'r' })
    const badRemark = Buffer.from(good)
    badRemark.writeInt32BE(1000, 8 + 13)
    expect(() => decodeCommand(withoutPrefix(badRemark))).toThrow(RemotingProtocolError)
    const badMap = Buffer.from(good)
    badMap.writeInt32BE(1000, 8 + 17 + 1)
    expect(() => decodeCommand(withoutPrefix(badMap))).toThrow(RemotingProtocolError)
    const badKey = Buffer.from(good)
    badKey.writeInt16BE(200, 8 + 21 + 1)
    expect(() => decodeCommand(withoutPrefix(badKey))).toThrow(RemotingProtocolError)
  })

  it('refuses codes that do not fit int16 (POP codes need JSON)', () => {
    expect(() => encodeCommand(createRequest(200050, {}, null, { serializeType: 1 }))).toThrow(RemotingProtocolError)
    expect(decodeCommand(withoutPrefix(encodeCommand(createRequest(200050)))).code).toBe(200050)
  })
})

describe('frame checks', () => {
  it('rejects header length > length - 4 and unknown serialize types', () => {
    const frame = encodeCommand(createRequest(105, { topic: 'T' }))
    const tooLong = Buffer.from(frame)
    tooLong.writeInt32BE(frame.length, 4)
    expect(() => decodeCommand(withoutPrefix(tooLong))).toThrow(/exceeds frame length/)
    const badType = Buffer.from(frame)
    badType.writeUInt8(2, 4)
    expect(() => decodeCommand(withoutPrefix(badType))).toThrow(/unknown serialize type 2/)
    expect(() => decodeCommand(Buffer.alloc(3))).toThrow(RemotingProtocolError)
  })

  it('encodeCommandParts keeps large bodies separate and small ones inline', () => {
    const cmd = createRequest(310, { a: 'x' }, Buffer.alloc(100, 7))
    const inline = encodeCommandParts(cmd, 1000)
    expect(inline.body).toBeNull()
    expect(inline.head).toEqual(encodeCommand(cmd))
    const split = encodeCommandParts(cmd, 10)
    expect(Buffer.concat([split.head, split.body as Buffer])).toEqual(encodeCommand(cmd))
  })
})

const languageArb = fc.constantFrom(...Object.keys(LanguageCode))
const textArb = fc.string({ unit: 'grapheme', maxLength: 40 })
const commandArb = (serializeType: 0 | 1): fc.Arbitrary<RemotingCommand> =>
  fc.record({
    code: serializeType === 1 ? fc.integer({ min: -32768, max: 32767 }) : fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
    language: languageArb,
    version: serializeType === 1 ? fc.integer({ min: -32768, max: 32767 }) : fc.nat(),
    opaque: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
    flag: fc.integer({ min: 0, max: 3 }),
    remark: fc.option(textArb.filter((s) => s.length > 0), { nil: null }),
    extFields: fc.dictionary(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }), textArb, { maxKeys: 8 }),
    body: fc.option(fc.uint8Array({ minLength: 1, maxLength: 64 }).map((a) => Buffer.from(a)), { nil: null }),
    serializeType: fc.constant(serializeType),
  })

describe('property: encode/decode round trip', () => {
  for (const serializeType of [0, 1] as const) {
    it(`serializeType ${serializeType}`, () => {
      fc.assert(
        fc.property(commandArb(serializeType), (cmd) => {
          const frame = encodeCommand(cmd)
          expect(frame.readInt32BE(0)).toBe(frame.length - 4)
          expect(frame.readUInt8(4)).toBe(serializeType)
          const decoded = decodeCommand(withoutPrefix(frame))
          expect({ ...decoded, extFields: { ...decoded.extFields } }).toEqual({ ...cmd, extFields: { ...cmd.extFields } })
        }),
        { numRuns: 300 },
      )
    })
  }
})
