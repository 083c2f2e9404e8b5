import { javaStringHashCode } from '@cometmq/protocol'
import type { RemotingChannel, SubscriptionData } from '@cometmq/protocol'

/** One client connection registered by HEART_BEAT. Source: RocketMQ broker/client/ClientChannelInfo.java. */
export interface ClientChannelInfo {
  readonly channel: RemotingChannel
  /** `clientID` of the heartbeat, e.g. `192.0.2.2@15861#349139152921`. */
  readonly clientId: string
  /** LanguageCode name from the request header (`JAVA`, `GO`, …). */
  readonly language: string
  /** MQVersion ordinal from the request header. */
  readonly version: number
  /** Last heartbeat, ms since epoch; clients silent for `channelExpiredTimeout` are removed. */
  lastUpdateTimestamp: number
}

/** Matches a ConsumeQueue tagsCode against a subscription; `undefined` means "match everything". */
export type TagsCodeFilter = (tagsCode: number) => boolean

/**
 * Broker-side TAG filter (ExpressionMessageFilter.isMatchedByConsumeQueue, §7.6): `*` or empty ⇒ all; otherwise the
 * entry matches iff its tagsCode is in the codeSet (Java String.hashCode of each tag). Uses `codeSet` when given,
 * else hashes `tagsSet`, else splits `subString` on `||`.
 */
export function buildTagsCodeFilter(subscription: Pick<SubscriptionData, 'subString'> & Partial<Pick<SubscriptionData, 'codeSet' | 'tagsSet'>>): TagsCodeFilter | undefined {
  const subString = (subscription.subString ?? '').trim()
  if (subString === '' || subString === '*') return undefined
  let codes: number[]
  if (subscription.codeSet !== undefined && subscription.codeSet.length > 0) codes = subscription.codeSet.map(Number)
  else {
    const tags = subscription.tagsSet !== undefined && subscription.tagsSet.length > 0 ? subscription.tagsSet : subString.split('||').map((tag) => tag.trim()).filter((tag) => tag !== '')
    codes = tags.map(javaStringHashCode)
  }
  if (codes.length === 1) {
    const only = codes[0]!
    return (tagsCode) => tagsCode === only
  }
  const set = new Set(codes)
  return (tagsCode) => set.has(tagsCode)
}
