import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { FakeAdmin } from '../__fixtures__/fake-admin.js'
import type { ViewedMessage } from '../admin-api.js'
import { formatJavaMap, formatTimestamp } from '../format.js'
import { NoMessageError, defaultBodyDir, formatMessage, queryMsgById, queryMsgByKey, queryMsgByUniqueKey } from './message-commands.js'

const OFFSET_ID = '7F00000100002A9F00000000000000D6'

function message(overrides: Partial<ViewedMessage> = {}): ViewedMessage {
  return {
    storeSize: 214, bodyCRC: 1, queueId: 3, flag: 0, queueOffset: 42, commitLogOffset: 214, sysFlag: 0,
    bornTimestamp: new Date(2024, 0, 2, 3, 4, 5, 6).getTime(), bornHost: { host: '192.0.2.2', port: 53211 },
    storeTimestamp: new Date(2024, 0, 2, 3, 4, 5, 78).getTime(), storeHost: { host: '127.0.0.1', port: 10911 },
    reconsumeTimes: 1, preparedTransactionOffset: 0, body: Buffer.from('héllo'), topic: 'TopicA',
    properties: { KEYS: 'k1 k2', UNIQ_KEY: 'C0A8000100002A9F0000000000000001', TAGS: 'TagA' },
    msgId: 'C0A8000100002A9F0000000000000001', offsetMsgId: OFFSET_ID, tags: 'TagA', keys: ['k1', 'k2'],
    ...overrides,
  }
}

const dirs: string[] = []
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

describe('queryMsgById', () => {
  it('prints RocketMQ printMsg lines and writes the body file named after the msgId', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mqadmin-body-'))
    dirs.push(dir)
    const admin = new FakeAdmin()
    admin.messages.set(OFFSET_ID, message())
    const lines = await queryMsgById(admin, { msgIds: [OFFSET_ID.toLowerCase()], bodyDir: join(dir, 'msgbodys') })
    const bodyPath = join(dir, 'msgbodys', 'C0A8000100002A9F0000000000000001')
    expect(lines).toEqual([
      `OffsetID:            ${OFFSET_ID}`,
      'Topic:               TopicA',
      'Tags:                [TagA]',
      'Keys:                [k1 k2]',
      'Queue ID:            3',
      'Queue Offset:        42',
      'CommitLog Offset:    214',
      'Reconsume Times:     1',
      'Born Timestamp:      2024-01-02 03:04:05,006',
      'Store Timestamp:     2024-01-02 03:04:05,078',
      'Born Host:           192.0.2.2:53211',
      'Store Host:          127.0.0.1:10911',
      'System Flag:         0',
      'Properties:          {KEYS=k1 k2, UNIQ_KEY=C0A8000100002A9F0000000000000001, TAGS=TagA}',
      `Message Body Path:   ${bodyPath}`,
    ])
    expect((await readFile(bodyPath)).toString()).toBe('héllo')
  })

  it('prints [null] for missing tags/keys, the body with -f, separates several ids and falls back to the offset id as file name', async () => {
    const admin = new FakeAdmin()
    const second = '7F00000100002A9F0000000000000200'
    admin.messages.set(OFFSET_ID, message({ properties: {}, msgId: OFFSET_ID }))
    admin.messages.set(second, message({ offsetMsgId: second, msgId: '../escape', properties: { UNIQ_KEY: '../escape' } }))
    const written: string[] = []
    const lines = await queryMsgById(admin, { msgIds: [OFFSET_ID, second], bodyFormat: 'utf8', bodyDir: '/bodies' }, async (dir, name) => {
      written.push(name)
      return `${dir}/${name}`
    })
    expect(written).toEqual([OFFSET_ID, second])
    expect(lines).toContain('Tags:                [null]')
    expect(lines).toContain('Keys:                [null]')
    expect(lines).toContain('Properties:          {}')
    expect(lines.filter((l) => l.startsWith('Message Body:'))).toEqual(['Message Body:        héllo', 'Message Body:        héllo'])
    expect(lines[16]).toBe('')
    expect(lines[17]).toBe(`OffsetID:            ${second}`)
  })

  it('fails when the broker has no such message', async () => {
    await expect(queryMsgById(new FakeAdmin(), { msgIds: [OFFSET_ID], bodyDir: '/unused' }, async () => 'x')).rejects.toThrow(/can not find message/)
  })

  it('formats timestamps, Java maps and the default body dir like RocketMQ', () => {
    expect(formatTimestamp(new Date(2023, 11, 31, 23, 59, 59, 999).getTime())).toBe('2023-12-31 23:59:59,999')
    expect(formatJavaMap({ a: '1', b: '' })).toBe('{a=1, b=}')
    expect(defaultBodyDir()).toBe(join(tmpdir(), 'rocketmq', 'msgbodys'))
    expect(formatMessage(message(), '/p')).toHaveLength(15)
  })
})

describe('queryMsgByKey', () => {
  it('prints RocketMQ\'s "%-50s %4s %40s" table of the messages carrying the key, newest first', async () => {
    const admin = new FakeAdmin()
    admin.addTopic('TopicA', { 'broker-a': 4 })
    admin.messages.set('A', message({ offsetMsgId: 'A', msgId: 'C0A8000100002A9F0000000000000001', queueId: 3, queueOffset: 42, keys: ['k1', 'k2'], storeTimestamp: 1000 }))
    admin.messages.set('B', message({ offsetMsgId: 'B', msgId: 'C0A8000100002A9F0000000000000002', queueId: 0, queueOffset: 7, keys: ['k2'], storeTimestamp: 2000 }))
    admin.messages.set('C', message({ offsetMsgId: 'C', msgId: 'C0A8000100002A9F0000000000000003', keys: ['k3'] }))
    const lines = await queryMsgByKey(admin, { topic: 'TopicA', key: 'k2', endTimestamp: 5000 })
    expect(lines).toEqual([
      `${'#Message ID'.padEnd(50)} #QID ${'#Offset'.padStart(40)}`,
      `${'C0A8000100002A9F0000000000000002'.padEnd(50)}    0 ${'7'.padStart(40)}`,
      `${'C0A8000100002A9F0000000000000001'.padEnd(50)}    3 ${'42'.padStart(40)}`,
    ])
    expect(admin.queries).toEqual([{ topic: 'TopicA', key: 'k2', maxNum: 64, endTimestamp: 5000 }])
  })

  it('fails with "no message" when nothing carries the key', async () => {
    const admin = new FakeAdmin()
    admin.addTopic('TopicA', { 'broker-a': 4 })
    await expect(queryMsgByKey(admin, { topic: 'TopicA', key: 'none' })).rejects.toThrow(NoMessageError)
  })
})

describe('queryMsgByUniqueKey', () => {
  const UNIQ = 'C0A8000100002A9F0000000000000001'

  it('prints the earliest copy without the OffsetID line (every copy with -a, body files <msgId>_<i>)', async () => {
    const admin = new FakeAdmin()
    admin.addTopic('TopicA', { 'broker-a': 4 })
    admin.messages.set('LATE', message({ offsetMsgId: 'LATE', storeTimestamp: 5000, queueOffset: 9, body: Buffer.from('late') }))
    admin.messages.set('EARLY', message({ offsetMsgId: 'EARLY', storeTimestamp: 1000, queueOffset: 1, body: Buffer.from('early') }))
    admin.messages.set('OTHER', message({ offsetMsgId: 'OTHER', msgId: 'C0A8000100002A9F00000000000000FF' }))
    const written: Array<[string, string]> = []
    const writer = async (dir: string, name: string, body: Buffer) => {
      written.push([name, body.toString()])
      return `${dir}/${name}`
    }
    const one = await queryMsgByUniqueKey(admin, { topic: 'TopicA', msgId: UNIQ, bodyDir: '/b' }, writer)
    expect(one[0]).toBe('Topic:               TopicA')
    expect(one).toContain('Queue Offset:        1')
    expect(one.at(-1)).toBe(`Message Body Path:   /b/${UNIQ}`)
    expect(one).toHaveLength(14)
    expect(admin.queries.at(-1)).toEqual({ topic: 'TopicA', key: UNIQ, uniqueKey: true, maxNum: 32 })

    const all = await queryMsgByUniqueKey(admin, { topic: 'TopicA', msgId: UNIQ, bodyDir: '/b', showAll: true }, writer)
    expect(all.filter((l) => l.startsWith('Queue Offset:'))).toEqual(['Queue Offset:        1', 'Queue Offset:        9'])
    expect(all[14]).toBe('')
    expect(written).toEqual([[UNIQ, 'early'], [UNIQ, 'early'], [`${UNIQ}_1`, 'late']])
  })

  it('fails with "no message" for an unknown id', async () => {
    const admin = new FakeAdmin()
    admin.addTopic('TopicA', { 'broker-a': 4 })
    await expect(queryMsgByUniqueKey(admin, { topic: 'TopicA', msgId: UNIQ, bodyDir: '/unused' }, async () => 'x')).rejects.toThrow(/no message/)
  })
})
