/**
 * Raw-wire producer/consumer operations used by the integration tests (SEND_MESSAGE_V2, PULL_MESSAGE,
 * GET_MAX_OFFSET), built on the independent WireConnection.
 */
import { Code, PullFlag, Resp } from './codes.js'
import { decodeRecords, encodeProperties } from './records.js'
import type { DecodedRecord } from './records.js'
import type { WireCommand, WireConnection } from './wire.js'

export interface RawSendInput {
  topic: string
  queueId: number
  body: Buffer
  properties?: Record<string, string>
  producerGroup?: string
  flag?: number
  sysFlag?: number
  bornTimestamp?: number
  defaultTopicQueueNums?: number
}

/** SEND_MESSAGE_V2 (310) with the short header names a..m (§3.2). Returns the raw response. */
export function sendV2(conn: WireConnection, input: RawSendInput, timeoutMs = 10_000): Promise<WireCommand> {
  return conn.invoke(
    Code.SEND_MESSAGE_V2,
    {
      a: input.producerGroup ?? 'test_producer_group',
      b: input.topic,
      c: 'TBW102',
      d: input.defaultTopicQueueNums ?? 4,
      e: input.queueId,
      f: input.sysFlag ?? 0,
      g: input.bornTimestamp ?? Date.now(),
      h: input.flag ?? 0,
      i: encodeProperties(input.properties ?? {}),
      j: 0,
      k: false,
      m: false,
    },
    input.body,
    { timeoutMs },
  )
}

/** GET_MAX_OFFSET (30) → number; throws unless SUCCESS. */
export async function getMaxOffset(conn: WireConnection, topic: string, queueId: number): Promise<number> {
  const res = await conn.invoke(Code.GET_MAX_OFFSET, { topic, queueId })
  if (res.code !== Resp.SUCCESS) throw new Error(`GET_MAX_OFFSET ${topic}/${queueId} -> ${res.code} ${res.remark}`)
  return Number(res.extFields.offset)
}

/**
 * Pulls every record of one queue from `fromOffset` up to the current max offset, without long polling
 * (sysFlag = SUBSCRIPTION only, subscription '*'). Throws on an unexpected response code.
 */
export async function pullAll(
  conn: WireConnection,
  topic: string,
  queueId: number,
  options: { consumerGroup?: string; fromOffset?: number; maxMsgNums?: number } = {},
): Promise<DecodedRecord[]> {
  const out: DecodedRecord[] = []
  let offset = options.fromOffset ?? 0
  const max = await getMaxOffset(conn, topic, queueId)
  for (let guard = 0; offset < max; guard++) {
    if (guard > 100_000) throw new Error('pullAll: no progress')
    const res = await conn.invoke(Code.PULL_MESSAGE, {
      consumerGroup: options.consumerGroup ?? 'test_pull_group',
      topic,
      queueId,
      queueOffset: offset,
      maxMsgNums: options.maxMsgNums ?? 32,
      sysFlag: PullFlag.SUBSCRIPTION,
      commitOffset: 0,
      suspendTimeoutMillis: 0,
      subscription: '*',
      subVersion: 0,
      expressionType: 'TAG',
    })
    for (const key of ['nextBeginOffset', 'minOffset', 'maxOffset', 'suggestWhichBrokerId']) {
      if (res.extFields[key] === undefined) throw new Error(`PULL response (code ${res.code}) lacks ${key}`)
    }
    const next = Number(res.extFields.nextBeginOffset)
    if (res.code === Resp.SUCCESS) {
      if (!res.body) throw new Error('PULL SUCCESS without body')
      out.push(...decodeRecords(res.body))
    } else if (res.code !== Resp.PULL_RETRY_IMMEDIATELY && res.code !== Resp.PULL_NOT_FOUND) {
      throw new Error(`PULL ${topic}/${queueId}@${offset} -> ${res.code} ${res.remark}`)
    }
    if (next <= offset) {
      if (res.code === Resp.PULL_NOT_FOUND) break
      throw new Error(`PULL ${topic}/${queueId}@${offset} did not advance (next ${next}, code ${res.code})`)
    }
    offset = next
  }
  return out
}
