import { connect } from 'node:net'
import type { Socket } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FrameDecoder, RemotingClient, RequestCode, ResponseCode, createRequest, decodeCommand } from '@cometmq/protocol'
import type { RemotingCommand } from '@cometmq/protocol'
import { bodyJson, readFixture, waitForEvent } from './__fixtures__/helpers.js'
import { NamesrvController } from './namesrv-controller.js'

/** A raw TCP peer that writes captured frames byte for byte and collects decoded replies. */
async function rawPeer(port: number): Promise<{ socket: Socket; next(): Promise<RemotingCommand> }> {
  const socket = connect(port, '127.0.0.1')
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  const decoder = new FrameDecoder()
  const received: RemotingCommand[] = []
  const waiters: Array<(command: RemotingCommand) => void> = []
  socket.on('data', (chunk) => {
    for (const command of decoder.push(chunk)) {
      const waiter = waiters.shift()
      if (waiter) waiter(command)
      else received.push(command)
    }
  })
  return {
    socket,
    next: () => {
      const ready = received.shift()
      return ready ? Promise.resolve(ready) : new Promise((resolve) => waiters.push(resolve))
    },
  }
}

describe('namesrv against captured RocketMQ 4.9.4 frames', () => {
  let controller: NamesrvController
  let client: RemotingClient
  let addr: string
  beforeEach(async () => {
    controller = new NamesrvController({ listenPort: 0, host: '127.0.0.1' })
    await controller.start()
    client = new RemotingClient()
    addr = `127.0.0.1:${controller.port}`
  })
  afterEach(async () => {
    await client.close()
    await controller.shutdown()
  })

  it('serves the real REGISTER_BROKER frame and then the route the real namesrv returned', async () => {
    const peer = await rawPeer(controller.port)
    try {
      peer.socket.write(readFixture('103-REGISTER_BROKER.req.bin'))
      const reply = await peer.next()
      expect(reply).toMatchObject({ code: ResponseCode.SUCCESS, opaque: 0, flag: 1, extFields: {}, body: null, serializeType: 0 })

      // the captured ROCKETMQ-codec route request for TopicTest: not in this first registration
      peer.socket.write(readFixture('105-GET_ROUTEINFO_BY_TOPIC.req.rocketmq.bin'))
      const miss = await peer.next()
      expect(miss.code).toBe(ResponseCode.TOPIC_NOT_EXIST)
      expect(miss.serializeType).toBe(1)
      expect(miss.remark).toBe('No topic route info in name server for the topic: TopicTest\nSee http://rocketmq.apache.org/docs/faq/ for further details.')

      // TBW102: body byte-identical to what the real namesrv answered
      const expected = decodeCommand(readFixture('105-GET_ROUTEINFO_BY_TOPIC.resp-0-SUCCESS.bin').subarray(4))
      const route = (topic: string) => createRequest(RequestCode.GET_ROUTEINFO_BY_TOPIC, { topic }, null, { serializeType: 1 })
      const tbw = await client.invoke(addr, route('TBW102'))
      expect(tbw.code).toBe(ResponseCode.SUCCESS)
      expect(tbw.body?.toString()).toBe(expected.body?.toString())

      // the oneway re-registration (after TopicTest was auto-created) gets no reply but is applied
      const registered = waitForEvent(controller, 'BROKER_REGISTERED', (e) => !e.payload.firstRegistration)
      peer.socket.write(readFixture('103-REGISTER_BROKER.req-oneway.bin'))
      await registered
      const topicTest = await client.invoke(addr, route('TopicTest'))
      expect(bodyJson(topicTest)).toMatchObject({ queueDatas: [{ brokerName: 'broker-a', perm: 6, readQueueNums: 4, writeQueueNums: 4 }] })

      // the captured UNREGISTER_BROKER removes everything
      peer.socket.write(readFixture('104-UNREGISTER_BROKER.req.bin'))
      expect((await peer.next()).code).toBe(ResponseCode.SUCCESS)
      const gone = await client.invoke(addr, route('TopicTest'))
      expect(gone.code).toBe(ResponseCode.TOPIC_NOT_EXIST)
    } finally {
      peer.socket.destroy()
    }
  })
})
