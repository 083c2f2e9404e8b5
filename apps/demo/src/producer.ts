/**
 * RocketMQ quickstart producer: sends `messageCount` messages "Hello RocketMQ <i>" to TopicTest with tag TagA
 * and prints each SendResult. Run: `pnpm --filter @cometmq/demo producer` (NAMESRV_ADDR to override).
 */
import { Producer } from '@cometmq/client'
import { messageCount, namesrvAddr, producerGroup, tag, topic } from './options.js'

export async function runProducer(options: { count?: number; signal?: AbortSignal } = {}): Promise<number> {
  const producer = new Producer({ producerGroup, namesrvAddr })
  await producer.start()
  let sent = 0
  try {
    for (let i = 0; i < (options.count ?? messageCount); i++) {
      if (options.signal?.aborted) break
      const result = await producer.send(
        { topic, tags: tag, keys: `KEY${i}`, body: `Hello RocketMQ ${i}` },
        options.signal ? { signal: options.signal } : {},
      )
      console.log(
        `SendResult [sendStatus=${result.sendStatus}, msgId=${result.msgId}, offsetMsgId=${result.offsetMsgId}, ` +
          `messageQueue=MessageQueue [topic=${result.messageQueue.topic}, brokerName=${result.messageQueue.brokerName}, ` +
          `queueId=${result.messageQueue.queueId}], queueOffset=${result.queueOffset}]`,
      )
      sent++
    }
  } finally {
    await producer.shutdown()
  }
  return sent
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runProducer().then(
    (sent) => console.log(`Producer sent ${sent} messages and shut down.`),
    (error: unknown) => {
      console.error(error)
      process.exitCode = 1
    },
  )
}
