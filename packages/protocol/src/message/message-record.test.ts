import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MQError } from '../errors.js'
import { MessageDecodeError } from './message-decode-error.js'
import {
  BLANK_MAGIC_CODE,
  MESSAGE_MAGIC_CODE_V1,
  MESSAGE_MAGIC_CODE_V2,
  RecordLayout,
  decodeMessageRecord,
  decodeMessages,
  encodeMessageRecord,
  messageRecordSize,
} from './message-record.js'
import type { MessageExt, MessageRecordEncodeInput } from './message-record.js'
import { encodeProperties } from './properties.js'

/** PULL_MESSAGE response frame from a 4.9.4 broker: | length | 0x00 + headerLength | JSON header | records |. */
function pullBody(): Buffer {
  const frame = readFileSync(new URL('./__fixtures__/pull-message-response.bin', import.meta.url))
  const headerLength = frame.readInt32BE(4) & 0xffffff
  expect(frame.readUInt8(4)).toBe(0)
  expect(frame.readInt32BE(0)).toBe(frame.length - 4)
  return frame.subarray(8 + headerLength)
}

function toInput(m: MessageExt): MessageRecordEncodeInput {
  return {
    topic: m.topic, queueId: m.queueId, flag: m.flag, body: m.body, propertiesString: encodeProperties(m.properties),
    sysFlag: m.sysFlag, bornTimestamp: m.bornTimestamp, bornHost: m.bornHost, storeHost: m.storeHost,
    reconsumeTimes: m.reconsumeTimes, preparedTransactionOffset: m.preparedTransactionOffset,
    queueOffset: m.queueOffset, commitLogOffset: m.commitLogOffset, storeTimestamp: m.storeTimestamp,
  }
}

const example: MessageRecordEncodeInput = {
  topic: 'TopicTest', queueId: 3, flag: 0, body: Buffer.from('Hello RocketMQ 0'),
  propertiesString: 'UNIQ_KEY\x01FD000000000000000000000000000002459E5FFD2B276812E3F70000\x02CLUSTER\x01DefaultCluster\x02TAGS\x01TagA',
  sysFlag: 0, bornTimestamp: 0x1a1fc7acbf8, bornHost: { host: '127.0.0.1', port: 33564 }, storeHost: { host: '127.0.0.1', port: 10911 },
  reconsumeTimes: 0, preparedTransactionOffset: 0, queueOffset: 0, commitLogOffset: 0, storeTimestamp: 0x1a1fc7acc13,
}

describe('real PULL_MESSAGE body (4.9.4 broker)', () => {
  const body = pullBody()
  const messages = decodeMessages(body, { checkBodyCRC: true })

  it('decodes every record with topic TopicTest, tag TagA and "Hello RocketMQ N" bodies', () => {
    expect(messages.length).toBeGreaterThan(1)
    expect(messages.reduce((sum, m) => sum + m.storeSize, 0)).toBe(body.length)
    for (const m of messages) {
      expect(m.topic).toBe('TopicTest')
      expect(m.properties.TAGS).toBe('TagA')
      expect(m.properties.CLUSTER).toBe('DefaultCluster')
      expect(m.properties.UNIQ_KEY).toMatch(/^[0-9A-F]{56}$/)
      expect(m.body.toString()).toMatch(/^Hello RocketMQ \d+$/)
      expect(m.storeHost).toEqual({ host: '127.0.0.1', port: 10911 })
      expect(m.msgId).toBe(`7F00000100002A9F${m.commitLogOffset.toString(16).toUpperCase().padStart(16, '0')}`)
    }
    const queueOffsets = messages.map((m) => m.queueOffset)
    expect(queueOffsets).toEqual([...queueOffsets].sort((a, b) => a - b))
  })

  it('re-encodes each record byte for byte', () => {
    let offset = 0
    for (const m of messages) {
      const original = body.subarray(offset, offset + m.storeSize)
      expect(messageRecordSize(toInput(m))).toBe(m.storeSize)
      expect(encodeMessageRecord(toInput(m)).equals(original)).toBe(true)
      offset += m.storeSize
    }
  })
})

describe('§4.2 worked example', () => {
  const record = encodeMessageRecord(example)

  it('has the documented bytes', () => {
    expect(record.length).toBe(214)
    expect(record.subarray(0, 16).toString('hex')).toBe('000000d6daa320a7248c774f00000003')
    expect(record.subarray(48, 72).toString('hex')).toBe('7f0000010000831c000001a1fc7acc137f00000100002a9f')
    expect(record.readUInt8(104)).toBe(9)
    expect(record.readUInt16BE(114)).toBe(98)
  })

  it('decodes to the documented fields', () => {
    const m = decodeMessageRecord(record)
    expect(m).toMatchObject({
      storeSize: 214, bodyCRC: 0x248c774f, queueId: 3, flag: 0, queueOffset: 0, commitLogOffset: 0, sysFlag: 0,
      bornHost: { host: '127.0.0.1', port: 33564 }, storeHost: { host: '127.0.0.1', port: 10911 },
      storeTimestamp: example.bornTimestamp + 27, topic: 'TopicTest', msgId: '7F00000100002A9F0000000000000000',
    })
    expect({ ...m.properties }).toEqual({ UNIQ_KEY: 'FD000000000000000000000000000002459E5FFD2B276812E3F70000', CLUSTER: 'DefaultCluster', TAGS: 'TagA' })
  })

  it('exposes Java magic values as signed int32', () => {
    expect(MESSAGE_MAGIC_CODE_V1).toBe(-626843481)
    expect(MESSAGE_MAGIC_CODE_V2).toBe(-626843477)
    expect(BLANK_MAGIC_CODE).toBe(-875286124)
    expect(record.readInt32BE(RecordLayout.MAGIC_CODE_POSITION)).toBe(MESSAGE_MAGIC_CODE_V1)
  })
})

describe('encode rules', () => {
  it('uses V2 magic and a 2-byte topic length for topics over 127 bytes', () => {
    const topic = 'T'.repeat(128)
    const record = encodeMessageRecord({ ...example, topic })
    expect(record.readInt32BE(4)).toBe(MESSAGE_MAGIC_CODE_V2)
    expect(record.length).toBe(214 - 9 + 128 + 1)
    expect(decodeMessageRecord(record).topic).toBe(topic)
    expect(encodeMessageRecord({ ...example, topic: 'T'.repeat(127) }).readInt32BE(4)).toBe(MESSAGE_MAGIC_CODE_V1)
  })

  it('sets the IPv6 bits from the hosts and writes 16-byte addresses', () => {
    const record = encodeMessageRecord({ ...example, sysFlag: 0x30 | 0x1, bornHost: { host: 'fd00::2', port: 1 } })
    expect(record.readInt32BE(36)).toBe(0x11)
    expect(record.length).toBe(214 + 12)
    const m = decodeMessageRecord(record)
    expect(m.bornHost).toEqual({ host: 'fd00::2', port: 1 })
    expect(m.storeTimestamp).toBe(example.storeTimestamp)
    expect(record.readUInt32BE(RecordLayout.storeTimestampPosition(m.sysFlag) + 4)).toBe(example.storeTimestamp % 2 ** 32)
  })

  it('writes IPv4-mapped IPv6 hosts as IPv4', () => {
    const record = encodeMessageRecord({ ...example, bornHost: { host: '::ffff:127.0.0.1', port: 33564 } })
    expect(record.equals(encodeMessageRecord(example))).toBe(true)
  })

  it('rejects bad input with RangeError / TypeError', () => {
    expect(() => encodeMessageRecord({ ...example, propertiesString: 'x'.repeat(32768) })).toThrow(RangeError)
    expect(() => encodeMessageRecord({ ...example, commitLogOffset: 2 ** 53 })).toThrow(RangeError)
    expect(() => encodeMessageRecord({ ...example, queueId: 2 ** 31 })).toThrow(RangeError)
    expect(() => encodeMessageRecord({ ...example, storeHost: { host: 'localhost', port: 1 } })).toThrow(TypeError)
  })
})

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((b) => b.join('.'))
const ipv6 = fc.ipV6().filter((h) => !/^(0{0,4}:){0,5}(::)?(0{0,4}:){0,5}ffff:/i.test(h) && !h.includes('.'))
const address = fc.record({ host: fc.oneof(ipv4, ipv6), port: fc.integer({ min: 0, max: 65535 }) })
const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })
const long = fc.maxSafeNat()
const props = fc.dictionary(
  fc.string({ unit: 'grapheme', minLength: 1 }).filter((s) => !/[\x01\x02]/.test(s) && s !== '__proto__'),
  fc.string({ unit: 'grapheme', minLength: 1 }).filter((s) => !s.includes('\x02')),
)
const input = fc.record({
  topic: fc.oneof(fc.string({ unit: 'grapheme', maxLength: 60 }), fc.string({ minLength: 100, maxLength: 400 })),
  queueId: int32, flag: int32, body: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  properties: props, sysFlag: int32, bornTimestamp: long, bornHost: address, storeHost: address, reconsumeTimes: int32,
  preparedTransactionOffset: long, queueOffset: long, commitLogOffset: long, storeTimestamp: long,
})

describe('round trips (property-based)', () => {
  it('decode(encode(x)) returns x, and re-encoding is byte-identical', () => {
    fc.assert(
      fc.property(input, ({ properties, ...rest }) => {
        const record = encodeMessageRecord({ ...rest, propertiesString: encodeProperties(properties) })
        expect(record.length).toBe(messageRecordSize({ ...rest, propertiesString: encodeProperties(properties) }))
        const m = decodeMessageRecord(record, 0, { checkBodyCRC: true })
        const v6 = (h: string) => h.includes(':')
        expect(m.sysFlag).toBe((rest.sysFlag & ~0x30) | (v6(rest.bornHost.host) ? 0x10 : 0) | (v6(rest.storeHost.host) ? 0x20 : 0))
        expect(m).toMatchObject({ topic: rest.topic, queueId: rest.queueId, flag: rest.flag, queueOffset: rest.queueOffset,
          commitLogOffset: rest.commitLogOffset, bornTimestamp: rest.bornTimestamp, storeTimestamp: rest.storeTimestamp,
          reconsumeTimes: rest.reconsumeTimes, preparedTransactionOffset: rest.preparedTransactionOffset, storeSize: record.length })
        expect(m.body.equals(rest.body)).toBe(true)
        expect({ ...m.properties }).toEqual(properties)
        expect(m.bornHost.port).toBe(rest.bornHost.port)
        expect(encodeMessageRecord(toInput(m)).equals(record)).toBe(true)
      }),
      { numRuns: 300 },
    )
  })

  it('decodes concatenated records at their offsets', () => {
    fc.assert(
      fc.property(fc.array(input, { minLength: 1, maxLength: 5 }), (inputs) => {
        const records = inputs.map(({ properties, ...rest }) => encodeMessageRecord({ ...rest, propertiesString: encodeProperties(properties) }))
        const decoded = decodeMessages(Buffer.concat(records))
        expect(decoded.map((m) => m.storeSize)).toEqual(records.map((r) => r.length))
      }),
      { numRuns: 50 },
    )
  })
})

describe('corrupt input', () => {
  const good = encodeMessageRecord(example)
  const corrupt = (mutate: (b: Buffer) => void): Buffer => {
    const copy = Buffer.from(good)
    mutate(copy)
    return copy
  }
  const cases: Array<[string, Buffer]> = [
    ['short buffer', good.subarray(0, 6)],
    ['truncated record', good.subarray(0, 200)],
    ['bad magic', corrupt((b) => b.writeInt32BE(0x12345678, 4))],
    ['blank filler', Buffer.from('00000010cbd43194', 'hex')],
    ['TOTALSIZE too small', corrupt((b) => b.writeInt32BE(10, 0))],
    ['BODYLEN past the end', corrupt((b) => b.writeInt32BE(1000, 84))],
    ['negative BODYLEN', corrupt((b) => b.writeInt32BE(-1, 84))],
    ['PROPERTIESLEN disagrees', corrupt((b) => b.writeInt16BE(97, 114))],
    ['unsafe 64-bit value', corrupt((b) => b.writeInt32BE(0x7fffffff, 28))],
  ]
  it.each(cases)('throws MessageDecodeError on %s', (_name, buf) => {
    let error: unknown
    try { decodeMessages(buf) } catch (e) { error = e }
    expect(error).toBeInstanceOf(MessageDecodeError)
    expect(MQError.isInstance(error) && error.code).toBe('MESSAGE_DECODE')
  })

  it('detects a body CRC mismatch only when asked', () => {
    const buf = corrupt((b) => { b[88] = 0 })
    expect(decodeMessageRecord(buf).body[0]).toBe(0)
    expect(() => decodeMessageRecord(buf, 0, { checkBodyCRC: true })).toThrow(MessageDecodeError)
  })

  it('returns [] for an empty body', () => {
    expect(decodeMessages(Buffer.alloc(0))).toEqual([])
  })
})

describe('copyBody option', () => {
  const records = [encodeMessageRecord(example), encodeMessageRecord({ ...example, body: Buffer.from('second body'), queueOffset: 1 })]

  it('copies bodies by default: they do not change with the input', () => {
    const input = Buffer.concat(records)
    const [first] = decodeMessages(input)
    input.fill(0)
    expect(first!.body.toString()).toBe('Hello RocketMQ 0')
  })

  it('with copyBody: false returns views into the input, otherwise the same records', () => {
    const input = Buffer.concat(records)
    const views = decodeMessages(input, { copyBody: false })
    expect(views).toEqual(decodeMessages(input))
    const second = views[1]!
    expect(second.body.buffer).toBe(input.buffer)
    expect(second.body.byteOffset).toBe(input.byteOffset + records[0]!.length + 88)
    input[records[0]!.length + 88] = 'S'.charCodeAt(0)
    expect(second.body.toString()).toBe('Second body')
    expect(decodeMessageRecord(input, records[0]!.length, { copyBody: false }).body.toString()).toBe('Second body')
  })

  it('decodes alternating topics of the same length correctly (the topic string is shared between equal topics)', () => {
    const topics = ['TopicA', 'TopicB', 'TopicB', 'TopicA', 'Topiç', 'Topiç', 'x'.repeat(200)]
    const body = Buffer.concat(topics.map((topic, i) => encodeMessageRecord({ ...example, topic, queueOffset: i })))
    expect(decodeMessages(body, { copyBody: false }).map((m) => m.topic)).toEqual(topics)
    expect(decodeMessages(body).map((m) => m.topic)).toEqual(topics)
  })

  it('keeps the CRC check with views', () => {
    const input = Buffer.from(records[0]!)
    input[88] = 0
    expect(() => decodeMessageRecord(input, 0, { copyBody: false, checkBodyCRC: true })).toThrow(MessageDecodeError)
  })

  it('builds msgId from STOREHOST and PHYSICALOFFSET for IPv4 and IPv6 store hosts', () => {
    const v4 = decodeMessageRecord(encodeMessageRecord({ ...example, commitLogOffset: 2 ** 40 + 0xabc }))
    expect(v4.msgId).toBe('7F00000100002A9F0000010000000ABC')
    const v6 = decodeMessageRecord(encodeMessageRecord({ ...example, storeHost: { host: 'fd00::2', port: 10911 }, commitLogOffset: 255 }))
    expect(v6.msgId).toBe('FD000000000000000000000000000002' + '00002A9F' + '00000000000000FF')
    expect(v6.storeHost).toEqual({ host: 'fd00::2', port: 10911 })
  })
})
