#!/usr/bin/env node
// mqbroker: start a CometMQ broker. `mqbroker [-c broker.conf] [-n host:port;host:port] [-p | -m]`.
// All logic lives in run-broker.ts / cli.ts; this file only wires the process (argv, fs, env, signals, exit code).
import { processIo, runUntilSignal } from '@cometmq/cli-common'
import { runBroker } from './run-broker.js'

runUntilSignal(await runBroker(process.argv.slice(2), processIo()))
