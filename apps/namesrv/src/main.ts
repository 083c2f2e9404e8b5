#!/usr/bin/env node
// mqnamesrv: start a CometMQ name server. `mqnamesrv [-c namesrv.conf] [-p] [-n ignored]`.
// All logic lives in run-namesrv.ts / cli.ts; this file only wires the process (argv, fs, signals, exit code).
import { existsSync, readFileSync } from 'node:fs'
import { resolveConfigPath } from './cli.js'
import { runNamesrv } from './run-namesrv.js'

const result = await runNamesrv(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  readText: (path) => readFileSync(resolveConfigPath(path, process.cwd(), process.env['INIT_CWD'], existsSync), 'utf8'),
  env: process.env,
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
