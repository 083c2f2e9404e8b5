import { createServer } from 'node:net'
import type { Server, Socket } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { RemotingProtocolError } from '../errors.js'
import { noopLogger } from '../logger.js'
import { createRequest, createResponse, encodeCommand } from '../remoting-command.js'
import type { RemotingCommand } from '../remoting-command.js'
import { Connection } from './connection.js'
import { RawPeer } from './__fixtures__/socket-helpers.js'
import type { RequestProcessor } from './types.js'

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** A Connection around the server side of a loopback TCP pair, and a RawPeer on the other side. */
async function pair(lookup: (code: number) => RequestProcessor | undefined = () => undefined): Promise<{ connection: Connection; socket: Socket; peer: RawPeer }> {
  let accepted: (socket: Socket) => void = () => {}
  const acceptedSocket = new Promise<Socket>((resolve) => (accepted = resolve))
  const server: Server = createServer((socket) => accepted(socket))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const address = server.address()
  const peer = await RawPeer.open(typeof address === 'object' && address ? address.port : 0)
  cleanups.push(() => peer.destroy())
  const socket = await acceptedSocket
  const connection = new Connection(socket, { logger: noopLogger, lookup })
  cleanups.push(() => connection.close())
  return { connection, socket, peer }
}

function frame(i: number, body: Buffer | null = null): RemotingCommand {
  return createRequest(105, { topic: `T${i}` }, body)
}

describe('Connection batched writes', () => {
  it('writes the first frame of a tick at once and the rest of the tick in one write at its end, in order', async () => {
    const { connection, socket, peer } = await pair()
    const write = vi.spyOn(socket, 'write')
    for (let i = 0; i < 5; i++) connection.send(frame(i))
    expect(write).toHaveBeenCalledTimes(1)
    await new Promise<void>((resolve) => process.nextTick(resolve))
    expect(write).toHaveBeenCalledTimes(2)
    await peer.until(() => peer.frames.length === 5, 5000, '5 frames')
    expect(peer.frames.map((f) => f.extFields.topic)).toEqual(['T0', 'T1', 'T2', 'T3', 'T4'])
    // the next tick starts over: its first frame is written at once again
    connection.send(frame(5))
    expect(write).toHaveBeenCalledTimes(3)
    await peer.until(() => peer.frames.length === 6, 5000, '6 frames')
  })

  it('passes large bodies through without copying, keeping frame order around them', async () => {
    const { connection, socket, peer } = await pair()
    const write = vi.spyOn(socket, 'write')
    const big = Buffer.alloc(100 * 1024, 7)
    const big2 = Buffer.alloc(20 * 1024, 9)
    connection.send(frame(0, Buffer.from('small-0')))
    connection.send(frame(1, Buffer.from('small-1')))
    connection.send(frame(2, big))
    connection.send(frame(3, Buffer.from('small-3')))
    connection.send(frame(4, big2))
    await new Promise<void>((resolve) => process.nextTick(resolve))
    expect(write.mock.calls.some(([chunk]) => chunk === big)).toBe(true)
    expect(write.mock.calls.some(([chunk]) => chunk === big2)).toBe(true)
    await peer.until(() => peer.frames.length === 5, 5000, '5 frames')
    expect(peer.frames.map((f) => f.extFields.topic)).toEqual(['T0', 'T1', 'T2', 'T3', 'T4'])
    expect(peer.frames[0]?.body?.toString()).toBe('small-0')
    expect(peer.frames[1]?.body?.toString()).toBe('small-1')
    expect(peer.frames[2]?.body?.equals(big)).toBe(true)
    expect(peer.frames[3]?.body?.toString()).toBe('small-3')
    expect(peer.frames[4]?.body?.equals(big2)).toBe(true)
  })

  it('flushes queued frames before close() destroys the socket', async () => {
    const { connection, peer } = await pair()
    connection.send(frame(1))
    connection.send(frame(2, Buffer.alloc(64 * 1024, 1)))
    connection.send(frame(3))
    connection.close()
    await peer.until(() => peer.closed, 5000, 'close')
    expect(peer.frames.map((f) => f.extFields.topic)).toEqual(['T1', 'T2', 'T3'])
    expect(peer.frames[1]?.body?.length).toBe(64 * 1024)
  })

  it('writes a oneway request after the frames queued before it and resolves once written', async () => {
    const { connection, peer } = await pair()
    connection.send(frame(1))
    connection.send(frame(2))
    await connection.writeOneway(frame(3))
    connection.send(frame(4))
    await peer.until(() => peer.frames.length === 4, 5000, '4 frames')
    expect(peer.frames.map((f) => f.extFields.topic)).toEqual(['T1', 'T2', 'T3', 'T4'])
    expect(peer.frames[2]!.flag & 2).toBe(2)
  })

  it('answers the requests of one chunk in two writes, even when the peer closes its side right after them', async () => {
    const { socket, peer } = await pair((code) => (code === 105 ? (request) => createResponse(request, 0, null, { topic: request.extFields.topic }) : undefined))
    const write = vi.spyOn(socket, 'write')
    const requests = [frame(1), frame(2), frame(3)]
    peer.socket.end(Buffer.concat(requests.map((r) => encodeCommand(r))))
    await peer.until(() => peer.frames.length === 3, 5000, '3 responses')
    expect(peer.frames.map((f) => [f.opaque, f.extFields.topic])).toEqual(requests.map((r) => [r.opaque, r.extFields.topic]))
    expect(write).toHaveBeenCalledTimes(2)
  })

  it('throws encoding errors from send() synchronously and keeps the frames queued before', async () => {
    const { connection, peer } = await pair()
    const bad = { ...frame(0), serializeType: 7 as 0 }
    expect(() => connection.send(bad)).toThrow(RemotingProtocolError)
    connection.send(frame(1))
    connection.send(frame(2))
    expect(() => connection.send(bad)).toThrow(RemotingProtocolError)
    connection.send(frame(3))
    await peer.until(() => peer.frames.length === 3, 5000, '3 frames')
    expect(peer.frames.map((f) => f.extFields.topic)).toEqual(['T1', 'T2', 'T3'])
  })

  it('ignores frames sent after close', async () => {
    const { connection, peer } = await pair()
    connection.close()
    await connection.whenClosed()
    expect(() => connection.send(frame(1))).not.toThrow()
    await expect(connection.writeOneway(frame(2))).rejects.toThrow(/connection closed/)
    await peer.until(() => peer.closed, 5000, 'close')
    expect(peer.frames).toEqual([])
  })
})
