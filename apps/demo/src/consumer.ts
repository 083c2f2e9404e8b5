/**
 * RocketMQ quickstart consumer: subscribes TopicTest with `*`, consumes from the first offset and prints
 * every message it receives. Run: `pnpm --filter @cometmq/demo consumer`; Ctrl-C stops it cleanly.
 */
import { PushConsumer } from '@cometmq/client'
import { consumerGroup, namesrvAddr, topic } from './options.js'

export async function startConsumer(onReceived?: (count: number) => void): Promise<PushConsumer> {
  const consumer = new PushConsumer({ consumerGroup, namesrvAddr, consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET' })
  consumer.subscribe(topic, '*')
  let received = 0
  consumer.onMessage((messages) => {
    for (const message of messages) {
      received++
      console.log(
        `Receive New Messages: [msgId=${message.msgId}, topic=${message.topic}, tags=${message.tags ?? ''}, ` +
          `queueId=${message.queueId}, queueOffset=${message.queueOffset}, body=${message.body.toString('utf8')}]`,
      )
    }
    onReceived?.(received)
    return 'CONSUME_SUCCESS'
  })
  await consumer.start()
  console.log('Consumer Started.')
  return consumer
}

if (import.meta.url === `file://${process.argv[1]}`) {
  startConsumer().then(
    (consumer) => {
      const stop = (): void => {
        consumer.shutdown().then(() => process.exit(0), () => process.exit(1))
      }
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    },
    (error: unknown) => {
      console.error(error)
      process.exitCode = 1
    },
  )
}
