/**
 * Turning a PULL_MESSAGE body into ConsumedMessages (RocketMQ `PullAPIWrapper.processPullResult`):
 * decode records, re-filter by tag on the client (tag hash collisions, §7.6), inflate compressed bodies,
 * and (push consumers) restore the original topic of retry deliveries (`resetRetryAndNamespace`).
 */
import { inflateSync } from 'node:zlib'
import { MessageConst, MessageSysFlag, decodeMessageRecord } from '@cometmq/protocol'
import type { DecodeMessageOptions, Logger, MessageExt } from '@cometmq/protocol'
import type { ConsumedMessage } from './types.js'

/** Client-side view of a subscription used for re-filtering. */
export interface TagFilter {
  /** Tags of a `tagA || tagB` expression; empty for `*` (match all). */
  tagsSet: readonly string[]
}

/** True when `message` passes a tag subscription (Java: only applied when tagsSet is non-empty). */
export function matchesTags(tags: string | undefined, filter: TagFilter): boolean {
  if (filter.tagsSet.length === 0) return true
  return tags !== undefined && filter.tagsSet.includes(tags)
}

/**
 * Body as the producer sent it. Bodies flagged COMPRESSED are zlib-inflated (compression type bits 0 or 0x300);
 * LZ4/ZSTD bodies are returned as stored with a warning.
 */
export function inflateBody(message: MessageExt, logger: Logger): { body: Buffer; sysFlag: number } {
  if ((message.sysFlag & MessageSysFlag.COMPRESSED_FLAG) === 0) return { body: message.body, sysFlag: message.sysFlag }
  const type = message.sysFlag & MessageSysFlag.COMPRESSION_TYPE_COMPARATOR
  if (type !== 0 && type !== MessageSysFlag.COMPRESSION_ZLIB_TYPE) {
    logger.warn('unsupported compression type, delivering the stored bytes', { topic: message.topic, queueOffset: message.queueOffset, sysFlag: message.sysFlag })
    return { body: message.body, sysFlag: message.sysFlag }
  }
  try {
    return { body: inflateSync(message.body), sysFlag: message.sysFlag & ~(MessageSysFlag.COMPRESSED_FLAG | MessageSysFlag.COMPRESSION_TYPE_COMPARATOR) }
  } catch (error) {
    logger.warn('cannot inflate message body, delivering the stored bytes', { topic: message.topic, queueOffset: message.queueOffset, error: String(error) })
    return { body: message.body, sysFlag: message.sysFlag }
  }
}

/**
 * Adds msgId / offsetMsgId / tags / keys / brokerName and an inflated body to a decoded record. Returns a new object
 * (same key order as the record, then offsetMsgId, brokerName, tags, keys) and leaves `message` as it is.
 */
export function toConsumedMessage(message: MessageExt, brokerName: string, logger: Logger): ConsumedMessage {
  return completeConsumedMessage(
    {
      storeSize: message.storeSize,
      bodyCRC: message.bodyCRC,
      queueId: message.queueId,
      flag: message.flag,
      queueOffset: message.queueOffset,
      commitLogOffset: message.commitLogOffset,
      sysFlag: message.sysFlag,
      bornTimestamp: message.bornTimestamp,
      bornHost: message.bornHost,
      storeTimestamp: message.storeTimestamp,
      storeHost: message.storeHost,
      reconsumeTimes: message.reconsumeTimes,
      preparedTransactionOffset: message.preparedTransactionOffset,
      body: message.body,
      topic: message.topic,
      properties: message.properties,
      msgId: message.msgId,
    },
    brokerName,
    logger,
  )
}

/**
 * Turns `record` itself into a ConsumedMessage (what toConsumedMessage returns), without copying it: for records
 * just decoded and referenced by nobody else. @returns `record`.
 */
function completeConsumedMessage(record: MessageExt, brokerName: string, logger: Logger): ConsumedMessage {
  const consumed = record as ConsumedMessage
  if ((record.sysFlag & MessageSysFlag.COMPRESSED_FLAG) !== 0) {
    const { body, sysFlag } = inflateBody(record, logger)
    consumed.body = body
    consumed.sysFlag = sysFlag
  }
  const props = record.properties
  const offsetMsgId = record.msgId
  consumed.msgId = props[MessageConst.UNIQ_KEY] || offsetMsgId
  consumed.offsetMsgId = offsetMsgId
  consumed.brokerName = brokerName
  const tags = props[MessageConst.TAGS]
  if (tags !== undefined) consumed.tags = tags
  const keys = props[MessageConst.KEYS]
  if (keys !== undefined) consumed.keys = keys.split(MessageConst.KEY_SEPARATOR).filter((key) => key !== '')
  return consumed
}

/** The pull body is owned by its messages, so records are decoded without copying their bodies. */
const DECODE_OPTIONS: DecodeMessageOptions = { copyBody: false }

/**
 * Decodes a FOUND pull body and keeps the messages matching `filter`. Each message is built once: the decoded
 * record completed in place. Message bodies (unless inflated) are views into `body`, which therefore stays alive
 * while any of the messages does; `body` must not be reused by the caller.
 * @param retryTopic when given (push consumers: `%RETRY%<group>`), messages in that topic get their
 *   `topic` restored from property RETRY_TOPIC.
 * @throws MessageDecodeError on a malformed body.
 */
export function processPullBody(
  body: Buffer | null,
  brokerName: string,
  filter: TagFilter,
  logger: Logger,
  retryTopic?: string,
): ConsumedMessage[] {
  if (!body || body.length === 0) return []
  const out: ConsumedMessage[] = []
  const filtering = filter.tagsSet.length > 0
  let offset = 0
  while (offset < body.length) {
    const record = decodeMessageRecord(body, offset, DECODE_OPTIONS)
    offset += record.storeSize
    if (filtering && !matchesTags(record.properties[MessageConst.TAGS], filter)) continue
    const consumed = completeConsumedMessage(record, brokerName, logger)
    if (retryTopic !== undefined && consumed.topic === retryTopic) {
      const original = consumed.properties[MessageConst.RETRY_TOPIC]
      if (original) consumed.topic = original
    }
    out.push(consumed)
  }
  return out
}
