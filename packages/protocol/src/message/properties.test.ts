import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeProperties, encodeProperties } from './properties.js'

describe('encodeProperties', () => {
  it('writes name\\x01value pairs joined by \\x02 with no trailing \\x02', () => {
    expect(encodeProperties({ TAGS: 'TagA', KEYS: 'k1 k2' })).toBe('TAGS\x01TagA\x02KEYS\x01k1 k2')
    expect(encodeProperties({})).toBe('')
  })
  it('skips empty names and empty values', () => {
    expect(encodeProperties({ '': 'x', A: '', B: 'b' })).toBe('B\x01b')
  })
  it('rejects separator characters with TypeError', () => {
    expect(() => encodeProperties({ 'a\x01': 'x' })).toThrow(TypeError)
    expect(() => encodeProperties({ a: 'x\x02y' })).toThrow(TypeError)
  })
})

describe('decodeProperties (Java 5.x rules)', () => {
  it('accepts a trailing \\x02 (5.x, ali-ons) and none (4.x)', () => {
    expect({ ...decodeProperties('A\x01a\x02B\x01b\x02') }).toEqual({ A: 'a', B: 'b' })
    expect({ ...decodeProperties('A\x01a\x02B\x01b') }).toEqual({ A: 'a', B: 'b' })
  })
  it('skips short pieces, empty names, empty values and pieces without \\x01', () => {
    expect({ ...decodeProperties('\x02\x02AB\x02\x01x\x02C\x01\x02NOSEP\x02D\x01d') }).toEqual({ D: 'd' })
    expect({ ...decodeProperties('') }).toEqual({})
  })
  it('keeps \\x01 inside values and lets later duplicates win', () => {
    expect({ ...decodeProperties('A\x01x\x01y\x02A\x01z\x02B\x01p\x01q') }).toEqual({ A: 'z', B: 'p\x01q' })
  })
  it('treats __proto__ as an ordinary key', () => {
    const props = decodeProperties('__proto__\x01x')
    expect(props['__proto__']).toBe('x')
    expect(Object.getPrototypeOf(props)).toBeNull()
  })
  it('round-trips unicode properties', () => {
    const name = fc.string({ unit: 'grapheme', minLength: 1 }).filter((s) => !/[\x01\x02]/.test(s))
    const value = fc.string({ unit: 'grapheme', minLength: 1 }).filter((s) => !s.includes('\x02'))
    fc.assert(
      fc.property(fc.dictionary(name, value), (props) => {
        expect({ ...decodeProperties(encodeProperties(props)) }).toEqual({ ...props })
      }),
    )
  })
})
