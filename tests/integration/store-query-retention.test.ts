/**
 * Message query, retention and disk-full behaviour over real sockets, once per broker.conf storeType
 * (default = FileMessageStore, level = LevelMessageStore, memory = MemoryMessageStore):
 * - QUERY_MESSAGE (12) by KEYS word and by UNIQ_KEY through Admin and as raw wire requests (`_UNIQUE_KEY_QUERY`,
 *   Long.MAX_VALUE end time), 22 QUERY_NOT_FOUND for an unknown key, VIEW_MESSAGE_BY_ID (33) by offset msgId;
 * - retention: with 16 KiB commit-log segments, a group commits early offsets, retention deletes every segment but the
 *   newest, the restarted consumer gets exactly the retained messages (21 PULL_OFFSET_MOVED → nextBeginOffset = min);
 * - disk full (a `diskUsage` probe injected into the store): sends get 14 SERVICE_NOT_AVAILABLE naming the disk, and
 *   are accepted again once usage drops.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Admin, MQBrokerError, Producer, PushConsumer } from '@cometmq/client'
import type { ConsumedMessage, MessageQueue, SendResult } from '@cometmq/client'
import { createTopic, startCluster } from '../harness/cluster.js'
import type { Cluster } from '../harness/cluster.js'
import { Code, PullFlag, Resp } from '../harness/codes.js'
import { sendV2 } from '../harness/messaging.js'
import { decodeRecords } from '../harness/records.js'
import { uniqueName, waitFor } from '../harness/wait.js'
import { WireConnection } from '../harness/wire.js'

const STORE_TYPES = ['default', 'level', 'memory'] as const
const SEGMENT_BYTES = 16 * 1024
const LONG_MAX_VALUE = '9223372036854775807'
/** Store time window that holds every message of these tests. */
const WINDOW = { beginTimestamp: 0, endTimestamp: LONG_MAX_VALUE }

/** Commit-log offset inside an offset msgId (last 16 hex chars, §6.1). */
function decodeOffset(offsetMsgId: string): number {
  return Number.parseInt(offsetMsgId.slice(-16), 16)
}

describe.each(STORE_TYPES)('storeType=%s', (storeType) => {
  let cluster: Cluster
  let producer: Producer
  let admin: Admin
  let wire: WireConnection
  /** What the injected disk-usage probe reports, percent. */
  let diskUsagePercent = 40
  const stops: Array<() => Promise<void>> = []

  beforeAll(async () => {
    cluster = await startCluster({
      storeType,
      brokerConfig: { mappedFileSizeCommitLog: SEGMENT_BYTES, maxHashSlotNum: 1024, maxIndexNum: 4096 },
      storeConfig: { diskUsage: async () => diskUsagePercent },
    })
    producer = new Producer({ namesrvAddr: cluster.namesrvAddr, producerGroup: uniqueName('PG'), clientIP: '127.0.0.1', retryTimesWhenSendFailed: 0 })
    await producer.start()
    admin = new Admin({ namesrvAddr: cluster.namesrvAddr, clientIP: '127.0.0.1' })
    await admin.start()
    wire = await WireConnection.connect(broker().addr)
  })

  afterAll(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {})
    await wire?.close()
    await admin?.shutdown()
    await producer?.shutdown()
    await cluster?.stop()
  })

  const broker = () => cluster.brokers[0]!
  const store = () => broker().controller.store

  it('finds messages by KEYS word and by UNIQ_KEY, views them by offset msgId, and answers 22 for an unknown key', async () => {
    const topic = uniqueName('Query')
    await createTopic(cluster, topic, { queueNums: 2 })
    const sent: SendResult[] = []
    for (let i = 0; i < 5; i++) sent.push(await producer.send({ topic, body: `q-${i}`, keys: [`order-${i}`, 'batch-A'], tags: 'T' }))
    const decoy = await producer.send({ topic, body: 'decoy', keys: 'order-10' })
    await producer.send({ topic: uniqueName('OtherTopic'), body: 'other topic', keys: 'order-1' }).catch(() => undefined)

    const one = await admin.queryMessage({ topic, key: 'order-1' })
    expect(one.map((m) => m.body.toString())).toEqual(['q-1'])
    expect(one[0]).toMatchObject({ topic, msgId: sent[1]!.msgId, offsetMsgId: sent[1]!.offsetMsgId, keys: ['order-1', 'batch-A'] })
    const batch = await admin.queryMessage({ topic, key: 'batch-A' })
    expect(batch.map((m) => m.body.toString()).sort()).toEqual(['q-0', 'q-1', 'q-2', 'q-3', 'q-4'])
    expect(batch.map((m) => m.storeTimestamp)).toEqual([...batch.map((m) => m.storeTimestamp)].sort((a, b) => b - a))
    expect((await admin.queryMessage({ topic, key: 'order-10' })).map((m) => m.msgId)).toEqual([decoy.msgId])
    expect(await admin.queryMessage({ topic, key: 'no-such-key' })).toEqual([])

    const byUniqKey = await admin.queryMessageByUniqKey(topic, sent[3]!.msgId)
    expect(byUniqKey?.body.toString()).toBe('q-3')
    expect((await admin.viewMessage(topic, sent[2]!.msgId)).body.toString()).toBe('q-2')
    expect((await admin.viewMessage(sent[4]!.offsetMsgId)).body.toString()).toBe('q-4')

    // the same over a raw connection, as a Java client sends it
    const unique = await wire.invoke(Code.QUERY_MESSAGE, { topic, key: sent[0]!.msgId, maxNum: 1, ...WINDOW, _UNIQUE_KEY_QUERY: 'true' })
    expect(unique.code).toBe(Resp.SUCCESS)
    const [record, ...rest] = decodeRecords(unique.body!)
    expect(rest).toEqual([])
    expect(record).toMatchObject({ topic, offsetMsgId: sent[0]!.offsetMsgId })
    expect(record!.properties.UNIQ_KEY).toBe(sent[0]!.msgId)
    expect(Number(unique.extFields.indexLastUpdateTimestamp)).toBeGreaterThanOrEqual(record!.storeTimestamp)
    expect(unique.extFields).toHaveProperty('indexLastUpdatePhyoffset')
    const byKey = await wire.invoke(Code.QUERY_MESSAGE, { topic, key: 'batch-A', maxNum: 3, ...WINDOW })
    expect(decodeRecords(byKey.body!)).toHaveLength(3)
    const missing = await wire.invoke(Code.QUERY_MESSAGE, { topic, key: 'no-such-key', maxNum: 32, ...WINDOW })
    expect(missing.code).toBe(Resp.QUERY_NOT_FOUND)
    expect(missing.remark).toBe('can not find message, maybe time range not correct')

    const view = await wire.invoke(Code.VIEW_MESSAGE_BY_ID, { offset: record!.commitLogOffset })
    expect(view.code).toBe(Resp.SUCCESS)
    expect(view.body?.equals(record!.raw)).toBe(true)
  })

  it('after retention a restarted consumer gets exactly the retained messages, from each queue\'s min offset', async () => {
    const topic = uniqueName('Retention')
    const group = uniqueName('CG')
    await createTopic(cluster, topic, { queueNums: 2 })
    const body = (i: number): string => `r-${i}-`.padEnd(1000, '.')
    const send = (i: number): Promise<SendResult> => producer.send({ topic, body: body(i), keys: [`r-${i}`, 'retention'] })
    const sent: SendResult[] = []
    for (let i = 0; i < 10; i++) sent.push(await send(i))

    // the group consumes the first 10 messages and commits their offsets (5 per queue)
    const early = new Set<string>()
    const first = consumer(group, topic, (messages) => messages.forEach((m) => early.add(m.body.toString())))
    await first.start()
    await waitFor(() => early.size === 10, { timeoutMs: 10_000, description: 'the first 10 messages' })
    await first.shutdown()
    const queues: MessageQueue[] = [0, 1].map((queueId) => ({ topic, brokerName: broker().brokerName, queueId }))
    const committed = await Promise.all(queues.map((mq) => admin.queryConsumerOffset(group, mq)))
    expect(committed).toEqual([5, 5])

    // several more segments, then retention as if 73 h had passed: every segment but the newest goes
    for (let batch = 0; batch < 5; batch++) sent.push(...(await Promise.all(Array.from({ length: 10 }, (_, i) => send(10 + batch * 10 + i)))))
    expect((await admin.queryMessage({ topic, key: 'r-0' })).map((m) => m.msgId)).toEqual([sent[0]!.msgId])
    const report = await store().deleteExpiredFiles({ now: Date.now() + 73 * 3_600_000 })
    expect(report.deletedSegments).toBeGreaterThanOrEqual(2)
    const mins = queues.map((mq) => store().getMinOffsetInQueue(topic, mq.queueId))
    const maxes = queues.map((mq) => store().getMaxOffsetInQueue(topic, mq.queueId))
    expect(maxes).toEqual([30, 30])
    for (const min of mins) {
      expect(min).toBeGreaterThan(5)
      expect(min).toBeLessThan(30)
    }

    // a raw pull below the min offset is told where the queue now starts
    const below = await wire.invoke(Code.PULL_MESSAGE, {
      consumerGroup: group, topic, queueId: 0, queueOffset: 5, maxMsgNums: 32, sysFlag: PullFlag.SUBSCRIPTION, commitOffset: 0,
      suspendTimeoutMillis: 0, subscription: '*', subVersion: 0, expressionType: 'TAG',
    })
    expect(below.code).toBe(Resp.PULL_OFFSET_MOVED)
    expect(below.extFields).toMatchObject({ nextBeginOffset: String(mins[0]), minOffset: String(mins[0]), maxOffset: '30' })

    // the restarted group resumes at the min offsets: every retained message once, nothing deleted
    const expected = new Set<string>()
    for (const [queueId, min] of mins.entries()) for (let offset = min; offset < 30; offset++) expected.add(`${queueId}@${offset}`)
    const received = new Map<string, ConsumedMessage>()
    const unexpected: string[] = []
    const second = consumer(group, topic, (messages) => {
      for (const m of messages) {
        const id = `${m.queueId}@${m.queueOffset}`
        if (!expected.has(id) || received.has(id)) unexpected.push(id)
        received.set(id, m)
      }
    })
    await second.start()
    await waitFor(() => received.size === expected.size, { timeoutMs: 10_000, description: () => `${expected.size} retained messages (got ${received.size})` })
    expect(unexpected).toEqual([])
    const bodies = new Set([...received.values()].map((m) => m.body.toString()))
    for (const early of ['r-0-', 'r-1-', 'r-9-']) expect([...bodies].some((b) => b.startsWith(early))).toBe(false)
    await waitFor(async () => (await Promise.all(queues.map((mq) => admin.queryConsumerOffset(group, mq)))).every((offset) => offset === 30), {
      timeoutMs: 5_000,
      description: 'offsets committed up to the max offset',
    })
    // deleted records are gone from every lookup; retained ones are still found
    expect(await admin.queryMessage({ topic, key: 'r-0' })).toEqual([])
    expect(await admin.queryMessageByUniqKey(topic, sent[0]!.msgId)).toBeNull()
    const viewDeleted = await wire.invoke(Code.VIEW_MESSAGE_BY_ID, { offset: decodeOffset(sent[0]!.offsetMsgId) })
    expect(viewDeleted.code).toBe(Resp.SYSTEM_ERROR)
    expect(viewDeleted.remark).toBe(`can not find message by the offset, ${decodeOffset(sent[0]!.offsetMsgId)}`)
    expect((await admin.queryMessage({ topic, key: 'r-59' })).map((m) => m.msgId)).toEqual([sent[59]!.msgId])
    const retained = await admin.queryMessage({ topic, key: 'retention' })
    expect(retained.map((m) => `${m.queueId}@${m.queueOffset}`).sort()).toEqual([...expected].sort())
  })

  it('refuses sends with 14 SERVICE_NOT_AVAILABLE naming the disk while it is full, and accepts them once space is freed', async () => {
    const topic = uniqueName('DiskFull')
    await createTopic(cluster, topic, { queueNums: 1 })
    expect((await producer.send({ topic, body: 'before' })).sendStatus).toBe('SEND_OK')
    diskUsagePercent = 95
    try {
      await store().deleteExpiredFiles() // a disk check, as the cleanResourceInterval timer makes
      expect(store().diskFull).toBe(true)
      const refused = await sendV2(wire, { topic, queueId: 0, body: Buffer.from('refused') })
      expect(refused.code).toBe(Resp.SERVICE_NOT_AVAILABLE)
      expect(refused.remark).toContain("the broker's disk is full [disk usage 95.00%]")
      const error = await producer.send({ topic, body: 'refused too' }).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(MQBrokerError)
      expect(error).toMatchObject({ responseCode: Resp.SERVICE_NOT_AVAILABLE })
      expect(store().getMaxOffsetInQueue(topic, 0)).toBe(1)
    } finally {
      diskUsagePercent = 40
    }
    await store().deleteExpiredFiles()
    expect(store().diskFull).toBe(false)
    expect((await producer.send({ topic, body: 'after' })).sendStatus).toBe('SEND_OK')
    expect(store().getMaxOffsetInQueue(topic, 0)).toBe(2)
  })

  function consumer(group: string, topic: string, onMessages: (messages: ConsumedMessage[]) => void): PushConsumer {
    const c = new PushConsumer({
      namesrvAddr: cluster.namesrvAddr,
      consumerGroup: group,
      clientIP: '127.0.0.1',
      consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
      pollNameServerInterval: 500,
      rebalanceInterval: 500,
      persistConsumerOffsetInterval: 200,
    })
    c.subscribe(topic)
    c.onMessage(onMessages)
    stops.push(() => c.shutdown())
    return c
  }
})
