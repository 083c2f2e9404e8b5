import fc from 'fast-check'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { HeaderError } from '../errors.js'
import { defineHeader, field } from './define-header.js'
import type { HeaderOf } from './define-header.js'

const H = defineHeader({
  topic: field.string(),
  queueId: field.int(),
  queueOffset: field.long(),
  unitMode: field.boolean({ optional: true }),
  remark: field.string({ optional: true }),
})

describe('defineHeader', () => {
  it('decodes typed values and ignores unknown keys', () => {
    const h = H.decode({ topic: 'T', queueId: '3', queueOffset: '1795237416313', unitMode: 'TRUE', extra: 'x' })
    expect(h).toEqual({ topic: 'T', queueId: 3, queueOffset: 1795237416313, unitMode: true })
    expectTypeOf(h).toEqualTypeOf<HeaderOf<typeof H>>()
    expectTypeOf(h.queueId).toEqualTypeOf<number>()
    expectTypeOf(h.unitMode).toEqualTypeOf<boolean | undefined>()
  })

  it('leaves missing optional fields undefined and parses booleans like Boolean.parseBoolean', () => {
    expect(H.decode({ topic: 'T', queueId: '-1', queueOffset: '0' })).toEqual({ topic: 'T', queueId: -1, queueOffset: 0 })
    expect(H.decode({ topic: 'T', queueId: '0', queueOffset: '0', unitMode: 'yes' }).unitMode).toBe(false)
  })

  it("throws HeaderError('the custom field <x> is null') for a missing required field", () => {
    const error = (() => {
      try {
        H.decode({ topic: 'T', queueOffset: '0' })
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(HeaderError)
    expect((error as HeaderError).message).toBe('the custom field queueId is null')
    expect((error as HeaderError).field).toBe('queueId')
    expect((error as HeaderError).code).toBe('BAD_HEADER')
    expect(() => H.decode(null)).toThrow('the custom field topic is null')
  })

  it('throws HeaderError naming the field for unparsable or out-of-range numbers', () => {
    for (const queueId of ['abc', '1.5', '', ' 1', '2147483648', '0x10']) {
      expect(() => H.decode({ topic: 'T', queueId, queueOffset: '0' }), queueId).toThrow(/queueId/)
    }
    expect(() => H.decode({ topic: 'T', queueId: '1', queueOffset: '99999999999999999999' })).toThrow(/queueOffset/)
    expect(() => H.decode({ topic: 'T', queueId: '1', queueOffset: 'x' })).toThrow(HeaderError)
  })

  it('accepts exactly what /^[+-]?\\d{1,19}$/ accepts as an int/long (property)', () => {
    const reference = (text: string): number | undefined => {
      if (!/^[+-]?\d{1,19}$/.test(text)) return undefined
      const value = Number(text)
      return value >= -(2 ** 63) && value < 2 ** 63 ? value : undefined
    }
    const numeric = fc.stringMatching(/^[+-]?[0-9]{0,21}$/)
    fc.assert(
      fc.property(fc.oneof(numeric, fc.string()), (text) => {
        const expected = reference(text)
        if (expected === undefined) expect(() => H.decode({ topic: 'T', queueId: '1', queueOffset: text })).toThrow(/queueOffset/)
        else expect(H.decode({ topic: 'T', queueId: '1', queueOffset: text }).queueOffset).toBe(expected)
      }),
    )
    for (const text of ['+7', '-0', '0007', '9223372036854775807', '-9223372036854775808', '١٢']) {
      const expected = reference(text)
      if (expected === undefined) expect(() => H.decode({ topic: 'T', queueId: '1', queueOffset: text })).toThrow(HeaderError)
      else expect(H.decode({ topic: 'T', queueId: '1', queueOffset: text }).queueOffset).toBe(expected)
    }
  })

  it('encodes to a string map, omitting undefined/null', () => {
    expect(H.encode({ topic: 'T', queueId: 1, queueOffset: 2, unitMode: false, remark: undefined })).toEqual({
      topic: 'T',
      queueId: '1',
      queueOffset: '2',
      unitMode: 'false',
    })
  })

  it('round-trips (property)', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            topic: fc.string(),
            queueId: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
            queueOffset: fc.maxSafeInteger(),
            unitMode: fc.boolean(),
            remark: fc.string(),
          },
          { requiredKeys: ['topic', 'queueId', 'queueOffset'] },
        ),
        (header) => {
          expect(H.decode(H.encode(header))).toEqual(header)
        },
      ),
    )
  })
})
