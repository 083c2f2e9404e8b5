/**
 * Malformed and hostile input against a real broker and namesrv over TCP.
 *
 * Framing errors (random bytes, a length word over 16 MiB, a header length larger than the frame, a header
 * that is not JSON) must close THAT connection, while a second client that was already connected keeps
 * getting answers before and after. Well-framed but invalid requests must get the right error response
 * and leave the connection open.
 */
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTopic, startCluster } from '../harness/cluster.js'
import type { Cluster } from '../harness/cluster.js'
import { Code, Resp } from '../harness/codes.js'
import { sendV2 } from '../harness/messaging.js'
import { uniqueName } from '../harness/wait.js'
import { WireConnection, allocateOpaque, encodeJsonFrame } from '../harness/wire.js'

const CLOSE_TIMEOUT_MS = 5_000
const MAX_MESSAGE_SIZE = 4 * 1024 * 1024 // broker default maxMessageSize (4194304)

let cluster: Cluster
let topic: string
let brokerAddr: string
/** long-lived healthy clients, connected before any bad input is sent */
let brokerHealthy: WireConnection
let namesrvHealthy: WireConnection
let healthySends = 0

beforeAll(async () => {
  cluster = await startCluster({ brokers: 1, brokerConfig: { autoCreateTopicEnable: false } })
  brokerAddr = cluster.brokers[0]!.addr
  topic = uniqueName('T_bad')
  await createTopic(cluster, topic, { queueNums: 2 })
  brokerHealthy = await WireConnection.connect(brokerAddr)
  namesrvHealthy = await WireConnection.connect(cluster.namesrvAddr)
})

afterAll(async () => {
  await brokerHealthy?.close()
  await namesrvHealthy?.close()
  await cluster?.stop()
})

/** The already-connected clients still get correct answers. */
async function expectHealthyClientsWork(): Promise<void> {
  const res = await sendV2(brokerHealthy, { topic, queueId: 0, body: Buffer.from(`healthy-${healthySends}`) })
  expect(res.code, `healthy send: ${res.remark}`).toBe(Resp.SUCCESS)
  expect(Number(res.extFields.queueOffset)).toBe(healthySends)
  healthySends++
  const route = await namesrvHealthy.invoke(Code.GET_ROUTEINFO_BY_TOPIC, { topic })
  expect(route.code, `healthy route lookup: ${route.remark}`).toBe(Resp.SUCCESS)
  expect(brokerHealthy.isOpen).toBe(true)
  expect(namesrvHealthy.isOpen).toBe(true)
}

/** A well-framed packet whose payload (header-length word, header, body) is random bytes with a JSON type byte. */
function randomFrame(): Buffer {
  const payload = randomBytes(512)
  payload[0] = 0 // serializeType JSON: the random 24-bit header length and random "JSON" must both be rejected
  const frame = Buffer.alloc(4 + payload.length)
  frame.writeInt32BE(payload.length, 0)
  payload.copy(frame, 4)
  return frame
}

/** Length word of 0x7fffffff (> 16 MiB frame cap) followed by a few bytes. */
function hugeLengthFrame(): Buffer {
  const frame = Buffer.alloc(16)
  frame.writeInt32BE(0x7fffffff, 0)
  frame.writeInt32BE(10, 4)
  return frame
}

/** Frame of 8 bytes after the length word whose header length (100) exceeds the frame. */
function truncatedHeaderFrame(): Buffer {
  const frame = Buffer.alloc(12)
  frame.writeInt32BE(8, 0)
  frame.writeInt32BE(100, 4)
  frame.write('{"co', 8, 'latin1')
  return frame
}

/** Correct lengths, JSON serialize type, header text that is not JSON. */
function invalidJsonFrame(): Buffer {
  const header = Buffer.from('{code:105,"opaque":1, this is not json', 'utf8')
  const frame = Buffer.alloc(8 + header.length)
  frame.writeInt32BE(4 + header.length, 0)
  frame.writeInt32BE(header.length, 4)
  header.copy(frame, 8)
  return frame
}

const framingCases: Array<[string, () => Buffer]> = [
  ['random bytes', randomFrame],
  ['a length prefix over 16 MiB', hugeLengthFrame],
  ['a header length larger than the frame (truncated header)', truncatedHeaderFrame],
  ['a header that is not valid JSON', invalidJsonFrame],
]

describe.each([
  ['broker', () => brokerAddr],
  ['namesrv', () => cluster.namesrvAddr],
])('%s framing errors', (_name, addr) => {
  it.each(framingCases)('closes the connection on %s and keeps serving other clients', async (_label, makeFrame) => {
    await expectHealthyClientsWork()
    const bad = await WireConnection.connect(addr())
    try {
      bad.writeRaw(makeFrame())
      const closed = await bad.waitClosed(CLOSE_TIMEOUT_MS)
      expect(closed, `server closed the offending connection within ${CLOSE_TIMEOUT_MS} ms`).toBe(true)
    } finally {
      await bad.close()
    }
    await expectHealthyClientsWork()
  })
})

describe('broker request validation', () => {
  it('answers MESSAGE_ILLEGAL (13) with a remark for a body of maxMessageSize + 1 bytes', async () => {
    const conn = await WireConnection.connect(brokerAddr)
    try {
      const body = Buffer.alloc(MAX_MESSAGE_SIZE + 1, 0x61)
      const res = await sendV2(conn, { topic, queueId: 1, body }, 15_000)
      expect(res.code, `remark: ${res.remark}`).toBe(Resp.MESSAGE_ILLEGAL)
      expect(res.remark ?? '').not.toBe('')
      // the connection stays usable and the oversized message was not stored
      const ok = await sendV2(conn, { topic, queueId: 1, body: Buffer.alloc(MAX_MESSAGE_SIZE, 0x62) }, 15_000)
      expect(ok.code, `exactly maxMessageSize is accepted: ${ok.remark}`).toBe(Resp.SUCCESS)
      expect(Number(ok.extFields.queueOffset)).toBe(0)
    } finally {
      await conn.close()
    }
    await expectHealthyClientsWork()
  }, 30_000)

  it('answers TOPIC_NOT_EXIST (17) for a send to a missing topic when autoCreateTopicEnable=false', async () => {
    const res = await sendV2(brokerHealthy, { topic: uniqueName('T_missing'), queueId: 0, body: Buffer.from('x') })
    expect(res.code, `remark: ${res.remark}`).toBe(Resp.TOPIC_NOT_EXIST)
    await expectHealthyClientsWork()
  })

  it.each([
    ['broker', () => brokerHealthy],
    ['namesrv', () => namesrvHealthy],
  ])('%s answers REQUEST_CODE_NOT_SUPPORTED (3) for an unknown request code and keeps the connection', async (_n, conn) => {
    const res = await conn().invoke(9999, { foo: 'bar' })
    expect(res.code).toBe(Resp.REQUEST_CODE_NOT_SUPPORTED)
    expect(res.remark ?? '').toContain('9999')
    expect(res.flag & 1).toBe(1)
    await expectHealthyClientsWork()
  })

  it('broker answers SYSTEM_ERROR (1) naming the missing required header field (GET_MAX_OFFSET without queueId)', async () => {
    const res = await brokerHealthy.invoke(Code.GET_MAX_OFFSET, { topic })
    expect(res.code).toBe(Resp.SYSTEM_ERROR)
    expect(res.remark ?? '').toContain('queueId')
    await expectHealthyClientsWork()
  })

  it('broker answers SYSTEM_ERROR (1) naming the missing field of a PULL_MESSAGE without queueOffset', async () => {
    const res = await brokerHealthy.invoke(Code.PULL_MESSAGE, {
      consumerGroup: 'g',
      topic,
      queueId: 0,
      maxMsgNums: 1,
      sysFlag: 4,
      commitOffset: 0,
      suspendTimeoutMillis: 0,
      subscription: '*',
      subVersion: 0,
    })
    expect(res.code).toBe(Resp.SYSTEM_ERROR)
    expect(res.remark ?? '').toContain('queueOffset')
    await expectHealthyClientsWork()
  })

  it('namesrv answers SYSTEM_ERROR (1) naming the missing field of GET_ROUTEINFO_BY_TOPIC without topic', async () => {
    const res = await namesrvHealthy.invoke(Code.GET_ROUTEINFO_BY_TOPIC, {})
    expect(res.code).toBe(Resp.SYSTEM_ERROR)
    expect(res.remark ?? '').toContain('topic')
    await expectHealthyClientsWork()
  })

  it('echoes the opaque and answers in JSON (serializeType 0) for an error response', async () => {
    const opaque = allocateOpaque()
    const res = await brokerHealthy.invokeFrame(encodeJsonFrame({ code: 9998, opaque }), opaque, 5000)
    expect(res.opaque).toBe(opaque)
    expect(res.serializeType).toBe(0)
  })
})
