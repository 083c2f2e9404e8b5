/**
 * Process plumbing shared by the `mqnamesrv` and `mqbroker` commands (private; not published):
 * the pino logger behind the CometMQ `Logger` interface, `-c` path resolution, signal handling.
 */
export { createAppLogger, adaptPino, LOG_LEVELS } from './pino-logger.js'
export type { AppLoggerOptions } from './pino-logger.js'
export { resolveConfigPath } from './config-path.js'
export { processIo, runUntilSignal } from './run-main.js'
export type { ProcessIo } from './run-main.js'
