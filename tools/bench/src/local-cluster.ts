/**
 * A throw-away local cluster for `bench cluster`: the real `mqnamesrv` and `mqbroker` CLIs (apps/namesrv,
 * apps/broker) as child processes on 127.0.0.1 with port 0, and a temp dir for their config and store.
 *
 * Each child is `node --conditions=development --import tsx <app>/src/main.ts …` (what `tsx --conditions=development`
 * does, minus tsx's wrapper process), so the pid we hold is the broker itself and its CPU/RSS can be sampled.
 * `stop()` sends SIGTERM (broker first, so it unregisters), waits, SIGKILLs stragglers and removes the temp dir;
 * `killNow()` is the synchronous last resort for `process.on('exit')`.
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Repository root, three levels above tools/bench/src. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

export interface LocalClusterOptions {
  storeType: 'default' | 'level' | 'memory'
  flushDiskType: 'ASYNC_FLUSH' | 'SYNC_FLUSH'
  /** Extra node flags for the broker process. */
  brokerNodeArgs?: string[]
  /** Keep the temp dir on stop. */
  keepStore?: boolean
  /** Child log level (LOG_LEVEL); default 'warn'. */
  logLevel?: string
  /** Where child output lines go (already prefixed with `[namesrv]`/`[broker]`); default: kept in memory only. */
  onChildLine?: (line: string) => void
  /** Start-up bound per process, ms; default 60000. */
  startTimeoutMs?: number
}

/** A started child with its recent output. */
export class ChildApp {
  readonly lines: string[] = []
  readonly exited: Promise<void>
  readonly #listeners = new Set<(line: string) => void>()
  #exited = false

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
    onLine?: (line: string) => void,
  ) {
    this.exited = new Promise((resolveExit) => {
      child.once('exit', () => {
        this.#exited = true
        resolveExit()
      })
      child.once('error', (error) => {
        this.lines.push(`spawn error: ${error.message}`)
        this.#exited = true
        resolveExit()
      })
    })
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue
      let partial = ''
      stream.setEncoding('utf8')
      stream.on('data', (chunk: string) => {
        const parts = (partial + chunk).split('\n')
        partial = parts.pop() ?? ''
        for (const line of parts) {
          this.lines.push(line)
          if (this.lines.length > 200) this.lines.shift()
          onLine?.(`[${name}] ${line}`)
          for (const listener of this.#listeners) listener(line)
        }
      })
    }
  }

  get pid(): number {
    return this.child.pid ?? -1
  }

  get hasExited(): boolean {
    return this.#exited
  }

  /** Resolves with the first capture group (or the line) of the first line matching `pattern`; rejects on exit or timeout. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string> {
    const pick = (line: string): string | undefined => {
      const match = pattern.exec(line)
      return match ? (match[1] ?? line) : undefined
    }
    for (const line of this.lines) {
      const found = pick(line)
      if (found !== undefined) return Promise.resolve(found)
    }
    return new Promise((resolveLine, reject) => {
      const listener = (line: string): void => {
        const found = pick(line)
        if (found === undefined) return
        finish()
        resolveLine(found)
      }
      const timer = setTimeout(() => {
        finish()
        reject(new Error(`${this.name} did not print ${pattern} within ${timeoutMs} ms; output:\n${this.lines.slice(-20).join('\n')}`))
      }, timeoutMs)
      const finish = (): void => {
        clearTimeout(timer)
        this.#listeners.delete(listener)
      }
      this.#listeners.add(listener)
      void this.exited.then(() => {
        if (!this.#listeners.has(listener)) return
        finish()
        reject(new Error(`${this.name} exited before printing ${pattern}; output:\n${this.lines.slice(-20).join('\n')}`))
      })
    })
  }

  /** SIGTERM, wait up to `timeoutMs`, then SIGKILL. */
  async stop(timeoutMs = 15_000): Promise<void> {
    if (this.#exited) return
    this.child.kill('SIGTERM')
    let timer: NodeJS.Timeout | undefined
    const timedOut = await Promise.race([this.exited.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), timeoutMs)))])
    clearTimeout(timer)
    if (timedOut && !this.#exited) {
      this.child.kill('SIGKILL')
      await this.exited
    }
  }
}

function spawnApp(name: string, app: 'namesrv' | 'broker', args: string[], nodeArgs: string[], options: LocalClusterOptions): ChildApp {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: options.logLevel ?? 'warn' }
  delete env['NAMESRV_ADDR']
  const child = spawn(process.execPath, [...nodeArgs, '--conditions=development', '--import', 'tsx', join(REPO_ROOT, 'apps', app, 'src', 'main.ts'), ...args], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // own process group: a terminal Ctrl-C reaches only the bench, which then stops the children in order
    detached: true,
  })
  return new ChildApp(name, child, options.onChildLine)
}

/** Broker config of the bench cluster (RocketMQ broker.conf keys). */
export function benchBrokerConf(storeDir: string, options: Pick<LocalClusterOptions, 'storeType' | 'flushDiskType'>): string {
  return [
    'brokerClusterName=BenchCluster',
    'brokerName=broker-bench',
    'brokerId=0',
    'brokerRole=ASYNC_MASTER',
    `flushDiskType=${options.flushDiskType}`,
    'listenPort=0',
    'bindAddress=127.0.0.1',
    'brokerIP1=127.0.0.1',
    'brokerIP2=127.0.0.1',
    `storeType=${options.storeType}`,
    `storePathRootDir=${storeDir}`,
    'autoCreateTopicEnable=true',
    'autoCreateSubscriptionGroup=true',
    'defaultTopicQueueNums=8',
    '',
  ].join('\n')
}

export class LocalCluster {
  readonly dir: string
  namesrv: ChildApp | undefined
  broker: ChildApp | undefined
  namesrvAddr = ''
  brokerAddr = ''
  readonly #options: LocalClusterOptions
  #stopping: Promise<void> | undefined

  constructor(options: LocalClusterOptions) {
    this.#options = options
    this.dir = mkdtempSync(join(tmpdir(), 'cometmq-bench-'))
  }

  /** Starts namesrv, then the broker; resolves once the broker printed its boot line. */
  async start(): Promise<void> {
    const timeoutMs = this.#options.startTimeoutMs ?? 60_000
    const namesrvConf = join(this.dir, 'namesrv.conf')
    writeFileSync(namesrvConf, 'listenPort=0\nbindAddress=127.0.0.1\n')
    this.namesrv = spawnApp('namesrv', 'namesrv', ['-c', namesrvConf], [], this.#options)
    const port = await this.namesrv.waitForLine(/boot success.*listenPort=(\d+)/, timeoutMs)
    this.namesrvAddr = `127.0.0.1:${port}`

    const brokerConf = join(this.dir, 'broker.conf')
    writeFileSync(brokerConf, benchBrokerConf(join(this.dir, 'store'), this.#options))
    this.broker = spawnApp('broker', 'broker', ['-n', this.namesrvAddr, '-c', brokerConf], this.#options.brokerNodeArgs ?? [], this.#options)
    this.brokerAddr = await this.broker.waitForLine(/The broker\[[^,]+, ([^\]]+)\] boot success/, timeoutMs)
  }

  /** Stops the broker, then namesrv; removes the temp dir unless keepStore. Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      await this.broker?.stop()
      await this.namesrv?.stop()
      if (!this.#options.keepStore) rmSync(this.dir, { recursive: true, force: true })
    })()
    return this.#stopping
  }

  /** Synchronous: SIGKILL whatever is alive and remove the temp dir (for `process.on('exit')`). */
  killNow(): void {
    for (const app of [this.broker, this.namesrv]) {
      if (app && !app.hasExited) app.child.kill('SIGKILL')
    }
    if (!this.#options.keepStore) rmSync(this.dir, { recursive: true, force: true })
  }
}
