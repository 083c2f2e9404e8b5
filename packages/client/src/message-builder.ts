/**
 * Client-side message validation and wire preparation for SEND_MESSAGE_V2 / SEND_BATCH_MESSAGE
 * (RocketMQ `Validators.checkMessage` + the property handling of `DefaultMQProducerImpl.sendKernelImpl`).
 */
import { deflateSync } from 'node:zlib'
import { MQClientError, MessageConst, MessageSysFlag, MixAll, createUniqId, encodeProperties, validateTopic } from '@cometmq/protocol'
import type { MessageInput } from './types.js'

/** A message ready for the send header/body. */
export interface PreparedMessage {
  topic: string
  /** Body as sent (deflated when sysFlag has COMPRESSED_FLAG). */
  body: Buffer
  flag: number
  sysFlag: number
  /** Encoded properties (§5.1). */
  properties: string
  /** The property map before encoding (batch encoding needs it). */
  propertyMap: Record<string, string>
  /** UNIQ_KEY (§6.2). */
  uniqKey: string
  /** Header `j` for %RETRY% topics (moved out of property RECONSUME_TIME). */
  reconsumeTimes?: number
  /** Header `l` for %RETRY% topics (moved out of property MAX_RECONSUME_TIMES). */
  maxReconsumeTimes?: number
}

export interface PrepareLimits {
  /** Max body size in bytes before compression (RocketMQ `maxMessageSize`, 4 MiB). */
  maxMessageSize: number
  /** Bodies of at least this many bytes are zlib-deflated (RocketMQ `compressMsgBodyOverHowmuch`, 4096). Infinity disables. */
  compressMsgBodyOverHowmuch: number
}

/** Topics a client may never send to. Source: RocketMQ TopicValidator.NOT_ALLOWED_SEND_TOPIC_SET. */
const NOT_ALLOWED_SEND_TOPICS: ReadonlySet<string> = new Set([
  MixAll.SCHEDULE_TOPIC,
  MixAll.RMQ_SYS_TRANS_HALF_TOPIC,
  MixAll.RMQ_SYS_TRANS_OP_HALF_TOPIC,
  'TRANS_CHECK_MAX_TIME_TOPIC',
])

// eslint-disable-next-line no-control-regex
const SEPARATORS = /[\u0001\u0002]/

function illegal(message: string): MQClientError {
  return new MQClientError('MESSAGE_ILLEGAL', message)
}

/** Body as a Buffer (strings are UTF-8; Uint8Array is wrapped without copying). */
export function toBuffer(body: Buffer | Uint8Array | string): Buffer {
  if (Buffer.isBuffer(body)) return body
  if (typeof body === 'string') return Buffer.from(body, 'utf8')
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  throw illegal('the message body must be a Buffer, Uint8Array or string')
}

/**
 * Validates `topic` for sending.
 * @throws MQClientError MESSAGE_ILLEGAL naming the rule that failed.
 */
export function checkTopic(topic: unknown): asserts topic is string {
  if (typeof topic !== 'string') throw illegal('the specified topic is blank')
  const reason = validateTopic(topic)
  if (reason !== null) throw illegal(reason)
  if (NOT_ALLOWED_SEND_TOPICS.has(topic)) throw illegal(`Sending message to topic[${topic}] is forbidden.`)
}

/**
 * Validates `message` and builds what goes on the wire: properties TAGS, KEYS (space-joined), WAIT=true,
 * DELAY, UNIQ_KEY (kept if already present) plus user properties; compression for large bodies.
 * For `%RETRY%` topics, properties RECONSUME_TIME / MAX_RECONSUME_TIMES move into header fields.
 * @throws MQClientError MESSAGE_ILLEGAL: bad topic, missing/empty body, body larger than maxMessageSize,
 *   bad flag/delay level, or a property containing U+0001/U+0002.
 */
export function prepareMessage(message: MessageInput, limits: PrepareLimits, compress = true): PreparedMessage {
  if (message === null || typeof message !== 'object') throw illegal('the message is null')
  checkTopic(message.topic)
  if (message.body === undefined || message.body === null) throw illegal('the message body is null')
  let body = toBuffer(message.body)
  if (body.length === 0) throw illegal('the message body length is zero')
  if (body.length > limits.maxMessageSize) {
    throw illegal(`the message body size over max value, MAX: ${limits.maxMessageSize}, got ${body.length}`)
  }
  const flag = message.flag ?? 0
  if (!Number.isInteger(flag)) throw illegal(`the message flag must be an integer, got ${String(flag)}`)

  const props: Record<string, string> = {}
  if (message.properties) {
    for (const [key, value] of Object.entries(message.properties)) {
      if (typeof value !== 'string') throw illegal(`property ${key} must be a string`)
      if (key.length === 0 || SEPARATORS.test(key) || SEPARATORS.test(value)) {
        throw illegal(`property ${JSON.stringify(key)} must be non-empty and free of U+0001/U+0002`)
      }
      props[key] = value
    }
  }
  if (message.tags !== undefined && message.tags !== '') props[MessageConst.TAGS] = message.tags
  if (message.keys !== undefined) {
    const keys = typeof message.keys === 'string' ? message.keys : message.keys.join(MessageConst.KEY_SEPARATOR)
    if (keys !== '') props[MessageConst.KEYS] = keys
  }
  if (message.delayTimeLevel !== undefined && message.delayTimeLevel !== 0) {
    if (!Number.isInteger(message.delayTimeLevel) || message.delayTimeLevel < 0) {
      throw illegal(`delayTimeLevel must be a non-negative integer, got ${String(message.delayTimeLevel)}`)
    }
    props[MessageConst.DELAY] = String(message.delayTimeLevel)
  }
  if (props[MessageConst.WAIT] === undefined) props[MessageConst.WAIT] = 'true'
  let uniqKey = props[MessageConst.UNIQ_KEY]
  if (uniqKey === undefined || uniqKey === '') {
    uniqKey = createUniqId()
    props[MessageConst.UNIQ_KEY] = uniqKey
  }
  for (const value of [props[MessageConst.TAGS], props[MessageConst.KEYS]]) {
    if (value !== undefined && SEPARATORS.test(value)) throw illegal('tags/keys must be free of U+0001/U+0002')
  }

  let reconsumeTimes: number | undefined
  let maxReconsumeTimes: number | undefined
  if (MixAll.isRetryTopic(message.topic)) {
    const reconsume = props[MessageConst.RECONSUME_TIME]
    if (reconsume !== undefined) {
      reconsumeTimes = Number(reconsume)
      delete props[MessageConst.RECONSUME_TIME]
    }
    const maxReconsume = props[MessageConst.MAX_RECONSUME_TIMES]
    if (maxReconsume !== undefined) {
      maxReconsumeTimes = Number(maxReconsume)
      delete props[MessageConst.MAX_RECONSUME_TIMES]
    }
  }

  let sysFlag = 0
  if (compress && body.length >= limits.compressMsgBodyOverHowmuch) {
    body = deflateSync(body, { level: 5 })
    sysFlag |= MessageSysFlag.COMPRESSED_FLAG
  }
  const prepared: PreparedMessage = {
    topic: message.topic,
    body,
    flag,
    sysFlag,
    properties: encodeProperties(props),
    propertyMap: props,
    uniqKey,
  }
  if (reconsumeTimes !== undefined) prepared.reconsumeTimes = reconsumeTimes
  if (maxReconsumeTimes !== undefined) prepared.maxReconsumeTimes = maxReconsumeTimes
  return prepared
}
