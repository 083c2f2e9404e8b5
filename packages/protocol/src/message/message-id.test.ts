import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MessageDecodeError } from './message-decode-error.js'
import { createOffsetMsgId, createUniqId, createUniqIdGenerator, decodeOffsetMsgId } from './message-id.js'

describe('offset msgId', () => {
  it('matches the capture example', () => {
    expect(createOffsetMsgId('127.0.0.1', 10911, 214)).toBe('7F00000100002A9F00000000000000D6')
    expect(decodeOffsetMsgId('7F00000100002A9F00000000000000D6')).toEqual({ host: '127.0.0.1', port: 10911, commitLogOffset: 214 })
    expect(decodeOffsetMsgId('7f00000100002a9f00000000000000d6').commitLogOffset).toBe(214)
  })

  it('is 56 hex chars for IPv6', () => {
    const id = createOffsetMsgId('fd00::2', 10911, 2 ** 40 + 5)
    expect(id).toBe('FD000000000000000000000000000002' + '00002A9F' + '0000010000000005')
    expect(decodeOffsetMsgId(id)).toEqual({ host: 'fd00::2', port: 10911, commitLogOffset: 2 ** 40 + 5 })
  })

  it('round-trips IPv4 and IPv6 addresses and any safe offset', () => {
    const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((b) => b.join('.'))
    fc.assert(
      fc.property(fc.oneof(ipv4, fc.ipV6()), fc.integer({ min: 0, max: 65535 }), fc.maxSafeNat(), (host, port, offset) => {
        const id = createOffsetMsgId(host, port, offset)
        expect(id).toMatch(/^([0-9A-F]{32}|[0-9A-F]{56})$/)
        const decoded = decodeOffsetMsgId(id)
        expect(decoded.port).toBe(port)
        expect(decoded.commitLogOffset).toBe(offset)
        expect(createOffsetMsgId(decoded.host, decoded.port, decoded.commitLogOffset)).toBe(id)
      }),
    )
  })

  it('gives each host its own prefix when hosts alternate (per-host cache)', () => {
    for (let i = 0; i < 3; i++) {
      expect(createOffsetMsgId('127.0.0.1', 10911, 214)).toBe('7F00000100002A9F00000000000000D6')
      expect(createOffsetMsgId('10.0.0.2', 10911, 214)).toBe('0A00000200002A9F00000000000000D6')
      expect(createOffsetMsgId('fd00::2', 10911, 1)).toBe('FD000000000000000000000000000002' + '00002A9F' + '0000000000000001')
    }
    expect(() => createOffsetMsgId('not-an-ip', 1, 1)).toThrow(TypeError)
  })

  it('throws MessageDecodeError on malformed ids', () => {
    for (const bad of ['', '7F00', 'Z'.repeat(32), '7F00000100002A9F00000000000000D6AA', 'FFFFFFFF00002A9FFFFFFFFFFFFFFFFF']) {
      expect(() => decodeOffsetMsgId(bad)).toThrow(MessageDecodeError)
    }
  })
})

describe('UNIQ_KEY', () => {
  it('follows the MessageClientIDSetter layout', () => {
    const now = new Date(2024, 4, 3, 10, 0, 0, 5).getTime()
    const next = createUniqIdGenerator({ ip: [192, 0, 2, 2], pid: 0x13d63, random: -2, now: () => now })
    const first = next()
    const sinceMonthStart = now - new Date(2024, 4, 1).getTime()
    expect(first).toBe('C0000202' + '3D63' + 'FFFFFFFE' + sinceMonthStart.toString(16).toUpperCase().padStart(8, '0') + '0000')
    expect(next().slice(-4)).toBe('0001')
  })

  it('wraps the 16-bit counter', () => {
    const next = createUniqIdGenerator({ ip: [1, 2, 3, 4], pid: 1, random: 1, now: () => 0 })
    for (let i = 0; i < 65536; i++) next()
    expect(next().slice(-4)).toBe('0000')
  })

  it('makes distinct 32- or 56-char ids in this process', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => createUniqId()))
    expect(ids.size).toBe(1000)
    for (const id of ids) expect(id).toMatch(/^([0-9A-F]{32}|[0-9A-F]{56})$/)
    const pidHex = (process.pid & 0xffff).toString(16).toUpperCase().padStart(4, '0')
    const first = [...ids][0]!
    expect(first.slice(first.length - 24, first.length - 20)).toBe(pidHex)
  })
})
