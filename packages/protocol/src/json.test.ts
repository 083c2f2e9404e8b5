import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseJsonLenient, stringifyJson } from './json.js'

describe('parseJsonLenient', () => {
  it('parses strict JSON like JSON.parse', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value)
        expect(parseJsonLenient(text)).toEqual(JSON.parse(text))
      }),
    )
  })

  it('accepts fastjson unquoted integer map keys (§3.12)', () => {
    const text = '{"brokerAddrTable":{"broker-a":{"brokerAddrs":{0:"127.0.0.1:10911",1:"127.0.0.1:10921"},"brokerName":"broker-a","cluster":"DefaultCluster"}},"clusterAddrTable":{"DefaultCluster":["broker-a"]}}'
    expect(parseJsonLenient(text)).toEqual({
      brokerAddrTable: { 'broker-a': { brokerAddrs: { '0': '127.0.0.1:10911', '1': '127.0.0.1:10921' }, brokerName: 'broker-a', cluster: 'DefaultCluster' } },
      clusterAddrTable: { DefaultCluster: ['broker-a'] },
    })
    expect(parseJsonLenient('{"offsetTable":{"T@G":{0:250,-1:3}}}')).toEqual({ offsetTable: { 'T@G': { '0': 250, '-1': 3 } } })
  })

  it('does not touch string contents that look like unquoted keys', () => {
    const text = '{0:"{1:\\"x\\"}", "k":"a,2:b", "q":"it\'s {3:4}"}'
    expect(parseJsonLenient(text)).toEqual({ '0': '{1:"x"}', k: 'a,2:b', q: "it's {3:4}" })
  })

  it('accepts object keys, identifier keys, single quotes, trailing commas and escapes', () => {
    expect(parseJsonLenient('{{"brokerName":"b","queueId":0,"topic":"T"}:{"brokerOffset":10},}')).toEqual({
      '{"brokerName":"b","queueId":0,"topic":"T"}': { brokerOffset: 10 },
    })
    expect(parseJsonLenient("{brokerName:'b\\u0041\\n', list:[1,2,],}")).toEqual({ brokerName: 'bA\n', list: [1, 2] })
    expect(parseJsonLenient(' { 1 : true , 2:null } ')).toEqual({ '1': true, '2': null })
  })

  it('keeps a __proto__ key as data', () => {
    const value = parseJsonLenient('{__proto__:{"polluted":1},0:1}') as Record<string, unknown>
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype)
    expect(Object.keys(value)).toContain('__proto__')
  })

  it('throws SyntaxError on garbage', () => {
    for (const text of ['{', '{0:}', '{"a" 1}', '[1 2]', '{"a":"unterminated}', 'nul', '{"a":1} x', '{"a":"\\x"}']) {
      expect(() => parseJsonLenient(text), text).toThrow(SyntaxError)
    }
  })
})

describe('stringifyJson', () => {
  it('emits strict JSON with quoted keys', () => {
    expect(stringifyJson({ brokerAddrs: { 0: '127.0.0.1:10911' }, n: 1, u: undefined })).toBe('{"brokerAddrs":{"0":"127.0.0.1:10911"},"n":1}')
    expect(stringifyJson(undefined)).toBe('null')
  })

  it('writes bigint values as integer literals', () => {
    expect(stringifyJson({ offset: 9007199254740993n, list: [1n, 'a', { d: new Date(0) }] })).toBe(
      '{"offset":9007199254740993,"list":[1,"a",{"d":"1970-01-01T00:00:00.000Z"}]}',
    )
  })

  it('round-trips through parseJsonLenient', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(parseJsonLenient(stringifyJson(value))).toEqual(JSON.parse(JSON.stringify(value)))
      }),
    )
  })
})
