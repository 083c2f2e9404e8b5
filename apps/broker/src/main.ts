#!/usr/bin/env node
// mqbroker: start a CometMQ broker. `mqbroker [-c broker.conf] [-n host:port;host:port] [-p | -m]`.
// All logic lives in run-broker.ts / cli.ts; this file only wires the process (argv, fs, env, signals, exit code).
import { existsSync, readFileSync } from 'node:fs'
import { resolveConfigPath } from './cli.js'
import { runBroker } from './run-broker.js'

const result = await runBroker(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  readText: (path) => readFileSync(resolveConfigPath(path, process.cwd(), process.env['INIT_CWD'], existsSync), 'utf8'),
  env: process.env,
  cwd: process.cwd(),
  isTTY: process.stdout.isTTY === true,
})

if ('exitCode' in result) {
  process.exit(result.exitCode)
} else {
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
