/**
 * Two name servers (§7.2): one broker with namesrvAddr 'a;b' registers with both; clients need only one live name
 * server from their list. A Producer knowing only b sends, a PushConsumer knowing [dead address, a] consumes
 * everything, and once a is stopped a client that knows [a, b] keeps working: its route lookups fall over to b.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Producer, PushConsumer } from '@cometmq/client'
import type { ConsumedMessage, PushConsumerOptions } from '@cometmq/client'
import { createTopic, createTopicOnBroker, freePort, getClusterInfo, getRoute, startCluster } from '../harness/cluster.js'
import type { Cluster } from '../harness/cluster.js'
import { Code } from '../harness/codes.js'
import { SniffingProxy } from '../harness/proxy.js'
import { uniqueName, waitFor, withTimeout } from '../harness/wait.js'

let cluster: Cluster
const stops: Array<() => Promise<void>> = []

beforeAll(async () => {
  cluster = await startCluster({ brokers: 1, namesrvs: 2, storeType: 'memory' })
})

afterAll(async () => {
  for (const stop of stops.reverse()) await stop().catch(() => {})
  await cluster?.stop()
})

function consumer(namesrvAddr: string | string[], group: string, options: Partial<PushConsumerOptions> = {}): PushConsumer {
  const c = new PushConsumer({ namesrvAddr, consumerGroup: group, clientIP: '127.0.0.1', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', ...options })
  stops.push(() => c.shutdown())
  return c
}

/** Listener that records bodies; `until(n)` resolves once n distinct bodies were seen. */
function recorder(): { listener: (messages: ConsumedMessage[]) => void; seen: Set<string>; until: (n: number) => Promise<void> } {
  const seen = new Set<string>()
  const waiters: Array<{ n: number; resolve: () => void }> = []
  return {
    seen,
    listener: (messages) => {
      for (const m of messages) seen.add(m.body.toString())
      for (const w of [...waiters]) if (seen.size >= w.n) w.resolve()
    },
    until: (n) => (seen.size >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
  }
}

async function sendAll(producer: Producer, topic: string, prefix: string, count: number): Promise<string[]> {
  const bodies = Array.from({ length: count }, (_, i) => `${prefix}-${i}`)
  const results = await Promise.all(bodies.map((body) => producer.send({ topic, body })))
  for (const r of results) expect(r.sendStatus).toBe('SEND_OK')
  return bodies
}

describe('two name servers', () => {
  it('registers the broker in both; producer on b, consumer on [dead, a]; a client on [a, b] survives stopping a', { timeout: 60_000 }, async () => {
    const [addrA, addrB] = cluster.namesrvAddrs as [string, string]
    const broker = cluster.brokers[0]!
    for (const addr of [addrA, addrB]) {
      const info = await getClusterInfo(addr)
      expect(info.brokerAddrTable[broker.brokerName]?.brokerAddrs['0']).toBe(broker.addr)
      expect(info.clusterAddrTable[cluster.clusterName]).toEqual([broker.brokerName])
    }

    const topic = uniqueName('MultiNs')
    await createTopic(cluster, topic, { queueNums: 4 }) // waits for the route on both name servers
    const producer = new Producer({ namesrvAddr: addrB, producerGroup: uniqueName('PG'), clientIP: '127.0.0.1' })
    stops.push(() => producer.shutdown())
    await producer.start()
    const bodies = await sendAll(producer, topic, 'm', 40)

    // A consumer whose list starts with an address nobody listens on.
    const dead = `127.0.0.1:${await freePort()}`
    const onA = recorder()
    const consumerA = consumer([dead, addrA], uniqueName('CG'))
    consumerA.subscribe(topic)
    consumerA.onMessage(onA.listener)
    await consumerA.start()
    await withTimeout(onA.until(bodies.length), 20_000, `${bodies.length} messages via [dead, a]`)
    expect([...onA.seen].sort()).toEqual([...bodies].sort())

    // A client on [a, b]. b's address is reserved but nothing listens on it yet, so the client settles on a.
    const bPort = await freePort()
    const viaB = `127.0.0.1:${bPort}`
    const onAB = recorder()
    const consumerAB = consumer([addrA, viaB], uniqueName('CG'))
    consumerAB.subscribe(topic)
    consumerAB.onMessage(onAB.listener)
    await consumerAB.start()
    await withTimeout(onAB.until(bodies.length), 20_000, `${bodies.length} messages via [a, b]`)

    // Now b answers on that address (a sniffing proxy in front of it), and a goes away.
    const proxyB = await SniffingProxy.start(addrB, { port: bPort })
    stops.push(() => proxyB.close())
    await cluster.namesrvs[0]!.shutdown()

    // A topic created after a stopped is known to b only; the [a, b] client must look it up there.
    const topic2 = uniqueName('MultiNsAfter')
    await createTopicOnBroker(broker.addr, topic2, { queueNums: 2 })
    await waitFor(async () => (await getRoute(addrB, topic2))?.queueDatas.some((q) => q.brokerName === broker.brokerName), { description: `route of ${topic2} in namesrv b` })
    consumerAB.subscribe(topic2)
    await waitFor(() => consumerAB.assignedMessageQueues().some((mq) => mq.topic === topic2), { timeoutMs: 15_000, description: `[a, b] client owning queues of ${topic2}` })
    expect(proxyB.requests.some((r) => r.code === Code.GET_ROUTEINFO_BY_TOPIC && r.extFields['topic'] === topic2)).toBe(true)
    const later = await sendAll(producer, topic2, 'after', 10)
    await withTimeout(onAB.until(bodies.length + later.length), 20_000, `${later.length} messages of ${topic2} after namesrv a stopped`)
    expect(later.every((body) => onAB.seen.has(body))).toBe(true)

    await consumerAB.shutdown()
    await consumerA.shutdown()
    await producer.shutdown()
  })
})
