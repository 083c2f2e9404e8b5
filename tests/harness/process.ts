/**
 * Child-process helpers: run a TypeScript entry point with tsx (workspace packages resolved to src/ via
 * the `development` condition), watch its output line by line, and wait for lines/exit with a bound.
 *
 * We run `node --conditions=development --import tsx <script>` rather than the `tsx` CLI: the CLI keeps the
 * script in a second (grand-child) node process and only relays signals, so a SIGKILL to the CLI leaves the
 * real process running (holding the store lock) — and once orphaned it is never reaped in this container.
 * With `--import tsx` the script runs in our direct child, so SIGKILL/SIGTERM reach it and exit is observed.
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Repository root (/work/main). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const TSX_PACKAGE = join(REPO_ROOT, 'node_modules', 'tsx', 'package.json')

export interface ExitInfo {
  code: number | null
  signal: NodeJS.Signals | null
}

export class TsxProcess {
  readonly child: ChildProcess
  /** every stdout/stderr line so far, prefixed with 'out| ' or 'err| ' */
  readonly lines: string[] = []
  readonly exited: Promise<ExitInfo>
  private exitInfo: ExitInfo | null = null
  private readonly lineListeners = new Set<(line: string) => void>()

  constructor(script: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
    if (!existsSync(TSX_PACKAGE)) throw new Error(`tsx not installed at ${TSX_PACKAGE}`)
    this.child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', script, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    this.exited = new Promise<ExitInfo>((resolveExit) => {
      this.child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal }
        resolveExit(this.exitInfo)
      })
      this.child.once('error', (error) => {
        this.lines.push(`spawn error: ${error.message}`)
        this.exitInfo = { code: -1, signal: null }
        resolveExit(this.exitInfo)
      })
    })
    this.attach(this.child.stdout, 'out| ')
    this.attach(this.child.stderr, 'err| ')
  }

  private attach(stream: NodeJS.ReadableStream | null, prefix: string): void {
    if (!stream) return
    let partial = ''
    stream.setEncoding('utf8')
    stream.on('data', (chunk: string) => {
      partial += chunk
      const parts = partial.split('\n')
      partial = parts.pop() ?? ''
      for (const part of parts) this.emitLine(prefix + part)
    })
    stream.on('end', () => {
      if (partial) this.emitLine(prefix + partial)
      partial = ''
    })
  }

  private emitLine(line: string): void {
    this.lines.push(line)
    if (this.lines.length > 2000) this.lines.shift()
    for (const listener of this.lineListeners) listener(line)
  }

  get hasExited(): boolean {
    return this.exitInfo !== null
  }

  output(lastN = 40): string {
    return this.lines.slice(-lastN).join('\n')
  }

  /** Resolves with the first (past or future) line matching `pattern`; rejects on exit or timeout. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string> {
    const existing = this.lines.find((l) => pattern.test(l))
    if (existing) return Promise.resolve(existing)
    return new Promise<string>((resolveLine, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer)
        this.lineListeners.delete(listener)
      }
      const listener = (line: string): void => {
        if (pattern.test(line)) {
          cleanup()
          resolveLine(line)
        }
      }
      const timer = setTimeout(() => {
        cleanup()
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${pattern} from child; output:\n${this.output()}`))
      }, timeoutMs)
      this.lineListeners.add(listener)
      void this.exited.then((info) => {
        if (!this.lineListeners.has(listener)) return
        cleanup()
        reject(new Error(`child exited (${JSON.stringify(info)}) before printing ${pattern}; output:\n${this.output()}`))
      })
    })
  }

  /** Waits for exit, bounded. */
  async waitExit(timeoutMs: number): Promise<ExitInfo> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`child did not exit within ${timeoutMs} ms; output:\n${this.output()}`)),
        timeoutMs,
      )
    })
    try {
      return await Promise.race([this.exited, timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  /** Sends `signal` (if still running) and waits for exit. */
  async kill(signal: NodeJS.Signals, timeoutMs = 10_000): Promise<ExitInfo> {
    if (!this.hasExited) this.child.kill(signal)
    return this.waitExit(timeoutMs)
  }

  /** Best-effort teardown for finally blocks: SIGKILL if still alive. */
  async ensureDead(): Promise<void> {
    if (this.hasExited) return
    this.child.kill('SIGKILL')
    await this.waitExit(10_000).catch(() => {})
  }
}
