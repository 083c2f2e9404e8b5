/**
 * QUERY_MESSAGE (12) and VIEW_MESSAGE_BY_ID (33): message lookups by key and by commit-log offset.
 * Source: RocketMQ 4.9 / 5.x `broker/processor/QueryMessageProcessor.java`; protocol doc §3.7.
 *
 * QUERY_MESSAGE — header `topic`, `key`, `maxNum`, `beginTimestamp`, `endTimestamp` (ms), all required (a missing one
 * → 1 SYSTEM_ERROR "the custom field <x> is null"). With extField `_UNIQUE_KEY_QUERY=true` (exact, case-sensitive,
 * as Java's `equals("true")`) the key is a UNIQ_KEY and maxNum is replaced by broker.conf `defaultQueryMaxNum` (32).
 * The store matches topic + (KEYS word | UNIQ_KEY) exactly within [begin, end] and returns at most 64, newest first.
 *
 * | outcome | response |
 * |---|---|
 * | ≥ 1 message | 0 SUCCESS, header indexLastUpdateTimestamp / indexLastUpdatePhyoffset, body = the raw records back to back |
 * | none (also maxNum ≤ 0, empty key or topic) | 22 QUERY_NOT_FOUND "can not find message, maybe time range not correct" (same header) |
 *
 * Timestamps beyond ±2^53 (Java tools send `Long.MAX_VALUE` as the end) are clamped to the safe integer range before
 * decoding; the result is the same because no store time comes near them.
 *
 * VIEW_MESSAGE_BY_ID — header `offset` (commit-log byte offset from an offset msgId): 0 + body = the one record starting
 * there; otherwise (never written, deleted by retention, not a record start) 1 SYSTEM_ERROR
 * "can not find message by the offset, N" — RocketMQ's answer for "message not found" here.
 */
import { MixAll, QueryMessageRequestHeader, RequestCode, ResponseCode, ViewMessageRequestHeader, createResponse } from '@cometmq/protocol'
import type { Logger, RemotingChannel, RemotingCommand } from '@cometmq/protocol'
import { StoreError } from '@cometmq/store'
import type { BrokerContext } from '../broker-context.js'

/** Remark of QUERY_NOT_FOUND. Source: QueryMessageProcessor.queryMessage. */
export const QUERY_NOT_FOUND_REMARK = 'can not find message, maybe time range not correct'

const LONG_TEXT = /^[+-]?\d{1,19}$/
const INT64_MAX = 9223372036854775807n
const INT64_MIN = -9223372036854775808n

/**
 * extFields with `names` clamped to [MIN_SAFE_INTEGER, MAX_SAFE_INTEGER] when they hold a valid Java long outside it
 * (e.g. Long.MAX_VALUE); anything else is left for the header decoder to accept or reject.
 */
function clampLongFields(extFields: Readonly<Record<string, string>> | null | undefined, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = { ...extFields }
  for (const name of names) {
    const text = out[name]
    if (text === undefined || !LONG_TEXT.test(text)) continue
    const value = BigInt(text)
    if (value > INT64_MAX || value < INT64_MIN) continue
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) out[name] = String(Number.MAX_SAFE_INTEGER)
    else if (value < BigInt(Number.MIN_SAFE_INTEGER)) out[name] = String(Number.MIN_SAFE_INTEGER)
  }
  return out
}

export class QueryMessageProcessor {
  private readonly log: Logger

  constructor(private readonly ctx: BrokerContext) {
    this.log = ctx.logger.child('QueryMessageProcessor')
  }

  processRequest(request: RemotingCommand, _channel: RemotingChannel): Promise<RemotingCommand> {
    return request.code === RequestCode.QUERY_MESSAGE ? this.queryMessage(request) : this.viewMessageById(request)
  }

  private async queryMessage(request: RemotingCommand): Promise<RemotingCommand> {
    const header = QueryMessageRequestHeader.decode(clampLongFields(request.extFields, ['beginTimestamp', 'endTimestamp']))
    const uniqueKey = request.extFields?.[MixAll.UNIQUE_MSG_QUERY_FLAG] === 'true'
    const maxNum = uniqueKey ? this.ctx.config.defaultQueryMaxNum : header.maxNum
    let result = { messages: [] as Buffer[], indexLastUpdateTimestamp: 0, indexLastUpdatePhyoffset: 0 }
    if (maxNum > 0 && header.topic !== '' && header.key !== '') {
      result = await this.ctx.store.queryMessage({
        topic: header.topic,
        key: header.key,
        maxNum,
        beginTimestamp: header.beginTimestamp,
        endTimestamp: header.endTimestamp,
      })
    }
    const fields = { indexLastUpdateTimestamp: result.indexLastUpdateTimestamp, indexLastUpdatePhyoffset: result.indexLastUpdatePhyoffset }
    this.log.debug('query message', { topic: header.topic, key: header.key, uniqueKey, maxNum, found: result.messages.length })
    if (result.messages.length === 0) return createResponse(request, ResponseCode.QUERY_NOT_FOUND, QUERY_NOT_FOUND_REMARK, fields)
    const body = result.messages.length === 1 ? result.messages[0]! : Buffer.concat(result.messages)
    return createResponse(request, ResponseCode.SUCCESS, null, fields, body)
  }

  private async viewMessageById(request: RemotingCommand): Promise<RemotingCommand> {
    const { offset } = ViewMessageRequestHeader.decode(request.extFields)
    let record: Buffer | null = null
    try {
      record = await this.ctx.store.selectOneMessageByOffset(offset)
    } catch (error) {
      // an offset the store rejects as an argument (negative, beyond 2^53) is simply not a record start
      if (!(error instanceof StoreError && error.code === 'BAD_ARGUMENT')) throw error
    }
    if (record === null) return createResponse(request, ResponseCode.SYSTEM_ERROR, `can not find message by the offset, ${offset}`)
    return createResponse(request, ResponseCode.SUCCESS, null, {}, record)
  }
}
