#!/usr/bin/env node
// mqadmin: CometMQ admin command line (a subset of RocketMQ's mqadmin). `mqadmin <command> [options]`, see README.md.
// All logic lives in run.ts / cli.ts / commands/; this file only wires the process (argv, env, stdio, exit code).
import { runMqadmin } from './run.js'

const code = await runMqadmin(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
})
// flush stdout before exiting (a pipe may still hold the table)
process.stdout.write('', () => process.exit(code))
