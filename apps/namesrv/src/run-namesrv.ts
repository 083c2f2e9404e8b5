import { MQError } from '@cometmq/protocol'
import { NamesrvController } from '@cometmq/namesrv'
import type { DestinationStream } from 'pino'
import { CommanderError, formatSettings, loadNamesrvSettings, namesrvBootLine, parseNamesrvArgs } from './cli.js'
import { createAppLogger } from '@cometmq/cli-common'
import type { ProcessIo } from '@cometmq/cli-common'

/** Everything the app touches outside itself, injectable for tests (`cwd` is unused by the name server). */
export interface NamesrvAppIo extends Omit<ProcessIo, 'cwd'> {
  /** Log sink when not pretty (tests); default stdout. */
  logDestination?: DestinationStream
}

/** A started name server and the way to stop it. */
export interface RunningNamesrv {
  controller: NamesrvController
  /** Shuts the controller down (idempotent). */
  stop(): Promise<void>
}

/**
 * `mqnamesrv` without the process plumbing: parse args, load config, print (`-p`) or start and print the boot line.
 * @returns `{ exitCode }` when the command is done (help, `-p`, bad args/config → 1), or `{ running }`.
 */
export async function runNamesrv(args: readonly string[], io: NamesrvAppIo): Promise<{ exitCode: number } | { running: RunningNamesrv }> {
  let settings
  try {
    const cli = parseNamesrvArgs(args, { writeOut: (t) => io.stdout(t.replace(/\n$/, '')), writeErr: (t) => io.stderr(t.replace(/\n$/, '')) })
    const loaded = loadNamesrvSettings(cli, io.readText)
    for (const warning of loaded.warnings) io.stderr(`WARN ${warning}`)
    settings = loaded.settings
    if (cli.printConfigItem) {
      io.stdout(formatSettings(settings))
      return { exitCode: 0 }
    }
  } catch (error) {
    if (error instanceof CommanderError) return { exitCode: error.exitCode }
    io.stderr(describeError(error))
    return { exitCode: 1 }
  }

  let logger
  try {
    const options = { level: io.env['LOG_LEVEL'] ?? 'info', pretty: io.isTTY }
    logger = createAppLogger(io.logDestination === undefined ? options : { ...options, destination: io.logDestination }).logger
  } catch (error) {
    io.stderr(describeError(error))
    return { exitCode: 1 }
  }
  const controller = new NamesrvController({ ...settings, logger })
  try {
    await controller.start()
  } catch (error) {
    io.stderr(`The Name Server failed to start: ${describeError(error)}`)
    return { exitCode: 1 }
  }
  io.stdout(namesrvBootLine(controller.port))
  let stopping: Promise<void> | undefined
  return {
    running: {
      controller,
      stop: () => {
        stopping ??= (async () => {
          logger.info('shutting down the name server')
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
