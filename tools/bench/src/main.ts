#!/usr/bin/env node
// bench: CometMQ benchmark. `bench producer|consumer|backlog|cluster [options]`, see README.md.
// This file wires the process (argv, env, stdout, signals, exit code); the work is in the *-bench.ts files.
import { setMaxListeners } from 'node:events'
import { runBacklogBench } from './backlog-bench.js'
import { CommanderError, parseBenchArgs } from './cli.js'
import type { BenchCommand } from './cli.js'
import { runClusterBench } from './cluster-bench.js'
import { runConsumerBench } from './consumer-bench.js'
import type { LocalCluster } from './local-cluster.js'
import { runProducerBench } from './producer-bench.js'
import type { RunContext } from './run-context.js'

let command: BenchCommand
try {
  command = parseBenchArgs(process.argv.slice(2), process.env)
} catch (error) {
  if (error instanceof CommanderError) process.exit(error.exitCode)
  throw error
}

const controller = new AbortController()
// every in-flight send/pull listens on this signal (-w 64 → 64 listeners): not a leak
setMaxListeners(0, controller.signal)
let signals = 0
const onSignal = (signal: NodeJS.Signals): void => {
  signals++
  if (signals > 1) {
    process.stderr.write(`${signal} again: exiting now\n`)
    process.exit(130)
  }
  process.stderr.write(`${signal}: stopping (press again to exit immediately)\n`)
  controller.abort(new DOMException(`interrupted by ${signal}`, 'AbortError'))
}
process.on('SIGINT', onSignal)
process.on('SIGTERM', onSignal)

let cluster: LocalCluster | undefined
process.on('exit', () => cluster?.killNow())

const ctx: RunContext = { out: (line) => process.stdout.write(`${line}\n`), signal: controller.signal }

try {
  switch (command.command) {
    case 'producer':
      await runProducerBench(command.options, ctx)
      break
    case 'consumer':
      await runConsumerBench(command.options, ctx)
      break
    case 'backlog':
      await runBacklogBench(command.options, ctx)
      break
    case 'cluster':
      await runClusterBench(command.options, ctx, (created) => (cluster = created))
      break
  }
  // client libraries may hold unref'd timers or sockets briefly; the run is over
  process.exit(controller.signal.aborted ? 130 : 0)
} catch (error) {
  process.stderr.write(`bench ${command.command} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
}
