import { describe, expect, it } from 'vitest'
import { NamesrvConfigError, defaultNamesrvSettings, formatNamesrvSettings, parseNamesrvConfig } from './namesrv-config.js'

describe('parseNamesrvConfig', () => {
  it('reads the java.util.Properties forms RocketMQ accepts (comments, `:` and space separators)', () => {
    const text = ['# comment', '! also a comment', 'listenPort : 9877', 'orderMessageEnable true', 'listenPort=9878'].join('\n')
    expect(parseNamesrvConfig(text).config).toMatchObject({ listenPort: 9878, orderMessageEnable: true })
  })

  it('defaults every key', () => {
    expect(parseNamesrvConfig('').config).toEqual(defaultNamesrvSettings())
    expect(defaultNamesrvSettings()).toMatchObject({ listenPort: 9876, scanNotActiveBrokerInterval: 10000, brokerChannelExpiredTime: 120000 })
  })

  it('applies file values, then overrides, and freezes the result', () => {
    const { config, warnings } = parseNamesrvConfig('listenPort=9877\norderMessageEnable=TRUE\nbindAddress=127.0.0.1', { listenPort: '0' })
    expect(config).toMatchObject({ listenPort: 0, orderMessageEnable: true, host: '127.0.0.1' })
    expect(warnings).toEqual([])
    expect(Object.isFrozen(config)).toBe(true)
  })

  it('warns about unknown keys with a suggestion, and about ignored RocketMQ keys', () => {
    const { warnings } = parseNamesrvConfig('listenPrt=1\nkvConfigPath=/tmp/kv.json\ntotallyUnrelatedKey=1')
    expect(warnings[0]).toMatch(/line 1: unknown key 'listenPrt'.*did you mean 'listenPort'/)
    expect(warnings[1]).toMatch(/'kvConfigPath' is a RocketMQ namesrv key CometMQ does not use/)
    expect(warnings[2]).not.toMatch(/did you mean/)
  })

  it('throws NamesrvConfigError naming the key for a bad value', () => {
    expect(() => parseNamesrvConfig('listenPort=abc')).toThrow(NamesrvConfigError)
    expect(() => parseNamesrvConfig('listenPort=abc')).toThrow(/'listenPort'/)
    expect(() => parseNamesrvConfig('listenPort=70000')).toThrow(/out of range/)
    expect(() => parseNamesrvConfig('orderMessageEnable=yes')).toThrow(/'orderMessageEnable'/)
  })

  it('formats key=value lines', () => {
    expect(formatNamesrvSettings(defaultNamesrvSettings())).toContain('listenPort=9876\n')
  })
})
