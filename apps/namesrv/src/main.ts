#!/usr/bin/env node
// mqnamesrv: start a CometMQ name server. `mqnamesrv [-c namesrv.conf] [-p] [-n ignored]`.
// All logic lives in run-namesrv.ts / cli.ts; this file only wires the process (argv, fs, signals, exit code).
import { processIo, runUntilSignal } from '@cometmq/cli-common'
import { runNamesrv } from './run-namesrv.js'

runUntilSignal(await runNamesrv(process.argv.slice(2), processIo()))
