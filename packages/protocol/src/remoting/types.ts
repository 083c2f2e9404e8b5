/**
 * Shared remoting types (architecture.md "remoting"). Semantics follow RocketMQ's NettyRemotingAbstract
 * (remoting-protocol.md §1.5): responses matched by opaque per connection, oneway requests never answered.
 */
import type { RemotingCommand } from '../remoting-command.js'

/** One TCP connection, as seen by a processor (server side) or by a client's onRequest handler. */
export interface RemotingChannel {
  /** Unique per connection within the process. */
  readonly id: string
  /** Peer address `'ip:port'` (IPv4-mapped IPv6 addresses are shown as plain IPv4). */
  readonly remoteAddress: string
  readonly closed: boolean
  /** Writes a frame (e.g. a late long-poll response). No-op when closed. */
  send(command: RemotingCommand): void
  /**
   * Sends a request on this connection and waits for the response with the same opaque.
   * @param options.timeoutMs default 3000 ms.
   * @throws RemotingTimeoutError when no response arrives in time; RemotingSendRequestError when the connection
   *   is or becomes closed first.
   */
  invoke(request: RemotingCommand, options?: { timeoutMs?: number }): Promise<RemotingCommand>
  /** Sets the oneway flag on `request` and writes it; no response is expected. No-op when closed. */
  invokeOneway(request: RemotingCommand): void
  close(): void
  /** Called once when the connection closes (immediately if already closed). */
  onClose(listener: () => void): void
}

/**
 * Handles one request code. Returns the response, or null when it answers later via `channel.send()`
 * (long polling) or the request was oneway. A thrown HeaderError becomes SYSTEM_ERROR (1) with its message as
 * remark; any other throw becomes SYSTEM_ERROR with the error's message.
 */
export type RequestProcessor = (
  request: RemotingCommand,
  channel: RemotingChannel,
) => Promise<RemotingCommand | null> | RemotingCommand | null
