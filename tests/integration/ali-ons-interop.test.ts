/**
 * Interoperability with the real RocketMQ Node client ali-ons 3.12.0 (unchanged), over real sockets
 * against an in-process CometMQ namesrv + broker.
 *
 * ali-ons does not auto-create topics, so each test creates its topic first (UPDATE_AND_CREATE_TOPIC).
 * Consumers use CONSUME_FROM_FIRST_OFFSET and are confirmed to own their queues before anything is
 * produced, so no message can be skipped by a "start from max offset" decision.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Producer, PushConsumer } from '@cometmq/client'
import type { ConsumedMessage } from '@cometmq/client'
import type {
  Consumer as OnsConsumerType,
  Message as OnsMessageType,
  Producer as OnsProducerType,
  SendResult as OnsSendResult,
} from 'ali-ons'
import {
  OnsConsumer,
  OnsLogSink,
  OnsMessage,
  OnsProducer,
  closeAliOnsDefaultProducer,
  closeOns,
  onsOptions,
  ownedQueueIds,
} from '../harness/ali-ons.js'
import { createTopic, startCluster } from '../harness/cluster.js'
import type { Cluster } from '../harness/cluster.js'
import { uniqueName, waitFor, withTimeout } from '../harness/wait.js'

const QUEUES = 4

interface Received {
  body: Buffer
  tags: string | null | undefined
  keys: string | undefined
  properties: Record<string, string | null>
  queueId: number
  queueOffset: number
  msgId: string
}

let cluster: Cluster
const sink = new OnsLogSink()

afterAll(async () => {
  // ali-ons warnings/errors are collected, not printed; set DEBUG_ONS=1 to see them
  if (process.env.DEBUG_ONS) console.log(sink.lines.join('\n'))
  await closeAliOnsDefaultProducer()
})

/** Starts an ali-ons consumer on `topic` that records every message, and waits until it owns `expectQueues` queues. */
async function startOnsConsumer(options: {
  topic: string
  group: string
  instanceName?: string
  expectQueues?: number
  onMessage?: (msg: OnsMessageType) => void
}): Promise<{ consumer: OnsConsumerType; received: Received[]; errors: unknown[] }> {
  const received: Received[] = []
  const errors: unknown[] = []
  const consumer = new OnsConsumer({
    ...onsOptions(cluster.namesrvAddr, sink, options.instanceName ? { instanceName: options.instanceName } : {}),
    consumerGroup: options.group,
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
  })
  consumer.on('error', (error: unknown) => errors.push(error))
  consumer.subscribe(options.topic, '*', async (msg: OnsMessageType) => {
    received.push({
      body: Buffer.from(msg.body),
      tags: msg.tags,
      keys: msg.keys,
      properties: { ...msg.properties },
      queueId: msg.queueId,
      queueOffset: msg.queueOffset,
      msgId: msg.msgId,
    })
    options.onMessage?.(msg)
  })
  try {
    await withTimeout(consumer.ready(), 10_000, 'ali-ons consumer ready()')
    if (options.expectQueues !== undefined) {
      const want = options.expectQueues
      await waitFor(() => ownedQueueIds(consumer, options.topic).length === want, {
        timeoutMs: 15_000,
        description: () =>
          `ali-ons consumer ${options.group} to own ${want} queues of ${options.topic} (owns ${JSON.stringify(
            ownedQueueIds(consumer, options.topic),
          )}); errors: ${errors.map(String).slice(-3).join(' | ')}; log: ${sink.tail(5)}`,
      })
    }
  } catch (error) {
    await closeOns(consumer)
    throw error
  }
  return { consumer, received, errors }
}

async function startOnsProducer(): Promise<{ producer: OnsProducerType; errors: unknown[] }> {
  const errors: unknown[] = []
  const producer = new OnsProducer({ ...onsOptions(cluster.namesrvAddr, sink), producerGroup: uniqueName('P_ons') })
  producer.on('error', (error: unknown) => errors.push(error))
  await withTimeout(producer.ready(), 10_000, 'ali-ons producer ready()')
  return { producer, errors }
}

/** Sends `count` messages with ali-ons, `concurrency` at a time; every send must be SEND_OK. Returns the results by index. */
async function onsSendAll(
  producer: OnsProducerType,
  count: number,
  make: (i: number) => OnsMessageType,
  concurrency = 25,
): Promise<OnsSendResult[]> {
  const results: OnsSendResult[] = []
  for (let start = 0; start < count; start += concurrency) {
    const batch: Array<Promise<void>> = []
    for (let i = start; i < Math.min(count, start + concurrency); i++) {
      batch.push(
        producer.send(make(i)).then((result) => {
          expect(result.sendStatus, `ali-ons send #${i}`).toBe('SEND_OK')
          results[i] = result
        }),
      )
    }
    await Promise.all(batch)
  }
  return results
}

function uniqueBodies(received: Array<{ body: Buffer }>): Set<string> {
  return new Set(received.map((r) => r.body.toString('latin1')))
}

// Every storage adapter must look the same on the wire: the whole interop suite runs once per storeType.
describe.each(['default', 'level', 'memory'] as const)('ali-ons 3.12.0 interop (storeType=%s)', (storeType) => {
  beforeAll(async () => {
    cluster = await startCluster({ brokers: 1, storeType })
  })

  afterAll(async () => {
    await cluster?.stop()
  })

  it('ali-ons producer -> ali-ons consumer: 1000 messages all received with tags and keys intact', async () => {
    const topic = uniqueName('T_ons_a')
    const group = uniqueName('G_ons_a')
    await createTopic(cluster, topic, { queueNums: QUEUES })
    const { consumer, received, errors } = await startOnsConsumer({ topic, group, expectQueues: QUEUES })
    let producer: OnsProducerType | undefined
    try {
      ;({ producer } = await startOnsProducer())
      const N = 1000
      const results = await onsSendAll(producer, N, (i) => {
        const msg = new OnsMessage(topic, `Tag${i % 3}`, `body-${i}`)
        msg.keys = [`key-${i}`, `alt-${i}`]
        return msg
      })

      await waitFor(() => uniqueBodies(received).size >= N, {
        timeoutMs: 30_000,
        description: () => `${N} messages at the ali-ons consumer (have ${uniqueBodies(received).size}); errors: ${errors.map(String).slice(-3).join(' | ')}`,
      })

      const byBody = new Map(received.map((r) => [r.body.toString('utf8'), r]))
      for (let i = 0; i < N; i++) {
        const r = byBody.get(`body-${i}`)
        expect(r, `message body-${i}`).toBeDefined()
        expect(r?.tags).toBe(`Tag${i % 3}`)
        expect(r?.keys).toBe(`key-${i} alt-${i}`)
        // ali-ons derives msgId from the record's STOREHOST + PHYSICALOFFSET; it must match the send response
        expect(r?.msgId, `msgId of body-${i}`).toBe(results[i]?.msgId)
        expect(r?.queueId).toBe(Number(results[i]?.messageQueue.queueId)) // ali-ons keeps the header string
        expect(r?.queueOffset).toBe(results[i]?.queueOffset)
      }
      expect(received.length, 'no duplicate deliveries for a single stable consumer').toBe(N)
      expect(new Set(received.map((r) => r.queueId))).toEqual(new Set([0, 1, 2, 3]))
      // per queue, offsets are exactly 0..n-1 (each message delivered once, in order of the queue)
      for (let q = 0; q < QUEUES; q++) {
        const offsets = received.filter((r) => r.queueId === q).map((r) => r.queueOffset)
        expect(offsets).toEqual(offsets.map((_, idx) => idx))
      }
    } finally {
      await closeOns(consumer)
      await closeOns(producer)
    }
  }, 60_000)

  it('CometMQ Producer -> ali-ons consumer: bodies (incl. compressed ones), tags, keys and properties arrive', async () => {
    const topic = uniqueName('T_ons_b')
    const group = uniqueName('G_ons_b')
    await createTopic(cluster, topic, { queueNums: QUEUES })
    const { consumer, received, errors } = await startOnsConsumer({ topic, group, expectQueues: QUEUES })
    const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, producerGroup: uniqueName('P_comet_b') })
    try {
      await producer.start()
      const N = 200
      const bodies: Buffer[] = []
      for (let i = 0; i < N; i++) {
        // every 10th body is 10 KiB (> compressMsgBodyOverHowmuch 4096) so ali-ons has to inflate it
        const body = i % 10 === 0 ? Buffer.concat([Buffer.from(`big-${i}-`), randomBytes(10 * 1024)]) : Buffer.from(`comet-${i}-${randomBytes(8).toString('hex')}`)
        bodies.push(body)
        const result = await producer.send({
          topic,
          body,
          tags: `TagC${i % 2}`,
          keys: [`ck-${i}`, `ck2-${i}`],
          properties: { idx: String(i), custom: 'value with spaces' },
        })
        expect(result.sendStatus).toBe('SEND_OK')
      }

      await waitFor(() => uniqueBodies(received).size >= N, {
        timeoutMs: 30_000,
        description: () => `${N} messages at the ali-ons consumer (have ${uniqueBodies(received).size}); errors: ${errors.map(String).slice(-3).join(' | ')}`,
      })
      const byIdx = new Map(received.map((r) => [r.properties.idx, r]))
      for (let i = 0; i < N; i++) {
        const r = byIdx.get(String(i))
        expect(r, `message idx ${i}`).toBeDefined()
        expect(r?.body.equals(bodies[i] as Buffer), `body of message ${i}`).toBe(true)
        expect(r?.tags).toBe(`TagC${i % 2}`)
        expect(r?.keys).toBe(`ck-${i} ck2-${i}`)
        expect(r?.properties.custom).toBe('value with spaces')
      }
      expect(received.length).toBe(N)
    } finally {
      await closeOns(consumer)
      await producer.shutdown()
    }
  }, 60_000)

  it('ali-ons producer -> CometMQ PushConsumer: bodies (incl. ali-ons-compressed ones), tags and keys arrive', async () => {
    const topic = uniqueName('T_ons_c')
    const group = uniqueName('G_comet_c')
    await createTopic(cluster, topic, { queueNums: QUEUES })
    const received: ConsumedMessage[] = []
    const consumer = new PushConsumer({
      namesrvAddr: cluster.namesrvAddr,
      consumerGroup: group,
      consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
      rebalanceInterval: 1000,
    })
    consumer.subscribe(topic, '*')
    consumer.onMessage((messages) => {
      received.push(...messages)
      return 'CONSUME_SUCCESS'
    })
    let producer: OnsProducerType | undefined
    try {
      await consumer.start()
      ;({ producer } = await startOnsProducer())
      const N = 200
      const bodies: Buffer[] = []
      await onsSendAll(producer, N, (i) => {
        const body = i % 10 === 0 ? Buffer.concat([Buffer.from(`big-${i}-`), randomBytes(10 * 1024)]) : Buffer.from(`ons-${i}`)
        bodies[i] = body
        const msg = new OnsMessage(topic, `TagO${i % 2}`, body)
        msg.keys = [`ok-${i}`]
        msg.properties.idx = String(i)
        return msg
      })

      await waitFor(() => uniqueBodies(received).size >= N, {
        timeoutMs: 30_000,
        description: () => `${N} messages at the CometMQ PushConsumer (have ${uniqueBodies(received).size})`,
      })
      const byIdx = new Map(received.map((m) => [m.properties.idx, m]))
      for (let i = 0; i < N; i++) {
        const m = byIdx.get(String(i))
        expect(m, `message idx ${i}`).toBeDefined()
        expect(Buffer.from(m?.body ?? []).equals(bodies[i] as Buffer), `body of message ${i}`).toBe(true)
        expect(m?.topic).toBe(topic)
        expect(m?.tags).toBe(`TagO${i % 2}`)
        expect(m?.keys).toEqual([`ok-${i}`])
      }
      expect(received.length).toBe(N)
    } finally {
      await consumer.shutdown()
      await closeOns(producer)
    }
  }, 60_000)

  it('two ali-ons consumers in one group split the queues and together receive everything', async () => {
    const topic = uniqueName('T_ons_d')
    const group = uniqueName('G_ons_d')
    await createTopic(cluster, topic, { queueNums: QUEUES })
    const all = Array.from({ length: QUEUES }, (_, i) => i)
    const c1 = await startOnsConsumer({ topic, group, instanceName: uniqueName('c1'), expectQueues: QUEUES })
    let c2: Awaited<ReturnType<typeof startOnsConsumer>> | undefined
    let producer: OnsProducerType | undefined
    try {
      c2 = await startOnsConsumer({ topic, group, instanceName: uniqueName('c2') })
      const second = c2
      // ali-ons ignores NOTIFY_CONSUMER_IDS_CHANGED; both members converge on their rebalance timer (1 s here)
      await waitFor(
        () => {
          const a = ownedQueueIds(c1.consumer, topic)
          const b = ownedQueueIds(second.consumer, topic)
          return a.length > 0 && b.length > 0 && a.length + b.length === QUEUES && [...a, ...b].sort().join() === all.join()
        },
        {
          timeoutMs: 20_000,
          description: () =>
            `queues split between two members (c1 ${JSON.stringify(ownedQueueIds(c1.consumer, topic))}, c2 ${JSON.stringify(
              ownedQueueIds(second.consumer, topic),
            )}); log: ${sink.tail(5)}`,
        },
      )
      const owned1 = ownedQueueIds(c1.consumer, topic)
      const owned2 = ownedQueueIds(second.consumer, topic)

      ;({ producer } = await startOnsProducer())
      const N = 400
      await onsSendAll(producer, N, (i) => new OnsMessage(topic, 'TagD', `split-${i}`))

      const union = (): Set<string> => uniqueBodies([...c1.received, ...second.received])
      await waitFor(() => union().size >= N, {
        timeoutMs: 30_000,
        description: () => `${N} messages across both members (have ${union().size})`,
      })
      for (let i = 0; i < N; i++) expect(union().has(`split-${i}`), `split-${i}`).toBe(true)

      const q1 = [...new Set(c1.received.map((r) => r.queueId))].sort()
      const q2 = [...new Set(second.received.map((r) => r.queueId))].sort()
      expect(q1.length).toBeGreaterThan(0)
      expect(q2.length).toBeGreaterThan(0)
      expect(q1.length).toBeLessThan(QUEUES)
      expect(q2.length).toBeLessThan(QUEUES)
      expect(q1.filter((q) => q2.includes(q)), 'members consumed disjoint queues').toEqual([])
      expect(q1).toEqual(owned1)
      expect(q2).toEqual(owned2)
      expect(c1.received.length + second.received.length, 'no duplicate deliveries').toBe(N)
    } finally {
      await closeOns(c1.consumer)
      await closeOns(c2?.consumer)
      await closeOns(producer)
    }
  }, 60_000)
})
