/**
 * A PushConsumer shut down from the listener of its last message (as `bench consumer --count` does) against a real
 * in-process broker: the committed offsets must cover every consumed message, with no duplicate and no listener call
 * after shutdown began. Regression: the pull sent right after each queue's last FOUND carried the offset from before
 * that batch (COMMIT_OFFSET); the broker evaluated it after its asynchronous store read, i.e. after the shutdown's
 * UPDATE_CONSUMER_OFFSET, and the group was rewound by the size of the last batch (26 here). Whether the real broker
 * loses that race depends on its store timing (the file store at the time lost it every run); the deterministic
 * reproduction is the `lateCommitOfPull` test in packages/client/src/push-consumer.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Admin, Producer, PushConsumer } from '@cometmq/client'
import { createTopic, startCluster } from '../harness/cluster.js'
import type { Cluster } from '../harness/cluster.js'
import { uniqueName, withTimeout } from '../harness/wait.js'

for (const storeType of ['file', 'memory'] as const) {
  describe(`push consumer shutdown offsets (${storeType} store)`, () => {
    let cluster: Cluster
    let admin: Admin
    beforeAll(async () => {
      cluster = await startCluster({ brokers: 1, storeType })
      admin = new Admin({ namesrvAddr: cluster.namesrvAddr, clientIP: '127.0.0.1' })
      await admin.start()
    })
    afterAll(async () => {
      await admin?.shutdown()
      await cluster?.stop()
    })

    it('commits the end of every queue when shut down by the listener of the last message', async () => {
      const queueNums = 8
      const perQueue = 58 // 32 + 26: the last FOUND of each queue holds 26 messages
      const topic = uniqueName('SHUT')
      const brokerName = cluster.brokers[0]!.brokerName
      await createTopic(cluster, topic, { queueNums })
      const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, producerGroup: uniqueName('PG'), clientIP: '127.0.0.1' })
      await producer.start()
      try {
        for (let queueId = 0; queueId < queueNums; queueId++) {
          const messageQueue = { topic, brokerName, queueId }
          await Promise.all(Array.from({ length: perQueue }, (_, i) => producer.send({ topic, body: `q${queueId}-${i}` }, { messageQueue })))
        }
      } finally {
        await producer.shutdown()
      }

      const total = queueNums * perQueue
      const group = uniqueName('CG')
      const consumer = new PushConsumer({ namesrvAddr: cluster.namesrvAddr, consumerGroup: group, clientIP: '127.0.0.1', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' })
      consumer.subscribe(topic, '*')
      const deliveries = new Map<string, number>()
      let stopping: Promise<void> | undefined
      let callsAfterShutdown = 0
      let onLastMessage!: () => void
      const lastMessage = new Promise<void>((resolve) => {
        onLastMessage = resolve
      })
      consumer.onMessage((messages) => {
        if (stopping) callsAfterShutdown++
        for (const m of messages) deliveries.set(m.body.toString(), (deliveries.get(m.body.toString()) ?? 0) + 1)
        if (deliveries.size === total && !stopping) {
          stopping = consumer.shutdown() // like `bench consumer --count`: stop from the listener of the last message
          onLastMessage()
        }
        return 'CONSUME_SUCCESS'
      })
      await consumer.start()
      try {
        await withTimeout(lastMessage, 20_000, `${total} messages`)
        await withTimeout(stopping!, 20_000, 'consumer shutdown')
      } finally {
        await consumer.shutdown()
      }
      expect(deliveries.size).toBe(total)
      expect([...deliveries.values()].every((n) => n === 1)).toBe(true)
      expect(callsAfterShutdown).toBe(0)
      const offsets = await Promise.all(Array.from({ length: queueNums }, (_, queueId) => admin.queryConsumerOffset(group, { topic, brokerName, queueId })))
      expect(offsets).toEqual(Array.from({ length: queueNums }, () => perQueue))
    })
  })
}
