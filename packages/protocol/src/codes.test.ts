import { describe, expect, it } from 'vitest'
import { LanguageCode, SerializeType, languageName, languageValue } from './language-code.js'
import { RequestCode, requestCodeName } from './request-code.js'
import { ResponseCode, responseCodeName } from './response-code.js'

describe('codes', () => {
  it('keeps RocketMQ numbers (spot checks from §2)', () => {
    expect(RequestCode).toMatchObject({ SEND_MESSAGE: 10, PULL_MESSAGE: 11, HEART_BEAT: 34, REGISTER_BROKER: 103, GET_ROUTEINFO_BY_TOPIC: 105, SEND_MESSAGE_V2: 310, SEND_BATCH_MESSAGE: 320, LITE_PULL_MESSAGE: 361, POP_MESSAGE: 200050, BATCH_ACK_MESSAGE: 200151 })
    expect(ResponseCode).toMatchObject({ SUCCESS: 0, SYSTEM_ERROR: 1, SYSTEM_BUSY: 2, REQUEST_CODE_NOT_SUPPORTED: 3, PULL_NOT_FOUND: 19, QUERY_NOT_FOUND: 22, GO_AWAY: 1500, RPC_TIME_OUT: -1006 })
    expect(LanguageCode.JAVA).toBe(0)
    expect(LanguageCode.NODE_JS).toBe(13)
    expect(SerializeType).toEqual({ JSON: 0, ROCKETMQ: 1 })
  })

  it('has no duplicate numbers', () => {
    for (const table of [RequestCode, ResponseCode, LanguageCode]) {
      const values = Object.values(table)
      expect(new Set(values).size).toBe(values.length)
    }
  })

  it('names codes and falls back to UNKNOWN(<n>)', () => {
    expect(requestCodeName(11)).toBe('PULL_MESSAGE')
    expect(requestCodeName(9999)).toBe('UNKNOWN(9999)')
    expect(responseCodeName(17)).toBe('TOPIC_NOT_EXIST')
    expect(responseCodeName(-5)).toBe('UNKNOWN(-5)')
    expect(languageName(9)).toBe('GO')
    expect(languageName(99)).toBe('OTHER')
    expect(languageValue('NODE_JS')).toBe(13)
    expect(languageValue('COBOL')).toBe(7)
  })
})
