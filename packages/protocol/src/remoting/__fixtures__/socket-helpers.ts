/** Test-only helpers for socket tests (not exported from the package). */
import { connect } from 'node:net'
import type { Socket } from 'node:net'
import { FrameDecoder } from '../../frame-decoder.js'
import type { RemotingCommand } from '../../remoting-command.js'

/** Resolves with the first value passed to the callback `register` hands out; rejects after `timeoutMs`. */
export function waitFor<T = void>(register: (done: (value: T) => void) => void, timeoutMs = 5000, what = 'event'): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs)
    register((value) => {
      clearTimeout(timer)
      resolve(value)
    })
  })
}

/** A bare TCP socket that collects decoded frames, for speaking raw bytes to a server. */
export class RawPeer {
  readonly frames: RemotingCommand[] = []
  closed = false
  private readonly decoder = new FrameDecoder()
  private waiters: Array<() => void> = []

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.frames.push(...this.decoder.push(chunk))
      this.wake()
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      this.closed = true
      this.wake()
    })
  }

  static open(port: number): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port })
      socket.once('error', reject)
      socket.once('connect', () => resolve(new RawPeer(socket)))
    })
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter()
  }

  /** Waits until `predicate()` holds (checked after every frame/close), bounded by `timeoutMs`. */
  until(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (predicate()) {
          clearTimeout(timer)
          resolve()
        } else this.waiters.push(check)
      }
      const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs)
      check()
    })
  }

  destroy(): void {
    this.socket.destroy()
  }
}

/** Deterministic pseudo-random bytes (LCG), so "random garbage" tests are reproducible. */
export function pseudoRandomBytes(length: number, seed = 12345): Buffer {
  const out = Buffer.alloc(length)
  let state = seed >>> 0
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0
    out[i] = state >>> 24
  }
  return out
}
