import { describe, expect, it } from 'vitest'
import { filterSubscription, javaStringHashCode, tagsStringToTagsCode } from './tags.js'
import { validateTopic } from './topic.js'

describe('javaStringHashCode', () => {
  it('matches Java String.hashCode vectors', () => {
    expect(javaStringHashCode('TagA')).toBe(2598919)
    expect(javaStringHashCode('null')).toBe(3392903)
    expect(javaStringHashCode('')).toBe(0)
    expect(javaStringHashCode('polygenelubricants')).toBe(-2147483648) // wraps to Integer.MIN_VALUE
    expect(javaStringHashCode('\u{1F600}')).toBe(1772899) // two UTF-16 code units: 55357*31 + 56832
  })
  it('gives tagsCode 0 for absent or empty tags', () => {
    expect(tagsStringToTagsCode(undefined)).toBe(0)
    expect(tagsStringToTagsCode(null)).toBe(0)
    expect(tagsStringToTagsCode('')).toBe(0)
    expect(tagsStringToTagsCode('TagA')).toBe(2598919)
  })
})

describe('filterSubscription (FilterAPI.buildSubscriptionData)', () => {
  it('treats *, empty and missing as match-all', () => {
    for (const s of ['*', '', null, undefined]) expect(filterSubscription(s)).toEqual({ subString: '*', tagsSet: [], codeSet: [] })
  })
  it('splits on ||, trims, drops empties and duplicates', () => {
    expect(filterSubscription(' TagA || TagB ||  || TagA')).toEqual({
      subString: ' TagA || TagB ||  || TagA', tagsSet: ['TagA', 'TagB'], codeSet: [2598919, 2598920],
    })
  })
})

describe('validateTopic (TopicValidator)', () => {
  it('accepts legal names up to 127 chars', () => {
    for (const t of ['TopicTest', '%RETRY%group_1', 'a|b-c', 'x'.repeat(127)]) expect(validateTopic(t)).toBeNull()
  })
  it('rejects blank, illegal characters and long names with a reason', () => {
    expect(validateTopic('')).toMatch(/blank/)
    expect(validateTopic('  ')).toMatch(/blank/)
    expect(validateTopic('a.b')).toMatch(/illegal characters/)
    expect(validateTopic('tópico')).toMatch(/illegal characters/)
    expect(validateTopic('x'.repeat(128))).toMatch(/longer than topic max length 127/)
  })
})
