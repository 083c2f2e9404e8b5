import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { RemotingProtocolError } from './errors.js'
import { FrameDecoder } from './frame-decoder.js'
import { createRequest, encodeCommand } from './remoting-command.js'
import type { RemotingCommand } from './remoting-command.js'

const strip = (cmd: RemotingCommand): unknown => ({ ...cmd, extFields: { ...cmd.extFields }, body: cmd.body?.toString('hex') ?? null })

function sampleCommands(): RemotingCommand[] {
  return [
    createRequest(105, { topic: 'TopicTest' }),
    createRequest(310, { a: 'PG', b: 'T' }, Buffer.from('hello body'), { serializeType: 1 }),
    createRequest(34, {}, Buffer.alloc(70_000, 0xab)),
    createRequest(15, { queueId: 1 }, null, { oneway: true, serializeType: 1 }),
  ]
}

describe('FrameDecoder', () => {
  it('reassembles frames pushed one byte at a time', () => {
    const commands = sampleCommands()
    const stream = Buffer.concat(commands.map(encodeCommand))
    const decoder = new FrameDecoder()
    const out: RemotingCommand[] = []
    for (let i = 0; i < stream.length; i++) out.push(...decoder.push(stream.subarray(i, i + 1)))
    expect(out.map(strip)).toEqual(commands.map(strip))
    expect(decoder.bufferedBytes).toBe(0)
  })

  it('decodes several coalesced frames from one chunk', () => {
    const commands = sampleCommands()
    const out = new FrameDecoder().push(Buffer.concat(commands.map(encodeCommand)))
    expect(out.map(strip)).toEqual(commands.map(strip))
  })

  it('handles arbitrary chunk boundaries (property)', () => {
    const commands = sampleCommands()
    const stream = Buffer.concat(commands.map(encodeCommand))
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: stream.length - 1 }), { maxLength: 12 }), (cuts) => {
        const points = [0, ...cuts.sort((a, b) => a - b), stream.length]
        const decoder = new FrameDecoder()
        const out: RemotingCommand[] = []
        for (let i = 0; i + 1 < points.length; i++) out.push(...decoder.push(stream.subarray(points[i], points[i + 1])))
        expect(out.map(strip)).toEqual(commands.map(strip))
      }),
      { numRuns: 200 },
    )
  })

  it('holds an incomplete frame until the rest arrives', () => {
    const frame = encodeCommand(createRequest(105, { topic: 'T' }))
    const decoder = new FrameDecoder()
    expect(decoder.push(frame.subarray(0, 2))).toEqual([])
    expect(decoder.push(frame.subarray(2, 10))).toEqual([])
    expect(decoder.bufferedBytes).toBe(10)
    expect(decoder.push(frame.subarray(10))).toHaveLength(1)
  })

  it('rejects a length above maxFrameSize before buffering it', () => {
    const decoder = new FrameDecoder({ maxFrameSize: 1024 })
    const prefix = Buffer.alloc(4)
    prefix.writeInt32BE(1025)
    expect(() => decoder.push(prefix)).toThrow(/exceeds maxFrameSize 1024/)
    // the stream is dead afterwards
    expect(() => decoder.push(encodeCommand(createRequest(1)))).toThrow(RemotingProtocolError)
  })

  it('rejects the default 16 MiB cap + 1 and negative / tiny lengths', () => {
    const huge = Buffer.alloc(8)
    huge.writeInt32BE(16 * 1024 * 1024 + 1)
    expect(() => new FrameDecoder().push(huge)).toThrow(RemotingProtocolError)
    const negative = Buffer.from([0xff, 0xff, 0xff, 0xff])
    expect(() => new FrameDecoder().push(negative)).toThrow(RemotingProtocolError)
    const tiny = Buffer.from([0, 0, 0, 2, 0, 0])
    expect(() => new FrameDecoder().push(tiny)).toThrow(RemotingProtocolError)
  })

  it('rejects a truncated header (header length > length - 4)', () => {
    const frame = encodeCommand(createRequest(105, { topic: 'TopicTest' }))
    const truncated = Buffer.from(frame.subarray(0, 20))
    truncated.writeInt32BE(16) // length claims 16 bytes, header length word still says ~120
    expect(() => new FrameDecoder().push(truncated)).toThrow(/header length \d+ exceeds frame length 16/)
  })

  it('rejects an unknown serialize type and invalid JSON', () => {
    const frame = encodeCommand(createRequest(105, { topic: 'T' }))
    const badType = Buffer.from(frame)
    badType.writeUInt8(7, 4)
    expect(() => new FrameDecoder().push(badType)).toThrow(/unknown serialize type 7/)
    const badJson = Buffer.from(frame)
    badJson.write('#', 8)
    expect(() => new FrameDecoder().push(badJson)).toThrow(/invalid JSON header/)
  })
})
