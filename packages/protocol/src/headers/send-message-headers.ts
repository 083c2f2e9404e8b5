/**
 * Producer → broker send headers (remoting-protocol.md §3.2).
 * Source: RocketMQ `remoting/.../protocol/header/SendMessageRequestHeader.java`, `SendMessageRequestHeaderV2.java`,
 * `SendMessageResponseHeader.java`.
 */
import { defineHeader, field } from './define-header.js'
import type { HeaderOf } from './define-header.js'

/**
 * SEND_MESSAGE (10) request, long field names. `queueId` < 0 lets the broker pick; `sysFlag` MessageSysFlag bits;
 * `bornTimestamp` client wall clock (ms); `properties` encoded `name\x01value\x02…`; `bname` is the 5.x
 * RpcRequestHeader broker name (V2 key `n`).
 */
export const SendMessageRequestHeader = defineHeader({
  producerGroup: field.string(),
  topic: field.string(),
  defaultTopic: field.string(),
  defaultTopicQueueNums: field.int(),
  queueId: field.int(),
  sysFlag: field.int(),
  bornTimestamp: field.long(),
  flag: field.int(),
  properties: field.string({ optional: true }),
  reconsumeTimes: field.int({ optional: true }),
  unitMode: field.boolean({ optional: true }),
  batch: field.boolean({ optional: true }),
  maxReconsumeTimes: field.int({ optional: true }),
  bname: field.string({ optional: true }),
})

/**
 * SEND_MESSAGE_V2 (310) / SEND_BATCH_MESSAGE (320) / SEND_REPLY_MESSAGE_V2 (325) request: the same data with
 * single-letter keys (what Java with sendSmartMsg=true and ali-ons send):
 *   a producerGroup, b topic, c defaultTopic, d defaultTopicQueueNums, e queueId, f sysFlag, g bornTimestamp,
 *   h flag, i properties, j reconsumeTimes, k unitMode, l maxReconsumeTimes, m batch, n brokerName (5.x).
 */
export const SendMessageRequestHeaderV2 = defineHeader({
  a: field.string(),
  b: field.string(),
  c: field.string(),
  d: field.int(),
  e: field.int(),
  f: field.int(),
  g: field.long(),
  h: field.int(),
  i: field.string({ optional: true }),
  j: field.int({ optional: true }),
  k: field.boolean({ optional: true }),
  l: field.int({ optional: true }),
  m: field.boolean({ optional: true }),
  n: field.string({ optional: true }),
})

export type SendMessageRequestHeaderType = HeaderOf<typeof SendMessageRequestHeader>
export type SendMessageRequestHeaderV2Type = HeaderOf<typeof SendMessageRequestHeaderV2>

/** Drops undefined members so converted headers compare cleanly. */
function compact<T extends Record<string, unknown>>(value: T): T {
  for (const key of Object.keys(value)) if (value[key] === undefined) delete value[key]
  return value
}

/**
 * V2 (a..n) → long names. Source: SendMessageRequestHeaderV2.createSendMessageRequestHeaderV1.
 * The result always has every member (absent optional ones are `undefined`): one fixed object shape keeps property
 * access fast on the broker's send path.
 */
export function toSendMessageRequestHeader(v2: SendMessageRequestHeaderV2Type): SendMessageRequestHeaderType {
  return {
    producerGroup: v2.a,
    topic: v2.b,
    defaultTopic: v2.c,
    defaultTopicQueueNums: v2.d,
    queueId: v2.e,
    sysFlag: v2.f,
    bornTimestamp: v2.g,
    flag: v2.h,
    properties: v2.i,
    reconsumeTimes: v2.j,
    unitMode: v2.k,
    maxReconsumeTimes: v2.l,
    batch: v2.m,
    bname: v2.n,
  }
}

/** Long names → V2 (a..n). Source: SendMessageRequestHeaderV2.createSendMessageRequestHeaderV2. */
export function toSendMessageRequestHeaderV2(v1: SendMessageRequestHeaderType): SendMessageRequestHeaderV2Type {
  return compact({
    a: v1.producerGroup,
    b: v1.topic,
    c: v1.defaultTopic,
    d: v1.defaultTopicQueueNums,
    e: v1.queueId,
    f: v1.sysFlag,
    g: v1.bornTimestamp,
    h: v1.flag,
    i: v1.properties,
    j: v1.reconsumeTimes,
    k: v1.unitMode,
    l: v1.maxReconsumeTimes,
    m: v1.batch,
    n: v1.bname,
  })
}

/**
 * Send response. `msgId` is the offset message id (comma-joined for a batch); `queueOffset` logical offset.
 * `MSG_REGION` (broker regionId, default 'DefaultRegion') and `TRACE_ON` ('true') are extFields the broker adds
 * and Java clients read (remoting-protocol.md §3.2) — always send them.
 */
export const SendMessageResponseHeader = defineHeader({
  msgId: field.string(),
  queueId: field.int(),
  queueOffset: field.long(),
  transactionId: field.string({ optional: true }),
  batchUniqId: field.string({ optional: true }),
  recallHandle: field.string({ optional: true }),
  MSG_REGION: field.string({ optional: true }),
  TRACE_ON: field.string({ optional: true }),
})
