/**
 * Turning a PULL_MESSAGE body into ConsumedMessages (RocketMQ `PullAPIWrapper.processPullResult`):
 * decode records, re-filter by tag on the client (tag hash collisions, §7.6), inflate compressed bodies,
 * and (push consumers) restore the original topic of retry deliveries (`resetRetryAndNamespace`).
 */
import { inflateSync } from 'node:zlib'
import { MessageConst, MessageSysFlag, decodeMessages } from '@cometmq/protocol'
import type { Logger, MessageExt } from '@cometmq/protocol'
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

/** Adds msgId / offsetMsgId / tags / keys / brokerName and an inflated body to a decoded record. */
export function toConsumedMessage(message: MessageExt, brokerName: string, logger: Logger): ConsumedMessage {
  const { body, sysFlag } = inflateBody(message, logger)
  const props = message.properties
  const consumed: ConsumedMessage = {
    ...message,
    body,
    sysFlag,
    msgId: props[MessageConst.UNIQ_KEY] || message.msgId,
    offsetMsgId: message.msgId,
    brokerName,
  }
  const tags = props[MessageConst.TAGS]
  if (tags !== undefined) consumed.tags = tags
  const keys = props[MessageConst.KEYS]
  if (keys !== undefined) consumed.keys = keys.split(MessageConst.KEY_SEPARATOR).filter((key) => key !== '')
  return consumed
}

/**
 * Decodes a FOUND pull body and keeps the messages matching `filter`.
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
  for (const record of decodeMessages(body)) {
    if (!matchesTags(record.properties[MessageConst.TAGS], filter)) continue
    const consumed = toConsumedMessage(record, brokerName, logger)
    if (retryTopic !== undefined && consumed.topic === retryTopic) {
      const original = consumed.properties[MessageConst.RETRY_TOPIC]
      if (original) consumed.topic = original
    }
    out.push(consumed)
  }
  return out
}
