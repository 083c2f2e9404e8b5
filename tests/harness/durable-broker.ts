/**
 * Child-process entry point for the durability tests: a single broker (no namesrv) on 127.0.0.1 port 0,
 * FileMessageStore with flushDiskType SYNC_FLUSH and 256 KiB commit-log files (so tests cross file boundaries),
 * on the store dir given as the first argument.
 *
 *   node --conditions=development --import tsx tests/harness/durable-broker.ts <storeDir> [brokerName]
 *   (or: tsx --conditions=development ...; the tests use the former, see process.ts)
 *
 * stdout protocol (one JSON object per line):
 *   {"event":"started","port":<n>,"pid":<pid>}   after BrokerController.start() resolved
 *   {"event":"stopped"}                           after a SIGTERM/SIGINT-triggered shutdown() resolved (exit 0)
 *   {"event":"error","message":"..."}             on a startup/shutdown failure (exit 1)
 */
import { BrokerController } from '@cometmq/broker'
import type { BrokerConfig } from '@cometmq/broker'
import { FileMessageStore } from '@cometmq/store'

/** Small files so the tests exercise commit-log roll-over and stay light on disk. */
const DURABLE_COMMITLOG_FILE_SIZE = 256 * 1024
const DURABLE_CONSUMEQUEUE_FILE_SIZE = 20 * 1000

function emit(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(event)}\n`)
}

async function main(): Promise<void> {
  const storeDir = process.argv[2]
  const brokerName = process.argv[3] ?? 'durable-broker'
  if (!storeDir) throw new Error('usage: durable-broker.ts <storeDir> [brokerName]')
  const store = new FileMessageStore({
    storePathRootDir: storeDir,
    flushDiskType: 'SYNC_FLUSH',
    mappedFileSizeCommitLog: DURABLE_COMMITLOG_FILE_SIZE,
    mappedFileSizeConsumeQueue: DURABLE_CONSUMEQUEUE_FILE_SIZE,
  })
  const config = {
    brokerClusterName: 'DurableCluster',
    brokerName,
    brokerId: 0,
    brokerIP1: '127.0.0.1',
    bindAddress: '127.0.0.1',
    listenPort: 0,
    storePathRootDir: storeDir,
    flushDiskType: 'SYNC_FLUSH',
    mappedFileSizeCommitLog: DURABLE_COMMITLOG_FILE_SIZE,
    mappedFileSizeConsumeQueue: DURABLE_CONSUMEQUEUE_FILE_SIZE,
  } satisfies Partial<BrokerConfig>
  const broker = new BrokerController({ config, store })
  await broker.start()
  emit({ event: 'started', port: broker.port, pid: process.pid })

  let stopping = false
  const stop = (): void => {
    if (stopping) return
    stopping = true
    broker
      .shutdown()
      .then(() => {
        emit({ event: 'stopped' })
        process.exit(0)
      })
      .catch((error: unknown) => {
        emit({ event: 'error', message: error instanceof Error ? error.stack ?? error.message : String(error) })
        process.exit(1)
      })
  }
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

main().catch((error: unknown) => {
  emit({ event: 'error', message: error instanceof Error ? error.stack ?? error.message : String(error) })
  process.exit(1)
})
