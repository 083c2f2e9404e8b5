import { describe, expect, it } from 'vitest'
import { decodeCommand } from '@cometmq/protocol'
import { readFixture } from './__fixtures__/helpers.js'
import { decodeRegisterBrokerBody, encodeCompressedRegisterBrokerBody, registerBodyCrc32 } from './register-broker-body.js'

describe('decodeRegisterBrokerBody', () => {
  it('decodes the real 4.9.4 REGISTER_BROKER body and matches its bodyCrc32', () => {
    const frame = readFixture('103-REGISTER_BROKER.req.bin')
    const command = decodeCommand(frame.subarray(4))
    expect(command.body).not.toBeNull()
    expect(registerBodyCrc32(command.body)).toBe(Number(command.extFields['bodyCrc32']))
    const body = decodeRegisterBrokerBody(command.body!, false)
    expect(body.dataVersion).toEqual({ counter: 0, timestamp: 1795237411701 })
    expect(body.filterServerList).toEqual([])
    expect(body.topicConfigs.find((t) => t.topicName === 'TBW102')).toEqual({
      topicName: 'TBW102',
      readQueueNums: 8,
      writeQueueNums: 8,
      perm: 7,
      topicSysFlag: 0,
    })
    expect(body.topicConfigs.map((t) => t.topicName)).toContain('SCHEDULE_TOPIC_XXXX')
  })

  it('accepts fastjson-style unquoted keys and 5.x extras', () => {
    const text =
      '{filterServerList:["f:1"],topicConfigSerializeWrapper:{dataVersion:{counter:2,stateVersion:0,timestamp:5},' +
      'topicQueueMappingInfoMap:{0:"x"},topicConfigTable:{T1:{perm:6,readQueueNums:2,topicName:"T1",writeQueueNums:3,attributes:{}}}}}'
    const body = decodeRegisterBrokerBody(Buffer.from(text), false)
    expect(body).toEqual({
      dataVersion: { counter: 2, timestamp: 5, stateVersion: 0 },
      topicConfigs: [{ topicName: 'T1', readQueueNums: 2, writeQueueNums: 3, perm: 6, topicSysFlag: 0 }],
      filterServerList: ['f:1'],
    })
  })

  it('accepts a bare TopicConfigSerializeWrapper (brokers older than V3_0_11)', () => {
    const text = '{"dataVersion":{"counter":1,"timestamp":2},"topicConfigTable":{"T1":{"topicName":"T1","readQueueNums":1,"writeQueueNums":1,"perm":6}}}'
    expect(decodeRegisterBrokerBody(Buffer.from(text), false).topicConfigs.map((t) => t.topicName)).toEqual(['T1'])
  })

  it('round-trips the compressed (zlib) form', () => {
    const decoded = {
      dataVersion: { counter: 7, timestamp: 1700000000000 },
      topicConfigs: [
        { topicName: 'T1', readQueueNums: 4, writeQueueNums: 2, perm: 6, topicSysFlag: 0 },
        { topicName: 'TBW102', readQueueNums: 8, writeQueueNums: 8, perm: 7, topicSysFlag: 0 },
      ],
      filterServerList: ['f:1'],
    }
    expect(decodeRegisterBrokerBody(encodeCompressedRegisterBrokerBody(decoded), true)).toEqual(decoded)
  })

  it('rejects garbage', () => {
    expect(() => decodeRegisterBrokerBody(Buffer.from('not json'), false)).toThrow()
    expect(() => decodeRegisterBrokerBody(Buffer.from('not zlib'), true)).toThrow()
  })

  it('computes 0 for an empty body', () => {
    expect(registerBodyCrc32(null)).toBe(0)
    expect(registerBodyCrc32(Buffer.alloc(0))).toBe(0)
  })
})
