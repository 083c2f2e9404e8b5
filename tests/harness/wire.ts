/**
 * A deliberately independent, minimal RocketMQ remoting client for tests (JSON header codec only).
 *
 * It does not use @cometmq/protocol on purpose: integration tests must be able to tell "the server is
 * wrong" from "our own codec is wrong", and the bad-input tests need to put arbitrary bytes on the wire.
 *
 * Frame (remoting-protocol.md §1.1):
 *   | int length | int (serializeType << 24 | headerLength) | header JSON | body |
 *   length = 4 + headerLength + bodyLength (everything after the length word)
 */
import net from 'node:net'

/** One decoded command as seen on the wire. */
export interface WireCommand {
  code: number
  opaque: number
  flag: number
  remark: string | null
  extFields: Record<string, string>
  body: Buffer | null
  /** serializeType byte of the frame (0 = JSON). */
  serializeType: number
  /** The raw header object, for assertions on its exact shape. */
  header: Record<string, unknown>
}

export type WireValue = string | number | bigint | boolean | null | undefined

let nextOpaque = 1

/** Allocates a process-wide request id. */
export function allocateOpaque(): number {
  nextOpaque = (nextOpaque + 1) % 0x7fffffff
  return nextOpaque
}

/**
 * Encodes one JSON-header request frame (including the 4-byte length prefix).
 * `extFields` values are rendered as strings; null/undefined are omitted (like Java).
 */
export function encodeJsonFrame(options: {
  code: number
  opaque?: number
  flag?: number
  remark?: string | null
  extFields?: Record<string, WireValue>
  body?: Buffer | null
  version?: number
}): Buffer {
  const extFields: Record<string, string> = {}
  for (const [key, value] of Object.entries(options.extFields ?? {})) {
    if (value === null || value === undefined) continue
    extFields[key] = String(value)
  }
  const header: Record<string, unknown> = {
    code: options.code,
    language: 'JAVA',
    version: options.version ?? 401,
    opaque: options.opaque ?? allocateOpaque(),
    flag: options.flag ?? 0,
    extFields,
  }
  if (options.remark !== undefined && options.remark !== null) header.remark = options.remark
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8')
  const body = options.body ?? null
  const bodyLength = body ? body.length : 0
  const prefix = Buffer.alloc(8)
  prefix.writeInt32BE(4 + headerBytes.length + bodyLength, 0)
  prefix.writeInt32BE(headerBytes.length, 4) // serializeType 0 (JSON)
  return body ? Buffer.concat([prefix, headerBytes, body]) : Buffer.concat([prefix, headerBytes])
}

/** Decodes a frame WITHOUT its length prefix. Throws on anything malformed. */
export function decodeFrame(frame: Buffer): WireCommand {
  if (frame.length < 4) throw new Error(`frame too short: ${frame.length}`)
  const word = frame.readUInt32BE(0)
  const serializeType = word >>> 24
  const headerLength = word & 0xffffff
  if (headerLength > frame.length - 4) throw new Error(`header length ${headerLength} > frame ${frame.length - 4}`)
  if (serializeType !== 0) throw new Error(`unexpected serializeType ${serializeType} (test client speaks JSON only)`)
  const text = frame.subarray(4, 4 + headerLength).toString('utf8')
  const header = JSON.parse(text) as Record<string, unknown> // strict, like ali-ons
  const rawExt = (header.extFields ?? {}) as Record<string, unknown>
  const extFields: Record<string, string> = {}
  for (const [k, v] of Object.entries(rawExt)) extFields[k] = typeof v === 'string' ? v : JSON.stringify(v)
  const body = frame.length > 4 + headerLength ? Buffer.from(frame.subarray(4 + headerLength)) : null
  return {
    code: Number(header.code),
    opaque: Number(header.opaque),
    flag: Number(header.flag ?? 0),
    remark: typeof header.remark === 'string' ? header.remark : null,
    extFields,
    body,
    serializeType,
    header,
  }
}

/** Splits a byte stream into frames (without their length prefix). */
export class FrameSplitter {
  private buffer: Buffer = Buffer.alloc(0)
  push(chunk: Buffer): Buffer[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk])
    const frames: Buffer[] = []
    while (this.buffer.length >= 4) {
      const length = this.buffer.readInt32BE(0)
      if (length < 0 || length > 64 * 1024 * 1024) throw new Error(`bad frame length ${length}`)
      if (this.buffer.length < 4 + length) break
      frames.push(this.buffer.subarray(4, 4 + length))
      this.buffer = this.buffer.subarray(4 + length)
    }
    return frames
  }
}

export class WireTimeoutError extends Error {
  override name = 'WireTimeoutError'
}

/**
 * One TCP connection speaking JSON remoting. Responses are matched by opaque; server-initiated requests
 * (e.g. NOTIFY_CONSUMER_IDS_CHANGED) are recorded in `serverRequests` and otherwise ignored.
 */
export class WireConnection {
  readonly socket: net.Socket
  readonly serverRequests: WireCommand[] = []
  /** Resolves when the socket has closed (for any reason). */
  readonly closed: Promise<void>
  private readonly pending = new Map<number, { resolve: (c: WireCommand) => void; reject: (e: Error) => void }>()
  private readonly splitter = new FrameSplitter()
  private isClosed = false
  private lastError: Error | null = null

  private constructor(socket: net.Socket) {
    this.socket = socket
    this.closed = new Promise<void>((resolve) => {
      socket.once('close', () => {
        this.isClosed = true
        const error = new Error(`connection closed${this.lastError ? `: ${this.lastError.message}` : ''}`)
        for (const p of this.pending.values()) p.reject(error)
        this.pending.clear()
        resolve()
      })
    })
    socket.on('error', (error) => {
      this.lastError = error
    })
    socket.on('data', (chunk: Buffer) => {
      let frames: Buffer[]
      try {
        frames = this.splitter.push(chunk)
      } catch (error) {
        this.lastError = error as Error
        socket.destroy()
        return
      }
      for (const frame of frames) {
        let cmd: WireCommand
        try {
          cmd = decodeFrame(frame)
        } catch (error) {
          this.lastError = error as Error
          socket.destroy()
          return
        }
        if ((cmd.flag & 1) === 1) {
          const p = this.pending.get(cmd.opaque)
          if (p) {
            this.pending.delete(cmd.opaque)
            p.resolve(cmd)
          }
        } else {
          this.serverRequests.push(cmd)
        }
      }
    })
  }

  /** Connects to `host:port`; rejects after `timeoutMs`. */
  static connect(addr: string, timeoutMs = 3000): Promise<WireConnection> {
    const idx = addr.lastIndexOf(':')
    const host = addr.slice(0, idx)
    const port = Number(addr.slice(idx + 1))
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port })
      socket.setNoDelay(true)
      const timer = setTimeout(() => {
        socket.destroy()
        reject(new WireTimeoutError(`connect to ${addr} timed out after ${timeoutMs} ms`))
      }, timeoutMs)
      socket.once('connect', () => {
        clearTimeout(timer)
        socket.removeListener('error', onError)
        resolve(new WireConnection(socket))
      })
      const onError = (error: Error): void => {
        clearTimeout(timer)
        reject(error)
      }
      socket.once('error', onError)
    })
  }

  get isOpen(): boolean {
    return !this.isClosed
  }

  /** Sends a request and waits for the matching response. */
  invoke(
    code: number,
    extFields: Record<string, WireValue> = {},
    body: Buffer | null = null,
    options: { timeoutMs?: number; remark?: string } = {},
  ): Promise<WireCommand> {
    const opaque = allocateOpaque()
    const frame = encodeJsonFrame({ code, opaque, extFields, body, remark: options.remark ?? null })
    return this.invokeFrame(frame, opaque, options.timeoutMs ?? 5000)
  }

  /** Writes a pre-built frame whose header carries `opaque` and waits for the response with that opaque. */
  invokeFrame(frame: Buffer, opaque: number, timeoutMs: number): Promise<WireCommand> {
    if (this.isClosed) return Promise.reject(new Error('connection already closed'))
    return new Promise<WireCommand>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(opaque)
        reject(new WireTimeoutError(`no response for opaque ${opaque} within ${timeoutMs} ms`))
      }, timeoutMs)
      this.pending.set(opaque, {
        resolve: (c) => {
          clearTimeout(timer)
          resolve(c)
        },
        reject: (e) => {
          clearTimeout(timer)
          reject(e)
        },
      })
      this.socket.write(frame)
    })
  }

  /** Writes arbitrary bytes. */
  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes)
  }

  /** Resolves true if the server closed the socket within `timeoutMs`, false otherwise. */
  async waitClosed(timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs)
    })
    const result = await Promise.race([this.closed.then(() => true as const), timeout])
    clearTimeout(timer)
    return result
  }

  close(): Promise<void> {
    if (!this.isClosed) this.socket.destroy()
    return this.closed
  }
}

/** Convenience: connect, invoke once, close. */
export async function invokeOnce(
  addr: string,
  code: number,
  extFields: Record<string, WireValue> = {},
  body: Buffer | null = null,
  timeoutMs = 5000,
): Promise<WireCommand> {
  const conn = await WireConnection.connect(addr)
  try {
    return await conn.invoke(code, extFields, body, { timeoutMs })
  } finally {
    await conn.close()
  }
}
