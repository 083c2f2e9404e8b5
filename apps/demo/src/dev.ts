/**
 * The demo part of `pnpm dev`: waits until the local cluster (namesrv on 9876, broker on 10911) serves
 * routes, then starts the quickstart consumer and runs the quickstart producer, so messages visibly flow.
 * The consumer keeps running until Ctrl-C (SIGINT) or SIGTERM, then shuts down cleanly.
 */
import { Admin } from '@cometmq/client'
import { startConsumer } from './consumer.js'
import { namesrvAddr } from './options.js'
import { runProducer } from './producer.js'

async function waitForCluster(signal: AbortSignal): Promise<void> {
  const admin = new Admin({ namesrvAddr })
  await admin.start()
  try {
    for (let attempt = 1; !signal.aborted; attempt++) {
      try {
        const info = await admin.getClusterInfo()
        if (Object.keys(info.brokerAddrTable).length > 0) return
      } catch {
        // namesrv not up yet
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
