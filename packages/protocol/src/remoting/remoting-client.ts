/**
 * TCP client side of the remoting protocol (RocketMQ `NettyRemotingClient`): one connection per address shared
 * by all concurrent requests, responses matched by opaque, per-request timeouts, reconnect on the next invoke
 * after a close, and server-initiated requests (NOTIFY_CONSUMER_IDS_CHANGED, CHECK_TRANSACTION_STATE, …)
 * dispatched to `onRequest`.
 */
import { raceAbort } from '../abort.js'
import { connect } from 'node:net'
import { RemotingConnectError, RemotingTimeoutError } from '../errors.js'
import { noopLogger } from '../logger.js'
import type { Logger } from '../logger.js'
import type { RemotingCommand } from '../remoting-command.js'
import { Connection, DEFAULT_INVOKE_TIMEOUT_MS } from './connection.js'
import type { RequestProcessor } from './types.js'

export interface RemotingClientOptions {
  /** TCP connect timeout, ms (default 3000, RocketMQ NettyClientConfig.connectTimeoutMillis). */
  connectTimeoutMs?: number
  /** Largest accepted frame length word, bytes (default 16 MiB). */
  maxFrameSize?: number
  logger?: Logger
  /** Handles server-initiated requests; without it they get REQUEST_CODE_NOT_SUPPORTED (unless oneway). */
  onRequest?: RequestProcessor
}

/** Default connect timeout, ms. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 3000

interface Entry {
  connection: Connection | null
  connecting: Promise<Connection>
}

/** Splits `'host:port'` / `'[v6]:port'` / `'v6:port'` (last colon). @throws RangeError on a malformed address. */
export function parseAddress(addr: string): { host: string; port: number } {
  const index = addr.lastIndexOf(':')
  const port = Number(addr.slice(index + 1))
  let host = addr.slice(0, index)
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1)
  if (index <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) throw new RangeError(`bad address "${addr}", expected host:port`)
  return { host, port }
}

export class RemotingClient {
  private readonly entries = new Map<string, Entry>()
  private readonly logger: Logger
  private readonly lookup: (code: number) => RequestProcessor | undefined
  private isClosed = false

  constructor(private readonly options: RemotingClientOptions = {}) {
    this.logger = (options.logger ?? noopLogger).child('remoting')
    const onRequest = options.onRequest
    this.lookup = () => onRequest
  }

  /**
   * Sends `request` to `addr` ('host:port') and waits for its response (any response code; the caller maps
   * non-zero codes to errors). `timeoutMs` (default 3000) covers connecting and waiting.
   * @throws RemotingConnectError (connect failed/timed out, or the client is closed), RemotingTimeoutError,
   *   RemotingSendRequestError (connection closed before the response), or `signal.reason` when aborted.
   */
  invoke(addr: string, request: RemotingCommand, options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<RemotingCommand> {
    const timeoutMs = options?.timeoutMs ?? DEFAULT_INVOKE_TIMEOUT_MS
    const signal = options?.signal
    const connection = this.entries.get(addr)?.connection
    if (connection && !connection.closed) return connection.invoke(request, { timeoutMs, signal })
    if (signal?.aborted) return Promise.reject(signal.reason)
    const start = Date.now()
    return raceAbort(this.getConnection(addr), signal).then((conn) => {
      const remaining = timeoutMs - (Date.now() - start)
      if (remaining <= 0) throw new RemotingTimeoutError(addr, timeoutMs, 'connecting took the whole timeout')
      return conn.invoke(request, { timeoutMs: remaining, signal })
    })
  }

  /**
   * Sets the oneway flag on `request`, writes it to `addr`, resolves once written (no response is read).
   * @throws RemotingConnectError, RemotingSendRequestError.
   */
  async invokeOneway(addr: string, request: RemotingCommand): Promise<void> {
    const connection = await this.getConnection(addr)
    await connection.writeOneway(request)
  }

  /** Closes the connection to `addr` (pending requests reject with RemotingSendRequestError); the next invoke reconnects. */
  closeChannel(addr: string): void {
    const entry = this.entries.get(addr)
    if (!entry) return
    this.entries.delete(addr)
    if (entry.connection) entry.connection.close()
    else entry.connecting.then((connection) => connection.close(), () => {})
  }

  /** Closes every connection; later invokes reject with RemotingConnectError. */
  async close(): Promise<void> {
    this.isClosed = true
    const entries = [...this.entries.values()]
    this.entries.clear()
    await Promise.all(
      entries.map((entry) =>
        entry.connecting.then(
          (connection) => {
            connection.close()
            return connection.whenClosed()
          },
          () => undefined,
        ),
      ),
    )
  }

  private getConnection(addr: string): Promise<Connection> {
    if (this.isClosed) return Promise.reject(new RemotingConnectError(addr, { cause: new Error('RemotingClient is closed') }))
    const existing = this.entries.get(addr)
    if (existing && !existing.connection?.closed) return existing.connecting
    const entry: Entry = { connection: null, connecting: this.connect(addr) }
    this.entries.set(addr, entry)
    entry.connecting.then(
      (connection) => {
        entry.connection = connection
        connection.onClose(() => {
          if (this.entries.get(addr) === entry) this.entries.delete(addr)
        })
        if (this.isClosed || this.entries.get(addr) !== entry) connection.close()
      },
      () => {
        if (this.entries.get(addr) === entry) this.entries.delete(addr)
      },
    )
    return entry.connecting
  }

  private connect(addr: string): Promise<Connection> {
    return new Promise<Connection>((resolve, reject) => {
      let host: string
      let port: number
      try {
        ;({ host, port } = parseAddress(addr))
      } catch (error) {
        reject(new RemotingConnectError(addr, { cause: error }))
        return
      }
      const connectTimeoutMs = this.options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS
      const socket = connect({ host, port })
      const timer = setTimeout(() => {
        socket.destroy()
        reject(new RemotingConnectError(addr, { cause: new Error(`connect timeout ${connectTimeoutMs} ms`) }))
      }, connectTimeoutMs)
      const onError = (error: Error): void => {
        clearTimeout(timer)
        reject(new RemotingConnectError(addr, { cause: error }))
      }
      socket.once('error', onError)
      socket.once('connect', () => {
        clearTimeout(timer)
        socket.off('error', onError)
        const connection = new Connection(socket, {
          maxFrameSize: this.options.maxFrameSize,
          logger: this.logger,
          lookup: this.lookup,
        })
        this.logger.debug('connected', { remoteAddr: addr })
        connection.onClose(() => this.logger.debug('connection closed', { remoteAddr: addr }))
        resolve(connection)
      })
    })
  }
}
