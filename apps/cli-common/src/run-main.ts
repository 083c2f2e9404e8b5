import { existsSync, readFileSync } from 'node:fs'
import { resolveConfigPath } from './config-path.js'

/** What a server command's `run…()` needs from the process; injectable so commands are testable without one. */
export interface ProcessIo {
  stdout(text: string): void
  stderr(text: string): void
  /** Reads a config file as UTF-8 (relative paths: see resolveConfigPath). */
  readText(path: string): string
  env: Readonly<Record<string, string | undefined>>
  cwd: string
  isTTY: boolean
}

/** The real process: stdout/stderr lines, fs reads, env, cwd. */
export function processIo(): ProcessIo {
  return {
    stdout: (text) => process.stdout.write(`${text}\n`),
    stderr: (text) => process.stderr.write(`${text}\n`),
    readText: (path) => readFileSync(resolveConfigPath(path, process.cwd(), process.env['INIT_CWD'], existsSync), 'utf8'),
    env: process.env,
    cwd: process.cwd(),
    isTTY: process.stdout.isTTY === true,
  }
}

/**
 * Finishes a server command: exits with `exitCode` when the command is done, or keeps the server running until
 * SIGTERM / SIGINT, then awaits `stop()` (clean shutdown) and exits 0 (1 if it failed). A second signal exits 1
 * at once.
 */
export function runUntilSignal(result: { exitCode: number } | { running: { stop(): Promise<void> } }): void {
  if ('exitCode' in result) {
    process.exit(result.exitCode)
  }
  let stopping = false
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      process.stderr.write(`${signal} again: exiting without a clean shutdown\n`)
      process.exit(1)
    }
    stopping = true
    result.running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${String(error)}\n`)
        process.exit(1)
      },
    )
  }
  process.on('SIGTERM', onSignal)
  process.on('SIGINT', onSignal)
}
