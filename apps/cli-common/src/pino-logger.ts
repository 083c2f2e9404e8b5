import { createRequire } from 'node:module'
import { pino } from 'pino'
import type { DestinationStream, Logger as PinoLogger, LoggerOptions } from 'pino'
import type { Logger } from '@cometmq/protocol'

/** Levels accepted by `LOG_LEVEL` (pino's). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

export interface AppLoggerOptions {
  /** pino level; default 'info'. */
  level?: string
  /** Pretty-print through the pino-pretty transport (use when stdout is a TTY). */
  pretty?: boolean
  /** Where JSON lines go when not pretty (tests); default stdout. */
  destination?: DestinationStream
}

/**
 * Builds the app's pino logger and adapts it to the CometMQ `Logger` interface (STYLE §8).
 * `child(ns)` nests namespaces as `parent.child` in the `ns` field.
 * @throws Error for an unknown level.
 */
export function createAppLogger(options: AppLoggerOptions = {}): { logger: Logger; pino: PinoLogger } {
  const level = options.level ?? 'info'
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new Error(`unknown log level '${level}' (expected one of ${LOG_LEVELS.join(', ')})`)
  const pinoOptions: LoggerOptions = { level }
  let base: PinoLogger
  if (options.pretty === true) {
    // resolve pino-pretty from this app (pnpm does not hoist it next to pino)
    const target = createRequire(import.meta.url).resolve('pino-pretty')
    base = pino({ ...pinoOptions, transport: { target, options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } })
  } else {
    base = options.destination === undefined ? pino(pinoOptions) : pino(pinoOptions, options.destination)
  }
  return { logger: adaptPino(base), pino: base }
}

/** Adapts a pino logger to `Logger`: `info(message, fields)` → `pino.info(fields, message)`. */
export function adaptPino(base: PinoLogger, namespace?: string): Logger {
  const target = namespace === undefined ? base : base.child({ ns: namespace })
  const log = (level: 'error' | 'warn' | 'info' | 'debug') => (message: string, fields?: Record<string, unknown>) => {
    if (fields === undefined) target[level](message)
    else target[level](fields, message)
  }
  return {
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
    child: (child) => adaptPino(base, namespace === undefined ? child : `${namespace}.${child}`),
  }
}
