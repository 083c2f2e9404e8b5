import { afterEach, describe, expect, it } from 'vitest'
import { RequestCode, ResponseCode, createResponse, decodeProperties } from '@cometmq/protocol'
import type { RemotingCommand } from '@cometmq/protocol'
import { deferred, eventually, startFakeCluster, withTimeout } from './__fixtures__/fake-cluster.js'
import type { FakeBroker } from './__fixtures__/fake-cluster.js'
import { PushConsumer } from './push-consumer.js'
import type { PushConsumerOptions } from './push-consumer.js'
import type { ConsumedMessage } from './types.js'

type Cluster = Awaited<ReturnType<typeof startFakeCluster>>
const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})

async function cluster(brokers = 1): Promise<Cluster> {
  const c = await startFakeCluster(brokers)
  cleanups.push(c.close)
  return c
}

function consumer(c: Cluster, options: Partial<PushConsumerOptions> = {}): PushConsumer {
  const pc = new PushConsumer({ namesrvAddr: c.namesrv.addr, consumerGroup: 'CG', clientIP: '127.0.0.1', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', ...options })
  cleanups.push(() => pc.shutdown())
  return pc
}

const committed = (broker: FakeBroker, topic: string, queueId: number, group = 'CG'): number | undefined => broker.offsets.get(`${group}@${topic}:${queueId}`)
const offsetUpdate = (topic: string, queueId: number, offset: number) => (r: RemotingCommand): boolean =>
  r.extFields.topic === topic && Number(r.extFields.queueId) === queueId && Number(r.extFields.commitOffset) === offset

describe('PushConsumer', () => {
  it('consumes every message with tags/keys/properties, heartbeats the retry subscription and commits offsets on shutdown', async () => {
    const c = await cluster()
    const broker = c.brokers[0]!
    c.namesrv.setRoute('T1', c.brokers, 2)
    for (let i = 0; i < 10; i++) broker.put({ topic: 'T1', queueId: i % 2, body: `m${i}`, properties: { TAGS: 'A', KEYS: `k${i}`, UNIQ_KEY: `U${i}`, p: String(i) } })
    const received: ConsumedMessage[] = []
    const all = deferred()
    const pc = consumer(c)
    pc.subscribe('T1', '*')
    pc.onMessage((messages) => {
      received.push(...messages)
      if (received.length === 10) all.resolve()
    })
    await pc.start()
    await withTimeout(all.promise, 5000, '10 messages')
    expect(received.map((m) => m.body.toString()).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`).sort())
    const m3 = received.find((m) => m.msgId === 'U3')
    expect(m3).toMatchObject({ topic: 'T1', tags: 'A', keys: ['k3'], brokerName: 'broker-a', queueId: 1 })
    expect(m3?.properties.p).toBe('3')
    const heartbeat = broker.heartbeats[0]
    expect(heartbeat?.clientID).toBe(pc.clientId)
    expect(heartbeat?.consumerDataSet[0]).toMatchObject({ groupName: 'CG', consumeType: 'CONSUME_PASSIVELY', messageModel: 'CLUSTERING', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' })
    expect(heartbeat?.consumerDataSet[0]?.subscriptionDataSet.map((s) => `${s.topic}=${s.subString}`).sort()).toEqual(['%RETRY%CG=*', 'T1=*'])
    const pull = broker.requestsOf(RequestCode.PULL_MESSAGE)[0]
    expect(pull?.extFields).toMatchObject({ consumerGroup: 'CG', maxMsgNums: '32', suspendTimeoutMillis: '15000', subscription: '*', expressionType: 'TAG' })
    expect(Number(pull?.extFields.sysFlag) & 0b110).toBe(0b110)
    await pc.shutdown()
    expect(committed(broker, 'T1', 0)).toBe(5)
    expect(committed(broker, 'T1', 1)).toBe(5)
    expect(broker.requestsOf(RequestCode.UNREGISTER_CLIENT).some((r) => r.extFields.consumerGroup === 'CG')).toBe(true)
  })

  it('re-filters by tag when the broker does not filter', async () => {
    const c = await cluster()
    const broker = c.brokers[0]!
    broker.ignoreTagFilter = true
    c.namesrv.setRoute('T2', c.brokers, 1)
    for (const tag of ['A', 'B', 'A', 'C', 'B']) broker.put({ topic: 'T2', queueId: 0, body: tag, properties: { TAGS: tag } })
    broker.put({ topic: 'T2', queueId: 0, body: 'last', properties: { TAGS: 'C' } })
    const tags: string[] = []
    const done = deferred()
    const pc = consumer(c)
    pc.subscribe('T2', 'A || C')
    pc.onMessage((messages) => {
      for (const m of messages) tags.push(m.tags ?? '')
      if (messages.some((m) => m.body.toString() === 'last')) done.resolve()
    })
    await pc.start()
    await withTimeout(done.promise, 5000, 'the last message')
    expect(tags).toEqual(['A', 'A', 'C', 'C'])
  })

  it('RECONSUME_LATER sends the message back and it is redelivered from %RETRY% with the original topic', async () => {
    const c = await cluster()
    const broker = c.brokers[0]!
    c.namesrv.setRoute('T3', c.brokers, 1)
    c.namesrv.setRoute('%RETRY%CG', c.brokers, 1)
    const original = broker.put({ topic: 'T3', queueId: 0, body: 'retry-me', properties: { UNIQ_KEY: 'U-R', TAGS: 'X' } })
    const deliveries: ConsumedMessage[] = []
    const second = deferred()
    const pc = consumer(c)
    pc.subscribe('T3')
    pc.onMessage(([m]) => {
      deliveries.push(m!)
      if (deliveries.length === 1) return 'RECONSUME_LATER'
      second.resolve()
      return 'CONSUME_SUCCESS'
    })
    await pc.start()
    await withTimeout(second.promise, 5000, 'the redelivery')
    const back = broker.requestsOf(RequestCode.CONSUMER_SEND_MSG_BACK)[0]
    expect(back?.extFields).toMatchObject({ offset: String(original.commitLogOffset), group: 'CG', delayLevel: '0', originMsgId: 'U-R', originTopic: 'T3', maxReconsumeTimes: '16' })
    expect(deliveries[1]).toMatchObject({ topic: 'T3', msgId: 'U-R', reconsumeTimes: 1, tags: 'X' })
    expect(deliveries[1]?.body.toString()).toBe('retry-me')
    await pc.shutdown()
    expect(committed(broker, 'T3', 0)).toBe(1)
    expect(committed(broker, '%RETRY%CG', 0)).toBe(1)
  })

  it('falls back to sending to %RETRY% when CONSUMER_SEND_MSG_BACK fails, and a throwing listener counts as RECONSUME_LATER', async () => {
    const c = await cluster()
    const broker = c.brokers[0]!
    c.namesrv.setRoute('T4', c.brokers, 1)
    c.namesrv.setRoute('%RETRY%CG', c.brokers, 1)
    broker.override(RequestCode.CONSUMER_SEND_MSG_BACK, (request) => createResponse(request, ResponseCode.SYSTEM_ERROR, 'look message by offset failed'))
    broker.put({ topic: 'T4', queueId: 0, body: 'boom', properties: { UNIQ_KEY: 'U-F', KEYS: 'key1' } })
    const pc = consumer(c, { maxReconsumeTimes: 5 })
    pc.subscribe('T4')
    pc.onMessage(() => {
      throw new Error('listener failure')
    })
    await pc.start()
    const resend = await withTimeout(broker.waitForRequest(RequestCode.SEND_MESSAGE_V2), 5000, 'the fallback resend')
    expect(resend.extFields).toMatchObject({ a: 'CLIENT_INNER_PRODUCER', b: '%RETRY%CG', j: '1', l: '5' })
    const props = decodeProperties(resend.extFields.i ?? '')
    expect(props).toMatchObject({ RETRY_TOPIC: 'T4', ORIGIN_MESSAGE_ID: 'U-F', UNIQ_KEY: 'U-F', KEYS: 'key1', DELAY: '3' })
    expect(props.RECONSUME_TIME).toBeUndefined()
    expect(resend.body?.toString()).toBe('boom')
  })

  it('commits the smallest in-flight offset while an earlier message is still being consumed', async () => {
    const c = await cluster()
    const broker = c.brokers[0]!
    c.namesrv.setRoute('T5', c.brokers, 1)
    for (let i = 0; i < 5; i++) broker.put({ topic: 'T5', queueId: 0, body: `m${i}` })
    const release = deferred()
    const othersDone = deferred()
    let done = 0
    const pc = consumer(c, { consumeConcurrency: 5, persistConsumerOffsetInterval: 20 })
    pc.subscribe('T5')
    pc.onMessage(async ([m]) => {
      if (m!.queueOffset === 0) await release.promise
      else if (++done === 4) othersDone.resolve()
    })
    await pc.start()
    await withTimeout(othersDone.promise, 5000, 'messages 1..4')
    const first = await withTimeout(broker.waitForRequest(RequestCode.UPDATE_CONSUMER_OFFSET, (r) => r.extFields.topic === 'T5'), 5000, 'a commit')
    expect(first.extFields.commitOffset).toBe('0')
    release.resolve()
    await withTimeout(broker.waitForRequest(RequestCode.UPDATE_CONSUMER_OFFSET, offsetUpdate('T5', 0, 5)), 5000, 'commit of 5')
  })

  it('splits queues between two members and rebalances on NOTIFY_CONSUMER_IDS_CHANGED', async () => {
    const c = await cluster(2)
    c.namesrv.setRoute('T6', c.brokers, 2)
    const seen = new Set<string>()
    const listener = (messages: ConsumedMessage[]): void => {
      for (const m of messages) seen.add(m.body.toString())
    }
    const c1 = consumer(c, { instanceName: 'one' })
    c1.subscribe('T6')
    c1.onMessage(listener)
    await c1.start()
    expect(c1.assignedMessageQueues()).toHaveLength(4)
    const c2 = consumer(c, { instanceName: 'two' })
    c2.subscribe('T6')
    c2.onMessage(listener)
    await c2.start()
    await eventually(() => c1.assignedMessageQueues().length === 2 && c2.assignedMessageQueues().length === 2, 5000, 'a 2/2 split')
    const owned = [...c1.assignedMessageQueues(), ...c2.assignedMessageQueues()].map((q) => `${q.brokerName}:${q.queueId}`).sort()
    expect(owned).toEqual(['broker-a:0', 'broker-a:1', 'broker-b:0', 'broker-b:1'])
    for (const broker of c.brokers) for (let q = 0; q < 2; q++) broker.put({ topic: 'T6', queueId: q, body: `${broker.brokerName}-${q}` })
    await eventually(() => seen.size === 4, 5000, 'all four messages')
    await c2.shutdown()
    await eventually(() => c1.assignedMessageQueues().length === 4, 5000, 'c1 to take over every queue')
  })

  it('adopts nextBeginOffset on OFFSET_ILLEGAL and commits it', async () => {
    const c = await cluster()
    const broker = c.brokers[0]!
    c.namesrv.setRoute('T7', c.brokers, 1)
    broker.offsets.set('CG@T7:0', 100)
    for (let i = 0; i < 3; i++) broker.put({ topic: 'T7', queueId: 0, body: `m${i}` })
    const pc = consumer(c)
    pc.subscribe('T7')
    pc.onMessage(() => undefined)
    await pc.start()
    await withTimeout(broker.waitForRequest(RequestCode.UPDATE_CONSUMER_OFFSET, offsetUpdate('T7', 0, 3)), 5000, 'commit of 3')
  })

  it('starts at the max offset with CONSUME_FROM_LAST_OFFSET and at 0 for the retry topic', async () => {
    const c = await cluster()
    const broker = c.brokers[0]!
    c.namesrv.setRoute('T8', c.brokers, 1)
    c.namesrv.setRoute('%RETRY%CG', c.brokers, 1)
    broker.put({ topic: 'T8', queueId: 0, body: 'old' })
    broker.put({ topic: '%RETRY%CG', queueId: 0, body: 'old-retry', properties: { RETRY_TOPIC: 'T8' } })
    const bodies: string[] = []
    const got = deferred()
    const pc = consumer(c, { consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET' })
    pc.subscribe('T8')
    pc.onMessage(([m]) => {
      bodies.push(m!.body.toString())
      if (bodies.includes('new') && bodies.includes('old-retry')) got.resolve()
    })
    await pc.start()
    broker.put({ topic: 'T8', queueId: 0, body: 'new' })
    await withTimeout(got.promise, 5000, 'the new and the retry message')
    expect(bodies.sort()).toEqual(['new', 'old-retry'])
    expect(broker.requestsOf(RequestCode.GET_MAX_OFFSET).map((r) => r.extFields.topic)).toEqual(['T8'])
  })

  it('shutdown aborts a held long poll and waits for the listener in flight', async () => {
    const c = await cluster()
    const broker = c.brokers[0]!
    broker.holdMs = 60_000
    c.namesrv.setRoute('T9', c.brokers, 2)
    broker.put({ topic: 'T9', queueId: 0, body: 'slow' })
    const started = deferred()
    const release = deferred()
    const order: string[] = []
    const pc = consumer(c)
    pc.subscribe('T9')
    pc.onMessage(async () => {
      started.resolve()
      await release.promise
      order.push('listener done')
    })
    await pc.start()
    await withTimeout(started.promise, 5000, 'the listener')
    await withTimeout(broker.waitForRequest(RequestCode.PULL_MESSAGE, (r) => r.extFields.queueId === '1'), 5000, 'a held pull')
    const stopping = pc.shutdown().then(() => order.push('shutdown done'))
    release.resolve()
    await withTimeout(stopping, 5000, 'shutdown')
    expect(order).toEqual(['listener done', 'shutdown done'])
    expect(committed(broker, 'T9', 0)).toBe(1)
  })

  it('pauses pulling at pullThresholdForQueue and still shuts down while paused', async () => {
    const c = await cluster()
    const broker = c.brokers[0]!
    c.namesrv.setRoute('T10', c.brokers, 1)
    for (let i = 0; i < 6; i++) broker.put({ topic: 'T10', queueId: 0, body: `m${i}` })
    const started = deferred()
    const release = deferred()
    let completed = 0
    const pc = consumer(c, { pullBatchSize: 2, pullThresholdForQueue: 2, consumeConcurrency: 1 })
    pc.subscribe('T10')
    pc.onMessage(async () => {
      started.resolve()
      await release.promise
      completed++
    })
    await pc.start()
    await withTimeout(started.promise, 5000, 'the first listener call')
    // The queue holds 2 unconsumed messages = the threshold: no further pull of T10 may be sent.
    const pulls = broker.requestsOf(RequestCode.PULL_MESSAGE).filter((r) => r.extFields.topic === 'T10')
    expect(pulls).toHaveLength(1)
    const stopping = pc.shutdown()
    release.resolve()
    await withTimeout(stopping, 5000, 'shutdown')
    // The queued second message may or may not have started before shutdown; the offset matches what finished.
    expect(completed).toBeGreaterThanOrEqual(1)
    expect(committed(broker, 'T10', 0)).toBe(completed)
  })

  it('commits the end of every queue when shut down by the listener of the last message (last pulls sent with batches in flight)', async () => {
    const c = await cluster()
    const broker = c.brokers[0]!
    // The broker finishes evaluating a pull's COMMIT_OFFSET only after the next commit of that queue, as a broker
    // with an asynchronous store read does when the shutdown commit follows the pull on the same connection.
    broker.lateCommitOfPull = true
    broker.holdMs = 60_000
    const queueNums = 8
    const perQueue = 58 // 32 + 26: each queue's last FOUND holds 26 messages and is followed by one more (held) pull
    c.namesrv.setRoute('T11', c.brokers, queueNums)
    for (let q = 0; q < queueNums; q++) for (let i = 0; i < perQueue; i++) broker.put({ topic: 'T11', queueId: q, body: `q${q}-${i}` })
    const total = queueNums * perQueue
    const deliveries = new Map<string, number>()
    let stopping: Promise<void> | undefined
    const lastConsumed = deferred()
    let callsAfterShutdown = 0
    const pc = consumer(c, { consumeConcurrency: 6 })
    pc.subscribe('T11')
    pc.onMessage(async ([m]) => {
      if (stopping) callsAfterShutdown++
      // Listener calls complete out of order: odd offsets finish a turn of the event loop later.
      if (m!.queueOffset % 2 === 1) await new Promise((resolve) => setImmediate(resolve))
      const body = m!.body.toString()
      deliveries.set(body, (deliveries.get(body) ?? 0) + 1)
      if (deliveries.size === total && !stopping) {
        stopping = pc.shutdown()
        lastConsumed.resolve()
      }
    })
    await pc.start()
    await withTimeout(lastConsumed.promise, 10_000, 'every message')
    await withTimeout(stopping!, 10_000, 'shutdown')
    expect(deliveries.size).toBe(total)
    expect([...deliveries.values()].every((n) => n === 1)).toBe(true)
    expect(callsAfterShutdown).toBe(0)
    expect(Array.from({ length: queueNums }, (_, q) => committed(broker, 'T11', q))).toEqual(Array.from({ length: queueNums }, () => perQueue))
  })

  it('commits the offset of a queue released by rebalance', async () => {
    const c = await cluster()
    const broker = c.brokers[0]!
    broker.holdMs = 60_000 // no pull returns on its own: the only commits are the release and the shutdown
    c.namesrv.setRoute('T12', c.brokers, 4)
    for (let q = 0; q < 4; q++) for (let i = 0; i < 5; i++) broker.put({ topic: 'T12', queueId: q, body: `q${q}-${i}` })
    const seen = new Set<string>()
    const all = deferred()
    const c1 = consumer(c, { instanceName: 'one', persistConsumerOffsetInterval: 60_000 })
    c1.subscribe('T12')
    c1.onMessage(([m]) => {
      seen.add(m!.body.toString())
      if (seen.size === 20) all.resolve()
    })
    await c1.start()
    await withTimeout(all.promise, 5000, '20 messages')
    expect(broker.requestsOf(RequestCode.UPDATE_CONSUMER_OFFSET)).toHaveLength(0)
    const c2 = consumer(c, { instanceName: 'two', persistConsumerOffsetInterval: 60_000 })
    c2.subscribe('T12')
    c2.onMessage(() => undefined)
    await c2.start()
    await eventually(() => c1.assignedMessageQueues().length === 2, 5000, 'c1 to release two queues')
    const kept = new Set(c1.assignedMessageQueues().map((q) => q.queueId))
    const released = [0, 1, 2, 3].filter((q) => !kept.has(q))
    expect(released).toHaveLength(2)
    await eventually(() => released.every((q) => committed(broker, 'T12', q) === 5), 5000, 'commits of the released queues')
  })

  it('validates its configuration', async () => {
    const c = await cluster()
    const pc = consumer(c)
    await expect(pc.start()).rejects.toMatchObject({ code: 'NO_LISTENER' })
    pc.onMessage(() => undefined)
    await expect(pc.start()).rejects.toMatchObject({ code: 'NO_SUBSCRIPTION' })
    expect(() => pc.subscribe('bad topic')).toThrow(TypeError)
    expect(() => consumer(c, { consumeTimestamp: '2024' })).toThrow(RangeError)
  })
})
