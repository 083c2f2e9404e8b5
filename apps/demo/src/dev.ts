/**
 * The demo part of `pnpm dev`: waits until the local cluster (namesrv on 9876, broker on 10911) serves
 * routes, creates TopicTest (4 queues, like the producer's auto-create would; `mqadmin updateTopic` does the same)
 * so the consumer finds its route at once instead of at its next 30 s route refresh, then starts the quickstart
 * consumer and runs the quickstart producer, so messages visibly flow.
 * The consumer keeps running until Ctrl-C (SIGINT) or SIGTERM, then shuts down cleanly.
 */
import { Admin } from '@cometmq/client'
import { startConsumer } from './consumer.js'
import { namesrvAddr, topic } from './options.js'
import { runProducer } from './producer.js'

async function waitForCluster(signal: AbortSignal): Promise<void> {
  const admin = new Admin({ namesrvAddr })
  await admin.start()
  try {
    let created = false
    for (let attempt = 1; !signal.aborted; attempt++) {
      try {
        const info = await admin.getClusterInfo()
        const clusterName = Object.keys(info.clusterAddrTable)[0]
        if (clusterName !== undefined && !created) {
          await admin.createTopic({ topic, clusterName, readQueueNums: 4, writeQueueNums: 4 })
          created = true
        }
        if (created) {
          await admin.getTopicRoute(topic)
          return
        }
      } catch {
        // namesrv not up, no broker registered yet, or the new route not registered yet
      }
      if (attempt % 10 === 0) console.log(`[demo] waiting for namesrv ${namesrvAddr} and a broker to register...`)
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
  } finally {
    await admin.shutdown()
  }
}

async function main(): Promise<void> {
  const controller = new AbortController()
  let consumer: Awaited<ReturnType<typeof startConsumer>> | undefined
  const stop = (): void => {
    controller.abort()
    void (consumer?.shutdown() ?? Promise.resolve()).finally(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)

  await waitForCluster(controller.signal)
  if (controller.signal.aborted) return
  consumer = await startConsumer()
  const sent = await runProducer({ signal: controller.signal })
  console.log(`[demo] producer sent ${sent} messages; the consumer keeps running (Ctrl-C to stop).`)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
