/**
 * A transparent TCP proxy in front of a remoting server that records the request codes clients send
 * through it (e.g. to prove a broker sent UNREGISTER_BROKER to the namesrv on shutdown). Bytes are
 * forwarded untouched; frames that cannot be parsed are simply not recorded.
 */
import net from 'node:net'
import { FrameSplitter, decodeFrame } from './wire.js'
import type { WireCommand } from './wire.js'

export class SniffingProxy {
  readonly requests: WireCommand[] = []
  private readonly server: net.Server
  private readonly sockets = new Set<net.Socket>()

  private constructor(server: net.Server) {
    this.server = server
  }

  /** @param options.port listen on this port (e.g. one reserved with freePort() and already handed to a client); default 0 */
  static async start(targetAddr: string, options: { port?: number } = {}): Promise<SniffingProxy> {
    const idx = targetAddr.lastIndexOf(':')
    const host = targetAddr.slice(0, idx)
    const port = Number(targetAddr.slice(idx + 1))
    const server = net.createServer()
    const proxy = new SniffingProxy(server)
    server.on('connection', (client) => {
      const upstream = net.connect({ host, port })
      proxy.sockets.add(client)
      proxy.sockets.add(upstream)
      const splitter = new FrameSplitter()
      let parsing = true
      client.on('data', (chunk: Buffer) => {
        if (parsing) {
          try {
            for (const frame of splitter.push(chunk)) {
              const cmd = decodeFrame(frame)
              if ((cmd.flag & 1) === 0) proxy.requests.push(cmd)
            }
          } catch {
            parsing = false
          }
        }
        upstream.write(chunk)
      })
      upstream.on('data', (chunk: Buffer) => client.write(chunk))
      const closeBoth = (): void => {
        client.destroy()
        upstream.destroy()
      }
      client.on('close', closeBoth)
      upstream.on('close', closeBoth)
      client.on('error', () => {})
      upstream.on('error', () => {})
      client.on('close', () => proxy.sockets.delete(client))
      upstream.on('close', () => proxy.sockets.delete(upstream))
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
    })
    return proxy
  }

  get port(): number {
    const address = this.server.address()
    if (address === null || typeof address === 'string') throw new Error('proxy not listening')
    return address.port
  }

  get addr(): string {
    return `127.0.0.1:${this.port}`
  }

  codes(): number[] {
    return this.requests.map((r) => r.code)
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}
