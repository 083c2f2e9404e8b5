/**
 * Streaming frame reassembly for the remoting protocol (remoting-protocol.md §1.1), the job Netty's
 * `LengthFieldBasedFrameDecoder` does in RocketMQ's `NettyDecoder`. Handles frames split across chunks and
 * several frames per chunk. Complete frames inside one chunk are decoded without copying; a frame split across
 * chunks is copied once into a buffer of its exact size.
 */
import { RemotingProtocolError } from './errors.js'
import { DEFAULT_MAX_FRAME_SIZE, decodeCommand } from './remoting-command.js'
import type { RemotingCommand } from './remoting-command.js'

export class FrameDecoder {
  private readonly maxFrameSize: number
  /** Bytes of a length word split across chunks. */
  private readonly lengthBytes = Buffer.alloc(4)
  private lengthFilled = 0
  /** Frame (without prefix) being assembled, and how many bytes of it have arrived. */
  private partial: Buffer | null = null
  private partialFilled = 0
  private failed: RemotingProtocolError | null = null

  /** @param options.maxFrameSize largest accepted length word, in bytes (default 16 MiB). */
  constructor(options?: { maxFrameSize?: number }) {
    this.maxFrameSize = options?.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE
  }

  /**
   * Feeds bytes; returns the commands completed by them, in order.
   * @throws RemotingProtocolError for a length word < 4 or > maxFrameSize, or a frame `decodeCommand` rejects.
   *   After a throw the stream is unusable: every later push throws the same error (close the connection).
   */
  push(chunk: Buffer): RemotingCommand[] {
    if (this.failed) throw this.failed
    try {
      return this.pushUnchecked(chunk)
    } catch (error) {
      this.failed = error instanceof RemotingProtocolError ? error : new RemotingProtocolError(String(error), { cause: error })
      this.partial = null
      throw this.failed
    }
  }

  /** Bytes held for an incomplete frame (0 when idle between frames). */
  get bufferedBytes(): number {
    return this.partial ? 4 + this.partialFilled : this.lengthFilled
  }

  private pushUnchecked(chunk: Buffer): RemotingCommand[] {
    const out: RemotingCommand[] = []
    let offset = 0
    const size = chunk.length
    if (this.lengthFilled > 0) {
      const take = Math.min(4 - this.lengthFilled, size)
      chunk.copy(this.lengthBytes, this.lengthFilled, 0, take)
      this.lengthFilled += take
      offset = take
      if (this.lengthFilled < 4) return out
      this.lengthFilled = 0
      this.partial = Buffer.allocUnsafe(this.checkLength(this.lengthBytes.readInt32BE(0)))
      this.partialFilled = 0
    }
    if (this.partial) {
      const partial = this.partial
      const take = Math.min(partial.length - this.partialFilled, size - offset)
      chunk.copy(partial, this.partialFilled, offset, offset + take)
      this.partialFilled += take
      offset += take
      if (this.partialFilled < partial.length) return out
      this.partial = null
      this.partialFilled = 0
      out.push(decodeCommand(partial))
    }
    while (offset < size) {
      const remaining = size - offset
      if (remaining < 4) {
        chunk.copy(this.lengthBytes, 0, offset, size)
        this.lengthFilled = remaining
        break
      }
      const length = this.checkLength(chunk.readInt32BE(offset))
      if (remaining >= 4 + length) {
        out.push(decodeCommand(chunk.subarray(offset + 4, offset + 4 + length)))
        offset += 4 + length
      } else {
        const partial = Buffer.allocUnsafe(length)
        chunk.copy(partial, 0, offset + 4, size)
        this.partial = partial
        this.partialFilled = remaining - 4
        break
      }
    }
    return out
  }

  private checkLength(length: number): number {
    if (length < 4) throw new RemotingProtocolError(`invalid frame length ${length}`)
    if (length > this.maxFrameSize) {
      throw new RemotingProtocolError(`frame length ${length} exceeds maxFrameSize ${this.maxFrameSize}`)
    }
    return length
  }
}
