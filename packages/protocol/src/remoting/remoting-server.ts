/**
 * TCP server side of the remoting protocol (RocketMQ `NettyRemotingServer`): one processor per request code,
 * a default processor for the rest, idle connections closed after `idleTimeoutMs`
 * (RocketMQ `serverChannelMaxIdleTimeSeconds` = 120 s), a malformed frame closes only its connection.
 */
import { createServer } from 'node:net'
import type { Server, Socket } from 'node:net'
import { noopLogger } from '../logger.js'
import type { Logger } from '../logger.js'
import { Connection } from './connection.js'
import type { RemotingChannel, RequestProcessor } from './types.js'

export interface RemotingServerOptions {
  /** Bind address, default '0.0.0.0'. */
  host?: string
  /** TCP port, default 0 (any free port; read `server.port` after listen()). */
  port?: number
  /** Largest accepted frame length word, bytes (default 16 MiB). */
  maxFrameSize?: number
  /** Close a connection with no traffic in either direction for this long, ms (default 120000). */
  idleTimeoutMs?: number
  logger?: Logger
}

/** Default idle timeout, ms: RocketMQ NettyServerConfig.serverChannelMaxIdleTimeSeconds (120 s). */
export const DEFAULT_IDLE_TIMEOUT_MS = 120_000

export class RemotingServer {
  private readonly processors = new Map<number, RequestProcessor>()
  private defaultProcessor: RequestProcessor | undefined
  private readonly connections = new Set<Connection>()
  private readonly closedListeners: Array<(channel: RemotingChannel) => void> = []
  private readonly connectedListeners: Array<(channel: RemotingChannel) => void> = []
  private readonly logger: Logger
  private readonly server: Server
  private readonly lookup = (code: number): RequestProcessor | undefined => this.processors.get(code) ?? this.defaultProcessor

  constructor(private readonly options: RemotingServerOptions = {}) {
    this.logger = (options.logger ?? noopLogger).child('remoting')
    this.server = createServer((socket) => this.onSocket(socket))
    this.server.on('error', (error) => this.logger.error('server error', { error: error.message }))
  }

  /** Routes requests with `code` to `processor` (replaces an earlier registration). */
  registerProcessor(code: number, processor: RequestProcessor): void {
    this.processors.set(code, processor)
  }

  /** Handles every code without its own processor (otherwise they get REQUEST_CODE_NOT_SUPPORTED). */
  registerDefaultProcessor(processor: RequestProcessor): void {
    this.defaultProcessor = processor
  }

  onChannelClosed(listener: (channel: RemotingChannel) => void): void {
    this.closedListeners.push(listener)
  }

  onChannelConnected(listener: (channel: RemotingChannel) => void): void {
    this.connectedListeners.push(listener)
  }

  /** Starts listening. @throws the bind error (e.g. EADDRINUSE). */
  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(error)
      this.server.once('error', onError)
      this.server.listen(this.options.port ?? 0, this.options.host ?? '0.0.0.0', () => {
        this.server.off('error', onError)
        this.logger.info('remoting server listening', { port: this.port })
        resolve()
      })
    })
  }

  /** Actual bound port after listen() (0 before). */
  get port(): number {
    const address = this.server.address()
    return address !== null && typeof address === 'object' ? address.port : 0
  }

  /** Stops accepting, closes every connection and resolves when all are closed. */
  async close(): Promise<void> {
    const closing = new Promise<void>((resolve) => {
      if (!this.server.listening) resolve()
      else this.server.close(() => resolve())
    })
    const connections = [...this.connections]
    for (const connection of connections) connection.close()
    await Promise.all([closing, ...connections.map((connection) => connection.whenClosed())])
    this.logger.info('remoting server closed', {})
  }

  private onSocket(socket: Socket): void {
    const connection = new Connection(socket, {
      maxFrameSize: this.options.maxFrameSize,
      logger: this.logger,
      lookup: this.lookup,
    })
    this.connections.add(connection)
    const idleTimeoutMs = this.options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS
    if (idleTimeoutMs > 0) {
      socket.setTimeout(idleTimeoutMs, () => {
        this.logger.info('closing idle connection', { remoteAddr: connection.remoteAddress, idleTimeoutMs })
        socket.destroy()
      })
    }
    this.logger.debug('channel connected', { remoteAddr: connection.remoteAddress })
    connection.onClose(() => {
      this.connections.delete(connection)
      this.logger.debug('channel closed', { remoteAddr: connection.remoteAddress })
      this.notify(this.closedListeners, connection)
    })
    this.notify(this.connectedListeners, connection)
  }

  private notify(listeners: ReadonlyArray<(channel: RemotingChannel) => void>, channel: RemotingChannel): void {
    for (const listener of listeners) {
      try {
        listener(channel)
      } catch (error) {
        this.logger.warn('channel listener threw', { remoteAddr: channel.remoteAddress, error: (error as Error).message })
      }
    }
  }
}
