import { afterEach, describe, expect, it } from 'vitest'
import { HeaderError } from '../errors.js'
import { GetRouteInfoRequestHeader } from '../headers/namesrv-headers.js'
import type { Logger } from '../logger.js'
import { createRequest, createResponse, encodeCommand } from '../remoting-command.js'
import type { RemotingCommand } from '../remoting-command.js'
import { RemotingClient } from './remoting-client.js'
import { RemotingServer } from './remoting-server.js'
import { RawPeer, pseudoRandomBytes, waitFor } from './__fixtures__/socket-helpers.js'
import type { RemotingChannel } from './types.js'

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = []
  const logger: Logger & { warnings: string[] } = {
    warnings,
    error: () => {},
    warn: (message) => warnings.push(message),
    info: () => {},
    debug: () => {},
    child: () => logger,
  }
  return logger
}

async function startServer(options: ConstructorParameters<typeof RemotingServer>[0] = {}): Promise<{ server: RemotingServer; addr: string }> {
  const server = new RemotingServer({ host: '127.0.0.1', port: 0, ...options })
  server.registerProcessor(105, (request) => {
    const header = GetRouteInfoRequestHeader.decode(request.extFields)
    return createResponse(request, 0, null, { echo: header.topic }, request.body)
  })
  await server.listen()
  cleanups.push(() => server.close())
  return { server, addr: `127.0.0.1:${server.port}` }
}

function newClient(options: ConstructorParameters<typeof RemotingClient>[0] = {}): RemotingClient {
  const client = new RemotingClient(options)
  cleanups.push(() => client.close())
  return client
}

async function rawPeer(port: number): Promise<RawPeer> {
  const peer = await RawPeer.open(port)
  cleanups.push(() => peer.destroy())
  return peer
}

describe('RemotingServer', () => {
  it('answers a request in the request codec with the same opaque', async () => {
    const { server, addr } = await startServer()
    expect(server.port).toBeGreaterThan(0)
    const client = newClient()
    for (const serializeType of [0, 1] as const) {
      const request = createRequest(105, { topic: 'TopicTest' }, Buffer.from('payload'), { serializeType })
      const response = await client.invoke(addr, request)
      expect(response).toMatchObject({ code: 0, opaque: request.opaque, flag: 1, serializeType })
      expect(response.extFields).toEqual({ echo: 'TopicTest' })
      expect(response.body?.toString()).toBe('payload')
    }
  })

  it('round-trips a 1 MiB body (separate body write)', async () => {
    const { addr } = await startServer()
    const body = Buffer.alloc(1024 * 1024, 0x5a)
    const response = await newClient().invoke(addr, createRequest(105, { topic: 'T' }, body, { serializeType: 1 }))
    expect(response.body?.equals(body)).toBe(true)
  })

  it('answers unknown codes with REQUEST_CODE_NOT_SUPPORTED and the Java remark', async () => {
    const { addr } = await startServer()
    const response = await newClient().invoke(addr, createRequest(999))
    expect(response.code).toBe(3)
    expect(response.remark).toBe(' request type 999 not supported')
  })

  it('routes codes without a processor to the default processor', async () => {
    const { server, addr } = await startServer()
    server.registerDefaultProcessor((request) => createResponse(request, 0, `default ${request.code}`))
    expect((await newClient().invoke(addr, createRequest(998))).remark).toBe('default 998')
  })

  it('maps HeaderError and other throws (sync or async) to SYSTEM_ERROR', async () => {
    const { server, addr } = await startServer()
    server.registerProcessor(1, () => {
      throw new Error('boom')
    })
    server.registerProcessor(2, async () => {
      throw new HeaderError('the custom field topic is null', 'topic')
    })
    const client = newClient()
    expect(await client.invoke(addr, createRequest(105, {}))).toMatchObject({ code: 1, remark: 'the custom field topic is null' })
    expect(await client.invoke(addr, createRequest(1))).toMatchObject({ code: 1, remark: 'boom' })
    expect(await client.invoke(addr, createRequest(2))).toMatchObject({ code: 1, remark: 'the custom field topic is null' })
  })

  it('answers concurrent requests out of order, matched by opaque', async () => {
    const { server, addr } = await startServer()
    const held: Array<{ request: RemotingCommand; channel: RemotingChannel }> = []
    const count = 20
    let release: () => void = () => {}
    const allHeld = new Promise<void>((resolve) => (release = resolve))
    server.registerProcessor(11, (request, channel) => {
      held.push({ request, channel })
      if (held.length === count) release()
      return null // long polling: answered later via channel.send
    })
    const client = newClient()
    const calls = Array.from({ length: count }, (_, i) => client.invoke(addr, createRequest(11, { i })))
    await allHeld
    for (const { request, channel } of [...held].reverse()) channel.send(createResponse(request, 19, null, { i: request.extFields.i }))
    const responses = await Promise.all(calls)
    responses.forEach((response, i) => expect(response.extFields.i).toBe(String(i)))
  })

  it('never replies to oneway requests, even when the processor returns a response', async () => {
    const { server } = await startServer()
    let onewayCalls = 0
    server.registerProcessor(15, (request) => {
      onewayCalls++
      return createResponse(request, 0)
    })
    const peer = await rawPeer(server.port)
    const oneway = createRequest(15, { commitOffset: 1 }, null, { oneway: true })
    const unknownOneway = createRequest(777, {}, null, { oneway: true })
    const twoWay = createRequest(105, { topic: 'after' })
    peer.socket.write(Buffer.concat([encodeCommand(oneway), encodeCommand(unknownOneway), encodeCommand(twoWay)]))
    await peer.until(() => peer.frames.length >= 1, 5000, 'response')
    expect(onewayCalls).toBe(1)
    expect(peer.frames).toHaveLength(1)
    expect(peer.frames[0]?.opaque).toBe(twoWay.opaque)
  })

  const malformed: Array<[string, () => Buffer]> = [
    ['random bytes', () => {
      const garbage = pseudoRandomBytes(64)
      garbage.writeInt32BE(60, 0) // plausible length, garbage header word/serialize type
      garbage.writeUInt8(0x7f, 4)
      return garbage
    }],
    ['a huge length prefix', () => Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0])],
    ['an invalid JSON header', () => {
      const frame = encodeCommand(createRequest(105, { topic: 'T' }))
      frame.write('{"code":oops', 8)
      return frame
    }],
  ]
  for (const [name, bytes] of malformed) {
    it(`closes only the connection that sent ${name}`, async () => {
      const logger = recordingLogger()
      const { server, addr } = await startServer({ logger })
      const closed: string[] = []
      server.onChannelClosed((channel) => closed.push(channel.remoteAddress))
      const client = newClient()
      expect((await client.invoke(addr, createRequest(105, { topic: 'before' }))).extFields.echo).toBe('before')
      const bad = await rawPeer(server.port)
      const badAddress = `127.0.0.1:${bad.socket.localPort}`
      bad.socket.write(bytes())
      await bad.until(() => bad.closed, 5000, 'server to close the bad connection')
      expect(logger.warnings).toContain('malformed frame, closing connection')
      expect(closed).toEqual([badAddress])
      expect((await client.invoke(addr, createRequest(105, { topic: 'after' }))).extFields.echo).toBe('after')
    })
  }

  it('closes idle connections after idleTimeoutMs', async () => {
    const { server } = await startServer({ idleTimeoutMs: 100 })
    const closedChannel = waitFor<RemotingChannel>((done) => server.onChannelClosed(done), 5000, 'idle close')
    const peer = await rawPeer(server.port)
    await closedChannel
    await peer.until(() => peer.closed, 5000, 'peer close')
  })

  it('reports connected/closed channels and close() closes every connection', async () => {
    const { server, addr } = await startServer()
    const connected: RemotingChannel[] = []
    const bothConnected = waitFor<void>((done) =>
      server.onChannelConnected((channel) => {
        if (connected.push(channel) === 2) done()
      }),
    )
    server.onChannelConnected(() => {
      throw new Error('listener failure must not break the server')
    })
    const client = newClient()
    await client.invoke(addr, createRequest(105, { topic: 'T' }))
    const peer = await rawPeer(server.port)
    await bothConnected
    expect(new Set(connected.map((c) => c.id)).size).toBe(2)
    await server.close()
    expect(connected.every((c) => c.closed)).toBe(true)
    await peer.until(() => peer.closed, 5000, 'peer close')
  })
})
