import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { MessageConst, MessageSysFlag, MixAll, PermName, PullSysFlag } from './constants.js'
import { crc32 } from './crc32.js'
import { crc32Fallback } from './crc32.js'

describe('constants', () => {
  it('has RocketMQ values', () => {
    expect([PermName.PERM_PRIORITY, PermName.PERM_READ, PermName.PERM_WRITE, PermName.PERM_INHERIT]).toEqual([8, 4, 2, 1])
    expect(PermName.perm2String(6)).toBe('RW-')
    expect(PermName.isWriteable(6) && PermName.isReadable(6) && !PermName.isInherited(6)).toBe(true)
    expect(PullSysFlag.buildSysFlag(true, true, true, false)).toBe(7)
    expect(PullSysFlag.hasSuspendFlag(PullSysFlag.clearCommitOffsetFlag(7))).toBe(true)
    expect(MessageSysFlag.getTransactionValue(0x4 | 0x10)).toBe(MessageSysFlag.TRANSACTION_PREPARED_TYPE)
    expect(MessageSysFlag.resetTransactionValue(0x15, MessageSysFlag.TRANSACTION_COMMIT_TYPE)).toBe(0x19)
    expect(MessageConst.UNIQ_KEY).toBe('UNIQ_KEY')
    expect(MessageConst.TRACE_ON).toBe('TRACE_ON')
    expect(MixAll.getRetryTopic('g')).toBe('%RETRY%g')
    expect(MixAll.getDLQTopic('g')).toBe('%DLQ%g')
    expect(MixAll.isRetryTopic('%RETRY%g') && !MixAll.isRetryTopic('%DLQ%g')).toBe(true)
    expect(MixAll.getGroupOfRetryOrDLQTopic('%DLQ%g')).toBe('g')
    expect(MixAll.isSysTopic('TBW102') && MixAll.isSysTopic('rmq_sys_x') && !MixAll.isSysTopic('TopicTest')).toBe(true)
    expect([MixAll.DEFAULT_TOPIC, MixAll.CLIENT_INNER_PRODUCER_GROUP, MixAll.MASTER_ID]).toEqual(['TBW102', 'CLIENT_INNER_PRODUCER', 0])
  })
})

describe('crc32', () => {
  it('matches the known vector and the table fallback', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926)
    expect(crc32(Buffer.from('Hello RocketMQ 0')) & 0x7fffffff).toBe(0x248c774f)
    for (let i = 0; i < 20; i++) {
      const data = randomBytes(i * 37)
      expect(crc32Fallback(data)).toBe(crc32(data))
    }
  })
})
