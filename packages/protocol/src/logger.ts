/**
 * The logging interface every CometMQ package accepts (`logger?: Logger`). Packages never call `console`;
 * apps wire a real sink (pino) and pass it down. Field names are shared across packages:
 * brokerName, topic, queueId, queueOffset, commitLogOffset, code, opaque, remoteAddr.
 *
 * Levels: `error` an operator must act; `warn` degraded but recovering; `info` lifecycle events (start,
 * register, role change), never per message; `debug` per request.
 */
export interface Logger {
  error(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  debug(message: string, fields?: Record<string, unknown>): void
  /** A logger whose messages carry `namespace` (e.g. `remoting`, `store`, `broker`). */
  child(namespace: string): Logger
}

const noop = (): void => {}

/** A Logger that discards everything; the default wherever a logger is optional. */
export const noopLogger: Logger = {
  error: noop,
  warn: noop,
  info: noop,
  debug: noop,
  child: () => noopLogger,
}
