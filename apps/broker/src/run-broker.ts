import { BrokerController, createStore } from '@cometmq/broker'
import type { BrokerConfig } from '@cometmq/broker'
import { MQError } from '@cometmq/protocol'
import type { Logger } from '@cometmq/protocol'
import type { DestinationStream } from 'pino'
import {
  CommanderError,
  IMPORTANT_CONFIG_KEYS,
  brokerBootLine,
  formatBrokerConfig,
  loadBrokerConfig,
  parseBrokerArgs,
} from './cli.js'
import { createAppLogger } from '@cometmq/cli-common'
import type { ProcessIo } from '@cometmq/cli-common'

/** Everything the app touches outside itself, injectable for tests (`cwd` is the base for relative store paths). */
export interface BrokerAppIo extends ProcessIo {
  /** Log sink when not pretty (tests); default stdout. */
  logDestination?: DestinationStream
}

/** A started broker and the way to stop it. */
export interface RunningBroker {
  controller: BrokerController
  /** Unregisters from every namesrv, flushes offsets/configs, closes the store (idempotent). */
  stop(): Promise<void>
}

/**
 * `mqbroker` without the process plumbing: parse args, load config (defaults < -c < NAMESRV_ADDR < -n), print
 * (`-p`, `-m`) or build the store + BrokerController, start it and print the boot line.
 * @returns `{ exitCode }` when the command is done (help, `-p`, `-m`, bad args/config/store → 1), or `{ running }`.
 */
export async function runBroker(args: readonly string[], io: BrokerAppIo): Promise<{ exitCode: number } | { running: RunningBroker }> {
  let config: Readonly<BrokerConfig>
  try {
    const cli = parseBrokerArgs(args, { writeOut: (t) => io.stdout(t.replace(/\n$/, '')), writeErr: (t) => io.stderr(t.replace(/\n$/, '')) })
    const loaded = loadBrokerConfig(cli, io.env, io.readText, io.cwd)
    for (const warning of loaded.warnings) io.stderr(`WARN ${warning}`)
    config = loaded.config
    if (cli.printConfigItem || cli.printImportantConfig) {
      io.stdout(formatBrokerConfig(config, cli.printConfigItem ? undefined : IMPORTANT_CONFIG_KEYS))
      return { exitCode: 0 }
    }
  } catch (error) {
    if (error instanceof CommanderError) return { exitCode: error.exitCode }
    io.stderr(describeError(error))
    return { exitCode: 1 }
  }

  let logger: Logger
  let controller: BrokerController
  try {
    const options = { level: io.env['LOG_LEVEL'] ?? 'info', pretty: io.isTTY }
    logger = createAppLogger(io.logDestination === undefined ? options : { ...options, destination: io.logDestination }).logger
    controller = new BrokerController({ config, store: createStore(config, logger), logger })
  } catch (error) {
    io.stderr(describeError(error))
    return { exitCode: 1 }
  }
  try {
    await controller.start()
  } catch (error) {
    io.stderr(`The broker[${config.brokerName}] failed to start: ${describeError(error)}`)
    return { exitCode: 1 }
  }
  io.stdout(brokerBootLine(config.brokerName, controller.brokerAddr, config.namesrvAddr))
  let stopping: Promise<void> | undefined
  return {
    running: {
      controller,
      stop: () => {
        stopping ??= (async () => {
          logger.info('shutting down the broker', { brokerName: config.brokerName })
          await controller.shutdown()
        })()
        return stopping
      },
    },
  }
}

function describeError(error: unknown): string {
  if (MQError.isInstance(error)) return `${error.code}: ${error.message}`
  return error instanceof Error ? error.message : String(error)
}
