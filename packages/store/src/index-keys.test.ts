import { encodeProperties } from '@cometmq/protocol'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { indexKeysOf } from './index-keys.js'

describe('indexKeysOf', () => {
  it('returns KEYS words then UNIQ_KEY, without duplicates or empty words', () => {
    expect(indexKeysOf(encodeProperties({ TAGS: 'a', KEYS: 'k1  k2 k1', UNIQ_KEY: 'U' }))).toEqual(['k1', 'k2', 'U'])
    expect(indexKeysOf(encodeProperties({ UNIQ_KEY: 'U', KEYS: 'U' }))).toEqual(['U'])
    expect(indexKeysOf(encodeProperties({ TAGS: 'KEYS' }))).toEqual([])
    expect(indexKeysOf(encodeProperties({ XKEYS: 'no', UNIQ_KEY: 'u' }))).toEqual(['u'])
    expect(indexKeysOf('')).toEqual([])
  })

  it('agrees with a full decode for arbitrary properties', () => {
    const word = fc.string({ minLength: 1, maxLength: 6 }).filter((s) => !/[\u0001\u0002 ]/.test(s))
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('KEYS', 'UNIQ_KEY', 'TAGS', 'A', 'XKEYS'), fc.array(word, { maxLength: 3 }).map((w) => w.join(' '))), (props) => {
        const expected: string[] = []
        for (const w of (props.KEYS ?? '').split(' ')) if (w && !expected.includes(w)) expected.push(w)
        if (props.UNIQ_KEY && !expected.includes(props.UNIQ_KEY)) expected.push(props.UNIQ_KEY)
        expect(indexKeysOf(encodeProperties(props))).toEqual(expected)
      }),
    )
  })
})
