import { createServer } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { RemotingConnectError, RemotingSendRequestError, RemotingTimeoutError } from '../errors.js'
import { createRequest, createResponse } from '../remoting-command.js'
import type { RemotingCommand } from '../remoting-command.js'
import { RemotingClient, parseAddress } from './remoting-client.js'
import { RemotingServer } from './remoting-server.js'
import { waitFor } from './__fixtures__/socket-helpers.js'
import type { RemotingChannel } from './types.js'

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

interface Harness {
  server: RemotingServer
  addr: string
  /** Requests parked by the HOLD (11) processor, which never answers by itself. */
  held: Array<{ request: RemotingCommand; channel: RemotingChannel }>
  nextHeld: () => Promise<{ request: RemotingCommand; channel: RemotingChannel }>
  connections: () => number
}

async function startServer(port = 0): Promise<Harness> {
  const server = new RemotingServer({ host: '127.0.0.1', port })
  const held: Harness['held'] = []
  const waiters: Array<(entry: Harness['held'][number]) => void> = []
  let connections = 0
  server.onChannelConnected(() => connections++)
  server.registerProcessor(105, (request) => createResponse(request, 0, null, { topic: request.extFields.topic }))
  server.registerProcessor(11, (request, channel) => {
    const entry = { request, channel }
    held.push(entry)
    waiters.shift()?.(entry)
    return null
  })
  await server.listen()
  cleanups.push(() => server.close())
  return {
    server,
    addr: `127.0.0.1:${server.port}`,
    held,
    nextHeld: () => waitFor((done) => waiters.push(done), 5000, 'held request'),
    connections: () => connections,
  }
}

function newClient(options: ConstructorParameters<typeof RemotingClient>[0] = {}): RemotingClient {
  const client = new RemotingClient(options)
  cleanups.push(() => client.close())
  return client
}

/** A port with nothing listening on it. */
async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const address = probe.address()
  const port = typeof address === 'object' && address ? address.port : 0
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}

describe('RemotingClient', () => {
  it('shares one connection between concurrent invokes (connects once)', async () => {
    const h = await startServer()
    const client = newClient()
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => client.invoke(h.addr, createRequest(105, { topic: `T${i}` }))))
    responses.forEach((response, i) => expect(response.extFields.topic).toBe(`T${i}`))
    expect(h.connections()).toBe(1)
  })

  it('rejects with RemotingTimeoutError and keeps the connection usable', async () => {
    const h = await startServer()
    const client = newClient()
    const error = await client.invoke(h.addr, createRequest(11), { timeoutMs: 50 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RemotingTimeoutError)
    expect((error as RemotingTimeoutError).retriable).toBe(true)
    // a late response for the timed-out request is dropped; the connection still works
    const late = h.held[0] as { request: RemotingCommand; channel: RemotingChannel }
    late.channel.send(createResponse(late.request, 0))
    expect((await client.invoke(h.addr, createRequest(105, { topic: 'x' }))).extFields.topic).toBe('x')
    expect(h.connections()).toBe(1)
  })

  it('rejects with the abort reason when the signal aborts', async () => {
    const h = await startServer()
    const client = newClient()
    const controller = new AbortController()
    const pending = client.invoke(h.addr, createRequest(11), { signal: controller.signal, timeoutMs: 10_000 })
    await h.nextHeld()
    controller.abort(new Error('stop'))
    await expect(pending).rejects.toThrow('stop')
    const aborted = AbortSignal.abort()
    await expect(client.invoke(h.addr, createRequest(105), { signal: aborted })).rejects.toBe(aborted.reason)
  })

  it('rejects pending requests with RemotingSendRequestError when the connection closes', async () => {
    const h = await startServer()
    const client = newClient()
    const pending = client.invoke(h.addr, createRequest(11), { timeoutMs: 10_000 })
    const { channel } = await h.nextHeld()
    channel.close()
    await expect(pending).rejects.toBeInstanceOf(RemotingSendRequestError)
    // next invoke reconnects
    expect((await client.invoke(h.addr, createRequest(105, { topic: 'again' }))).extFields.topic).toBe('again')
    expect(h.connections()).toBe(2)
  })

  it('throws RemotingConnectError when nothing listens, and for bad addresses', async () => {
    const client = newClient()
    const port = await freePort()
    await expect(client.invoke(`127.0.0.1:${port}`, createRequest(105))).rejects.toBeInstanceOf(RemotingConnectError)
    await expect(client.invoke('no-port', createRequest(105))).rejects.toBeInstanceOf(RemotingConnectError)
  })

  it('reconnects after a server restart on the same port', async () => {
    const first = await startServer()
    const port = first.server.port
    const client = newClient()
    expect((await client.invoke(first.addr, createRequest(105, { topic: 'one' }))).extFields.topic).toBe('one')
    await first.server.close()
    // the old connection is gone: this invoke fails (closed connection or refused connect), never hangs
    await expect(client.invoke(first.addr, createRequest(105), { timeoutMs: 2000 })).rejects.toSatisfy(
      (e: unknown) => e instanceof RemotingSendRequestError || e instanceof RemotingConnectError,
    )
    const second = await startServer(port)
    expect((await client.invoke(second.addr, createRequest(105, { topic: 'two' }))).extFields.topic).toBe('two')
    expect(second.connections()).toBe(1)
  })

  it('invokeOneway sets the oneway flag and resolves once written', async () => {
    const h = await startServer()
    const client = newClient()
    const request = createRequest(11, { n: 1 })
    await client.invokeOneway(h.addr, request)
    const { request: received } = h.held[0] ?? (await h.nextHeld())
    expect(received.flag & 2).toBe(2)
    expect(received.opaque).toBe(request.opaque)
  })

  it('dispatches server-initiated requests to onRequest and replies unless oneway', async () => {
    const h = await startServer()
    const seen: RemotingCommand[] = []
    let onewaySeen: (cmd: RemotingCommand) => void = () => {}
    const onewayArrived = new Promise<RemotingCommand>((resolve) => (onewaySeen = resolve))
    const client = newClient({
      onRequest: (request) => {
        seen.push(request)
        if (request.flag & 2) onewaySeen(request)
        return createResponse(request, 0, `client handled ${request.code}`)
      },
    })
    const channelPromise = waitFor<RemotingChannel>((done) => h.server.onChannelConnected(done))
    await client.invoke(h.addr, createRequest(105, { topic: 'T' }))
    const channel = await channelPromise
    const response = await channel.invoke(createRequest(307, { consumerGroup: 'G' }), { timeoutMs: 2000 })
    expect(response).toMatchObject({ code: 0, remark: 'client handled 307', flag: 1 })
    channel.invokeOneway(createRequest(40, { consumerGroup: 'G' }))
    expect((await onewayArrived).extFields.consumerGroup).toBe('G')
    expect(seen.map((r) => r.code)).toEqual([307, 40])
  })

  it('answers server requests with REQUEST_CODE_NOT_SUPPORTED when there is no onRequest', async () => {
    const h = await startServer()
    const client = newClient()
    const channelPromise = waitFor<RemotingChannel>((done) => h.server.onChannelConnected(done))
    await client.invoke(h.addr, createRequest(105))
    const response = await (await channelPromise).invoke(createRequest(40))
    expect(response).toMatchObject({ code: 3, remark: ' request type 40 not supported' })
  })

  it('server channel.invoke times out when the client never answers', async () => {
    const h = await startServer()
    const client = newClient({ onRequest: () => null })
    const channelPromise = waitFor<RemotingChannel>((done) => h.server.onChannelConnected(done))
    await client.invoke(h.addr, createRequest(105))
    await expect((await channelPromise).invoke(createRequest(307), { timeoutMs: 50 })).rejects.toBeInstanceOf(RemotingTimeoutError)
  })

  it('closeChannel and close() end connections; invoke after close() fails', async () => {
    const h = await startServer()
    const client = new RemotingClient()
    await client.invoke(h.addr, createRequest(105))
    client.closeChannel(h.addr)
    await client.invoke(h.addr, createRequest(105))
    expect(h.connections()).toBe(2)
    await client.close()
    await expect(client.invoke(h.addr, createRequest(105))).rejects.toBeInstanceOf(RemotingConnectError)
  })

  it('parses host:port addresses', () => {
    expect(parseAddress('127.0.0.1:9876')).toEqual({ host: '127.0.0.1', port: 9876 })
    expect(parseAddress('[::1]:10911')).toEqual({ host: '::1', port: 10911 })
    expect(() => parseAddress('localhost')).toThrow(RangeError)
    expect(() => parseAddress('h:0')).toThrow(RangeError)
  })
})
