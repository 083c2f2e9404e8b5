/**
 * One remoting connection over a node:net Socket, used by both RemotingServer and RemotingClient.
 * Reassembles frames, matches responses to pending requests by opaque, dispatches incoming requests to a
 * processor lookup and writes their responses (remoting-protocol.md §1.5; RocketMQ NettyRemotingAbstract
 * processRequestCommand / processResponseCommand).
 */
import type { Socket } from 'node:net'
import { RemotingSendRequestError, RemotingTimeoutError } from '../errors.js'
import { FrameDecoder } from '../frame-decoder.js'
import type { Logger } from '../logger.js'
import {
  RPC_ONEWAY,
  RPC_TYPE_RESPONSE,
  createResponse,
  encodeCommand,
  encodeCommandParts,
} from '../remoting-command.js'
import type { RemotingCommand } from '../remoting-command.js'
import { ResponseCode } from '../response-code.js'
import type { RemotingChannel, RequestProcessor } from './types.js'

/** Bodies up to this many bytes are copied into the header buffer (one write); larger ones are written as-is. */
const INLINE_BODY_MAX = 16 * 1024
/** Default timeout of `invoke`, ms (RocketMQ clientConfig timeout 3000 ms). */
export const DEFAULT_INVOKE_TIMEOUT_MS = 3000

interface Pending {
  resolve: (response: RemotingCommand) => void
  reject: (error: unknown) => void
  timer: NodeJS.Timeout
  signal: AbortSignal | undefined
  onAbort: (() => void) | undefined
}

let nextConnectionId = 1

export interface ConnectionOptions {
  maxFrameSize?: number
  logger: Logger
  /** Processor for an incoming request code; undefined → REQUEST_CODE_NOT_SUPPORTED. */
  lookup: (code: number) => RequestProcessor | undefined
}

/** Formats a socket peer as `'ip:port'`, stripping the `::ffff:` IPv4-mapped prefix. */
export function formatAddress(host: string | undefined, port: number | undefined): string {
  const ip = host?.startsWith('::ffff:') ? host.slice(7) : (host ?? 'unknown')
  return `${ip}:${port ?? 0}`
}

export class Connection implements RemotingChannel {
  readonly id: string
  readonly remoteAddress: string
  private isClosed = false
  private readonly decoder: FrameDecoder
  private readonly pending = new Map<number, Pending>()
  private readonly closeListeners: Array<() => void> = []
  private readonly logger: Logger
  private readonly lookup: (code: number) => RequestProcessor | undefined

  constructor(readonly socket: Socket, options: ConnectionOptions) {
    this.remoteAddress = formatAddress(socket.remoteAddress, socket.remotePort)
    this.id = `${this.remoteAddress}#${nextConnectionId++}`
    this.decoder = new FrameDecoder({ maxFrameSize: options.maxFrameSize })
    this.logger = options.logger
    this.lookup = options.lookup
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('error', (error) => this.logger.debug('connection error', { remoteAddr: this.remoteAddress, error: error.message }))
    socket.on('close', () => this.onSocketClose())
  }

  get closed(): boolean {
    return this.isClosed
  }

  send(command: RemotingCommand): void {
    if (this.isClosed) return
    const { head, body } = encodeCommandParts(command, INLINE_BODY_MAX)
    if (body === null) {
      this.socket.write(head)
    } else {
      this.socket.cork()
      this.socket.write(head)
      this.socket.write(body)
      this.socket.uncork()
    }
  }

  invoke(request: RemotingCommand, options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<RemotingCommand> {
    const timeoutMs = options?.timeoutMs ?? DEFAULT_INVOKE_TIMEOUT_MS
    const signal = options?.signal
    return new Promise<RemotingCommand>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason)
        return
      }
      if (this.isClosed) {
        reject(new RemotingSendRequestError(this.remoteAddress, 'connection closed'))
        return
      }
      const opaque = request.opaque
      const entry: Pending = {
        resolve,
        reject,
        signal,
        onAbort: undefined,
        timer: setTimeout(() => {
          if (this.pending.get(opaque) !== entry) return
          this.settle(opaque, entry)
          reject(new RemotingTimeoutError(this.remoteAddress, timeoutMs))
        }, timeoutMs),
      }
      if (signal) {
        entry.onAbort = () => {
          if (this.pending.get(opaque) !== entry) return
          this.settle(opaque, entry)
          reject(signal.reason)
        }
        signal.addEventListener('abort', entry.onAbort, { once: true })
      }
      this.pending.set(opaque, entry)
      try {
        this.send(request)
      } catch (error) {
        this.settle(opaque, entry)
        reject(error)
      }
    })
  }

  invokeOneway(request: RemotingCommand): void {
    request.flag |= RPC_ONEWAY
    this.send(request)
  }

  /** Writes a oneway request; resolves when the bytes are handed to the OS. */
  writeOneway(request: RemotingCommand): Promise<void> {
    request.flag |= RPC_ONEWAY
    return new Promise((resolve, reject) => {
      if (this.isClosed) {
        reject(new RemotingSendRequestError(this.remoteAddress, 'connection closed'))
        return
      }
      this.socket.write(encodeCommand(request), (error) => {
        if (error) reject(new RemotingSendRequestError(this.remoteAddress, error.message, { cause: error }))
        else resolve()
      })
    })
  }

  close(): void {
    this.socket.destroy()
  }

  onClose(listener: () => void): void {
    if (this.isClosed) listener()
    else this.closeListeners.push(listener)
  }

  /** Resolves once the socket has closed. */
  whenClosed(): Promise<void> {
    return new Promise((resolve) => this.onClose(resolve))
  }

  private settle(opaque: number, entry: Pending): void {
    this.pending.delete(opaque)
    clearTimeout(entry.timer)
    if (entry.onAbort) entry.signal?.removeEventListener('abort', entry.onAbort)
  }

  private onData(chunk: Buffer): void {
    let commands: RemotingCommand[]
    try {
      commands = this.decoder.push(chunk)
    } catch (error) {
      this.logger.warn('malformed frame, closing connection', { remoteAddr: this.remoteAddress, error: (error as Error).message })
      this.socket.destroy()
      return
    }
    for (let i = 0; i < commands.length; i++) {
      const command = commands[i] as RemotingCommand
      if ((command.flag & RPC_TYPE_RESPONSE) !== 0) this.onResponse(command)
      else this.onRequest(command)
    }
  }

  private onResponse(response: RemotingCommand): void {
    const entry = this.pending.get(response.opaque)
    if (!entry) {
      this.logger.debug('response without pending request (timed out?)', { remoteAddr: this.remoteAddress, opaque: response.opaque, code: response.code })
      return
    }
    this.settle(response.opaque, entry)
    entry.resolve(response)
  }

  private onRequest(request: RemotingCommand): void {
    const oneway = (request.flag & RPC_ONEWAY) !== 0
    const processor = this.lookup(request.code)
    if (!processor) {
      this.logger.debug('request code not supported', { remoteAddr: this.remoteAddress, code: request.code })
      if (!oneway) this.send(createResponse(request, ResponseCode.REQUEST_CODE_NOT_SUPPORTED, ` request type ${request.code} not supported`))
      return
    }
    let result: Promise<RemotingCommand | null> | RemotingCommand | null
    try {
      result = processor(request, this)
    } catch (error) {
      this.onProcessorError(request, oneway, error)
      return
    }
    if (result !== null && typeof (result as Promise<unknown>).then === 'function') {
      ;(result as Promise<RemotingCommand | null>).then(
        (response) => this.reply(request, oneway, response),
        (error: unknown) => this.onProcessorError(request, oneway, error),
      )
    } else {
      this.reply(request, oneway, result as RemotingCommand | null)
    }
  }

  private reply(request: RemotingCommand, oneway: boolean, response: RemotingCommand | null): void {
    if (response === null || response === undefined || oneway) return
    response.opaque = request.opaque
    response.flag |= RPC_TYPE_RESPONSE
    try {
      this.send(response)
    } catch (error) {
      this.onProcessorError(request, oneway, error)
    }
  }

  private onProcessorError(request: RemotingCommand, oneway: boolean, error: unknown): void {
    const text = error instanceof Error ? error.message : String(error)
    this.logger.debug('processor failed', { remoteAddr: this.remoteAddress, code: request.code, opaque: request.opaque, error: text })
    if (!oneway) this.send(createResponse(request, ResponseCode.SYSTEM_ERROR, text))
  }

  private onSocketClose(): void {
    if (this.isClosed) return
    this.isClosed = true
    for (const [opaque, entry] of this.pending) {
      this.settle(opaque, entry)
      entry.reject(new RemotingSendRequestError(this.remoteAddress, 'connection closed before the response arrived'))
    }
    for (const listener of this.closeListeners.splice(0)) {
      try {
        listener()
      } catch (error) {
        this.logger.warn('close listener threw', { remoteAddr: this.remoteAddress, error: (error as Error).message })
      }
    }
  }
}
