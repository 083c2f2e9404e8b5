/**
 * @cometmq/client against a real in-process NamesrvController + BrokerController (memory store, port 0):
 * producer → push consumer, retry via %RETRY%, clustering rebalance across two members, committed offsets
 * surviving a consumer restart, the TBW102 auto-create path, PullConsumer and Admin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Admin, Producer, PullConsumer, PushConsumer } from '@cometmq/client'
import type { ConsumedMessage, PushConsumerOptions } from '@cometmq/client'
import { createTopic, startCluster } from '../harness/cluster.js'
import type { Cluster } from '../harness/cluster.js'
import { uniqueName, waitFor, withTimeout } from '../harness/wait.js'

let cluster: Cluster
let producer: Producer
const stops: Array<() => Promise<void>> = []

beforeAll(async () => {
  cluster = await startCluster({ brokers: 2, storeType: 'memory' })
  producer = new Producer({ namesrvAddr: cluster.namesrvAddr, producerGroup: uniqueName('PG'), clientIP: '127.0.0.1' })
  await producer.start()
})

afterAll(async () => {
  for (const stop of stops.reverse()) await stop().catch(() => {})
  await producer?.shutdown()
  await cluster?.stop()
})

/** Fast timers so route changes (retry topics) and membership changes are picked up within the test. */
function pushConsumer(group: string, options: Partial<PushConsumerOptions> = {}): PushConsumer {
  const consumer = new PushConsumer({
    namesrvAddr: cluster.namesrvAddr,
    consumerGroup: group,
    clientIP: '127.0.0.1',
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    pollNameServerInterval: 500,
    rebalanceInterval: 500,
    persistConsumerOffsetInterval: 500,
    ...options,
  })
  stops.push(() => consumer.shutdown())
  return consumer
}

/** Resolves once `count` distinct message bodies have been seen (listener side). */
function collector(count: number): { seen: Map<string, ConsumedMessage>; all: Promise<void>; add: (messages: ConsumedMessage[]) => void } {
  const seen = new Map<string, ConsumedMessage>()
  let resolve!: () => void
  const all = new Promise<void>((r) => {
    resolve = r
  })
  return {
    seen,
    all,
    add: (messages) => {
      for (const m of messages) seen.set(m.body.toString(), m)
      if (seen.size >= count) resolve()
    },
  }
}

describe('client end-to-end', () => {
  it('delivers 1000 messages from producer to push consumer with tags, keys and properties intact', async () => {
    const topic = uniqueName('E2E')
    await createTopic(cluster, topic, { queueNums: 4 })
    const sent = new Map<string, string>()
    for (let batch = 0; batch < 10; batch++) {
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) => {
          const n = batch * 100 + i
          return producer.send({ topic, body: `msg-${n}`, tags: n % 2 === 0 ? 'even' : 'odd', keys: [`k${n}`, `order-${n % 7}`], properties: { seq: String(n), big: n === 5 ? 'x'.repeat(100) : 'no' } })
        }),
      )
      results.forEach((r, i) => {
        expect(r.sendStatus).toBe('SEND_OK')
        sent.set(`msg-${batch * 100 + i}`, r.msgId)
      })
    }
    const large = Buffer.alloc(10_000, 'L')
    const largeResult = await producer.send({ topic, body: large, tags: 'big' })
    const { seen, all, add } = collector(1001)
    const consumer = pushConsumer(uniqueName('CG'))
    consumer.subscribe(topic, '*')
    consumer.onMessage((messages) => add(messages))
    await consumer.start()
    await withTimeout(all, 20_000, '1001 messages')
    for (let n = 0; n < 1000; n++) {
      const m = seen.get(`msg-${n}`)
      expect(m, `msg-${n}`).toBeDefined()
      expect(m).toMatchObject({ topic, tags: n % 2 === 0 ? 'even' : 'odd', keys: [`k${n}`, `order-${n % 7}`], msgId: sent.get(`msg-${n}`) })
      expect(m?.properties.seq).toBe(String(n))
    }
    expect(seen.get('msg-5')?.properties.big).toBe('x'.repeat(100))
    const big = [...seen.values()].find((m) => m.tags === 'big')
    expect(big?.body.equals(large)).toBe(true)
    expect(big?.msgId).toBe(largeResult.msgId)
  })

  it('filters by tag', async () => {
    const topic = uniqueName('Tags')
    await createTopic(cluster, topic, { queueNums: 2 })
    for (let i = 0; i < 20; i++) await producer.send({ topic, body: `t${i}`, tags: ['A', 'B', 'C'][i % 3] as string })
    const { seen, all, add } = collector(13)
    const consumer = pushConsumer(uniqueName('CG'))
    consumer.subscribe(topic, 'A || C')
    consumer.onMessage((messages) => add(messages))
    await consumer.start()
    await withTimeout(all, 10_000, '13 tagged messages')
    expect([...seen.values()].every((m) => m.tags === 'A' || m.tags === 'C')).toBe(true)
    expect(seen.size).toBe(13)
  })

  it('redelivers RECONSUME_LATER messages through %RETRY%<group>', async () => {
    const topic = uniqueName('Retry')
    const group = uniqueName('CG')
    await createTopic(cluster, topic, { queueNums: 2 })
    const result = await producer.send({ topic, body: 'try-again', tags: 'R', keys: 'retry-key' })
    const deliveries: ConsumedMessage[] = []
    let redelivered!: () => void
    const done = new Promise<void>((r) => {
      redelivered = r
    })
    const consumer = pushConsumer(group)
    consumer.subscribe(topic)
    consumer.onMessage((messages, context) => {
      deliveries.push(...messages)
      if (deliveries.length === 1) {
        context.delayLevelWhenNextConsume = 1 // 1 s on a broker with a schedule service; immediate on ours
        return 'RECONSUME_LATER'
      }
      redelivered()
      return 'CONSUME_SUCCESS'
    })
    await consumer.start()
    await withTimeout(done, 20_000, 'the redelivery')
    expect(deliveries[0]).toMatchObject({ topic, reconsumeTimes: 0, msgId: result.msgId })
    expect(deliveries[1]).toMatchObject({ topic, reconsumeTimes: 1, msgId: result.msgId, tags: 'R', keys: ['retry-key'] })
    expect(deliveries[1]?.body.toString()).toBe('try-again')
    expect(deliveries[1]?.properties.RETRY_TOPIC).toBe(topic)
  })

  it('splits queues across two members of a group and rebalances when one leaves', async () => {
    const topic = uniqueName('Group')
    const group = uniqueName('CG')
    await createTopic(cluster, topic, { queueNums: 4 })
    const received = new Map<string, string>()
    const listener = (who: string) => (messages: ConsumedMessage[]): void => {
      for (const m of messages) received.set(m.body.toString(), who)
    }
    const c1 = pushConsumer(group, { instanceName: 'c1' })
    c1.subscribe(topic)
    c1.onMessage(listener('c1'))
    await c1.start()
    const c2 = pushConsumer(group, { instanceName: 'c2' })
    c2.subscribe(topic)
    c2.onMessage(listener('c2'))
    await c2.start()
    const owned = (c: PushConsumer): string[] => c.assignedMessageQueues().filter((q) => q.topic === topic).map((q) => `${q.brokerName}:${q.queueId}`)
    await waitFor(() => owned(c1).length === 4 && owned(c2).length === 4, {
      timeoutMs: 10_000,
      description: () => `a 4/4 split (c1=${owned(c1).length}, c2=${owned(c2).length})`,
    })
    const all = [...owned(c1), ...owned(c2)]
    expect(new Set(all).size).toBe(8)
    for (let i = 0; i < 200; i++) await producer.send({ topic, body: `g${i}` })
    await waitFor(() => received.size === 200, { timeoutMs: 15_000, description: () => `200 messages (got ${received.size})` })
    expect(new Set(received.values())).toEqual(new Set(['c1', 'c2']))

    await c2.shutdown()
    await waitFor(() => owned(c1).length === 8, { timeoutMs: 10_000, description: 'c1 to own all 8 queues' })
    for (let i = 200; i < 300; i++) await producer.send({ topic, body: `g${i}` })
    await waitFor(() => received.size === 300, { timeoutMs: 15_000, description: () => `300 messages (got ${received.size})` })
    for (let i = 200; i < 300; i++) expect(received.get(`g${i}`)).toBe('c1')
  })

  it('commits offsets and resumes from them after a restart', async () => {
    const topic = uniqueName('Resume')
    const group = uniqueName('CG')
    await createTopic(cluster, topic, { queueNums: 2 })
    for (let i = 0; i < 50; i++) await producer.send({ topic, body: `first-${i}` })
    const first = collector(50)
    const c1 = pushConsumer(group)
    c1.subscribe(topic)
    c1.onMessage((messages) => first.add(messages))
    await c1.start()
    await withTimeout(first.all, 10_000, 'the first 50 messages')
    await c1.shutdown()

    for (let i = 0; i < 30; i++) await producer.send({ topic, body: `second-${i}` })
    const second = collector(30)
    const c2 = pushConsumer(group)
    c2.subscribe(topic)
    c2.onMessage((messages) => second.add(messages))
    await c2.start()
    await withTimeout(second.all, 10_000, 'the next 30 messages')
    expect([...second.seen.keys()].filter((body) => body.startsWith('first-'))).toEqual([])

    const admin = new Admin({ namesrvAddr: cluster.namesrvAddr })
    await admin.start()
    stops.push(() => admin.shutdown())
    const route = await admin.getTopicRoute(topic)
    let committed = 0
    for (const qd of route.queueDatas) {
      for (let q = 0; q < qd.readQueueNums; q++) {
        committed += Math.max(0, await admin.queryConsumerOffset(group, { topic, brokerName: qd.brokerName, queueId: q }))
      }
    }
    expect(committed).toBeGreaterThanOrEqual(50)
  })

  it('auto-creates a topic through TBW102 on first send', async () => {
    const topic = uniqueName('Auto')
    const result = await producer.send({ topic, body: 'auto' })
    expect(result.sendStatus).toBe('SEND_OK')
    const admin = new Admin({ namesrvAddr: cluster.namesrvAddr })
    await admin.start()
    stops.push(() => admin.shutdown())
    await waitFor(async () => (await admin.getTopicRoute(topic).catch(() => null)) !== null, { timeoutMs: 10_000, description: 'the auto-created route' })
  })

  it('Admin and PullConsumer: create a topic on the cluster, inspect it and pull from it', async () => {
    const admin = new Admin({ namesrvAddr: cluster.namesrvAddr })
    await admin.start()
    stops.push(() => admin.shutdown())
    const topic = uniqueName('Admin')
    const created = await admin.createTopic({ topic, clusterName: cluster.clusterName, readQueueNums: 2, writeQueueNums: 2 })
    expect(created.sort()).toEqual(cluster.brokers.map((b) => b.addr).sort())
    const info = await admin.getClusterInfo()
    expect(Object.keys(info.brokerAddrTable).sort()).toEqual(cluster.brokers.map((b) => b.brokerName).sort())
    await waitFor(async () => (await admin.getTopicList()).includes(topic), { timeoutMs: 10_000, description: 'topic in the topic list' })
    const mq = { topic, brokerName: cluster.brokers[0]!.brokerName, queueId: 1 }
    for (let i = 0; i < 3; i++) await producer.send({ topic, body: `p${i}`, tags: i === 1 ? 'skip' : 'keep' }, { messageQueue: mq })
    expect(await admin.getMaxOffset(mq)).toBe(3)
    expect(await admin.getMinOffset(mq)).toBe(0)

    const puller = new PullConsumer({ namesrvAddr: cluster.namesrvAddr, consumerGroup: uniqueName('PC') })
    await puller.start()
    stops.push(() => puller.shutdown())
    const queues = await puller.fetchSubscribeMessageQueues(topic)
    expect(queues).toHaveLength(4)
    const found = await puller.pull(mq, 'keep', 0, 32)
    expect(found.pullStatus).toBe('FOUND')
    expect(found.messages.map((m) => m.body.toString())).toEqual(['p0', 'p2'])
    expect(found.nextBeginOffset).toBe(3)
    const empty = await puller.pull(mq, '*', 3, 32)
    expect(empty.pullStatus).toBe('NO_NEW_MSG')
    expect(await puller.queryConsumerOffset(mq)).toBeLessThanOrEqual(0)
    await puller.updateConsumeOffset(mq, 3)
    expect(await puller.queryConsumerOffset(mq)).toBe(3)
    const controller = new AbortController()
    const held = puller.pull(mq, '*', 3, 32, { suspendTimeoutMillis: 20_000, signal: controller.signal })
    const reason = new Error('stop waiting')
    controller.abort(reason)
    await expect(held).rejects.toBe(reason)
  })
})
