import { MessageSysFlag, messageRecordSize } from '@cometmq/protocol'
import type { MessageRecordInput, SocketAddress } from '@cometmq/protocol'
import { DEFAULT_MAX_TRANSFER_BYTES, MAX_PROPERTIES_LENGTH, MAX_TOPIC_LENGTH } from './store-config.js'
import { StoreError } from './store-error.js'
import type {
  GetMessageQuery,
  NormalizedGetMessageQuery,
  NormalizedPut,
  PutMessageInput,
  PutMessageResult,
  PutMessagesInput,
  ResolvedStoreConfig,
} from './types.js'

/**
 * True when a record with this SYSFLAG takes no queue offset and gets no ConsumeQueue entry: transaction type
 * PREPARED (0x4) or ROLLBACK (0xC) (§4.1 row 6; RocketMQ CommitLog.DefaultAppendMessageCallback).
 */
export function isPreparedOrRollback(sysFlag: number): boolean {
  const type = MessageSysFlag.getTransactionValue(sysFlag)
  return type === MessageSysFlag.TRANSACTION_PREPARED_TYPE || type === MessageSysFlag.TRANSACTION_ROLLBACK_TYPE
}

/** @throws StoreError BAD_ARGUMENT when the encoder would reject the record (host not an IP literal, …). */
function checkEncodable(record: MessageRecordInput): void {
  try {
    messageRecordSize(record)
  } catch (err) {
    throw new StoreError('BAD_ARGUMENT', `message cannot be encoded: ${(err as Error).message}`, { cause: err })
  }
}

const INT32_MIN = -0x80000000
const INT32_MAX = 0x7fffffff

function bad(message: string): StoreError {
  return new StoreError('BAD_ARGUMENT', message)
}

/** @throws StoreError BAD_ARGUMENT unless `value` is an integer in [min, max]. */
export function checkInt(name: string, value: unknown, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw bad(`${name} must be an integer in [${min}, ${max}], got ${String(value)}`)
  }
  return value
}

/** @throws StoreError BAD_ARGUMENT unless `topic` is a non-empty string. */
export function checkTopic(topic: unknown): string {
  if (typeof topic !== 'string' || topic.length === 0) throw bad(`topic must be a non-empty string, got ${String(topic)}`)
  return topic
}

/** @throws StoreError BAD_ARGUMENT unless `queueId` is an int32 ≥ 0. */
export function checkQueueId(queueId: unknown): number {
  return checkInt('queueId', queueId, 0, INT32_MAX)
}

function checkHost(name: string, host: unknown): SocketAddress {
  const h = host as SocketAddress | null
  if (typeof h !== 'object' || h === null || typeof h.host !== 'string') throw bad(`${name} must be { host, port }`)
  checkInt(`${name}.port`, h.port, 0, 65535)
  return h
}

function checkBody(name: string, body: unknown): Buffer {
  if (Buffer.isBuffer(body)) return body
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  throw bad(`${name} must be a Buffer`)
}

function checkWait(value: unknown): boolean {
  if (value === undefined) return true
  if (typeof value !== 'boolean') throw bad('waitStoreMsgOK must be a boolean')
  return value
}

/** Status-level checks shared by single and batch puts (RocketMQ DefaultMessageStore.checkMessage + CommitLog). */
function checkSizes(topic: string, body: Buffer, propertiesString: string, config: ResolvedStoreConfig): PutMessageResult | null {
  if (Buffer.byteLength(topic) > MAX_TOPIC_LENGTH) {
    return { status: 'MESSAGE_ILLEGAL', remark: `topic longer than ${MAX_TOPIC_LENGTH} bytes` }
  }
  if (body.length > config.maxMessageSize) {
    return { status: 'MESSAGE_ILLEGAL', remark: `message body ${body.length} bytes exceeds maxMessageSize ${config.maxMessageSize}` }
  }
  if (Buffer.byteLength(propertiesString) > MAX_PROPERTIES_LENGTH) {
    return { status: 'PROPERTIES_SIZE_EXCEEDED', remark: `properties longer than ${MAX_PROPERTIES_LENGTH} bytes` }
  }
  return null
}

/**
 * Validates a single put.
 * @returns the normalized put, or a `MESSAGE_ILLEGAL` / `PROPERTIES_SIZE_EXCEEDED` result to return as is.
 * @throws StoreError BAD_ARGUMENT on wrong types.
 */
export function normalizePut(input: PutMessageInput, config: ResolvedStoreConfig): NormalizedPut | PutMessageResult {
  if (typeof input !== 'object' || input === null) throw bad('putMessage input must be an object')
  const topic = checkTopic(input.topic)
  const body = checkBody('body', input.body)
  if (typeof input.propertiesString !== 'string') throw bad('propertiesString must be a string')
  const record: MessageRecordInput = {
    topic,
    queueId: checkQueueId(input.queueId),
    flag: checkInt('flag', input.flag, INT32_MIN, INT32_MAX),
    body,
    propertiesString: input.propertiesString,
    sysFlag: checkInt('sysFlag', input.sysFlag, 0, INT32_MAX),
    bornTimestamp: checkInt('bornTimestamp', input.bornTimestamp),
    bornHost: checkHost('bornHost', input.bornHost),
    storeHost: checkHost('storeHost', input.storeHost),
    reconsumeTimes: checkInt('reconsumeTimes', input.reconsumeTimes, INT32_MIN, INT32_MAX),
    preparedTransactionOffset: checkInt('preparedTransactionOffset', input.preparedTransactionOffset ?? 0, 0),
  }
  checkEncodable(record)
  const tagsCode = checkInt('tagsCode', input.tagsCode)
  const waitStoreMsgOK = checkWait(input.waitStoreMsgOK)
  const illegal = checkSizes(topic, body, record.propertiesString, config)
  if (illegal) return illegal
  return { topic, queueId: record.queueId, sysFlag: record.sysFlag, records: [{ input: record, tagsCode }], waitStoreMsgOK }
}

/**
 * Validates a batch put. A transactional SYSFLAG makes the batch `MESSAGE_ILLEGAL` (RocketMQ CommitLog.putMessages).
 * @throws StoreError BAD_ARGUMENT on wrong types or an empty batch.
 */
export function normalizePutBatch(input: PutMessagesInput, config: ResolvedStoreConfig): NormalizedPut | PutMessageResult {
  if (typeof input !== 'object' || input === null) throw bad('putMessages input must be an object')
  const topic = checkTopic(input.topic)
  const queueId = checkQueueId(input.queueId)
  const sysFlag = checkInt('sysFlag', input.sysFlag, 0, INT32_MAX)
  const bornTimestamp = checkInt('bornTimestamp', input.bornTimestamp)
  const bornHost = checkHost('bornHost', input.bornHost)
  const storeHost = checkHost('storeHost', input.storeHost)
  const reconsumeTimes = checkInt('reconsumeTimes', input.reconsumeTimes, INT32_MIN, INT32_MAX)
  const waitStoreMsgOK = checkWait(input.waitStoreMsgOK)
  if (!Array.isArray(input.messages) || input.messages.length === 0) throw bad('messages must be a non-empty array')
  const records = input.messages.map((m, i) => {
    if (typeof m !== 'object' || m === null) throw bad(`messages[${i}] must be an object`)
    if (typeof m.propertiesString !== 'string') throw bad(`messages[${i}].propertiesString must be a string`)
    const record: MessageRecordInput = {
      topic, queueId, sysFlag, bornTimestamp, bornHost, storeHost, reconsumeTimes,
      flag: checkInt(`messages[${i}].flag`, m.flag, INT32_MIN, INT32_MAX),
      body: checkBody(`messages[${i}].body`, m.body),
      propertiesString: m.propertiesString,
      preparedTransactionOffset: 0,
    }
    if (i === 0) checkEncodable(record)
    return { input: record, tagsCode: checkInt(`messages[${i}].tagsCode`, m.tagsCode) }
  })
  if (MessageSysFlag.getTransactionValue(sysFlag) !== MessageSysFlag.TRANSACTION_NOT_TYPE) return { status: 'MESSAGE_ILLEGAL', remark: 'transactional messages cannot be batched' }
  for (const r of records) {
    const illegal = checkSizes(topic, r.input.body, r.input.propertiesString, config)
    if (illegal) return illegal
  }
  return { topic, queueId, sysFlag, records, waitStoreMsgOK }
}

/**
 * Validates a getMessage query and fills `maxTotalBytes` (default 256 KiB).
 * Any integer offset is accepted (negative → OFFSET_TOO_SMALL later).
 * @throws StoreError BAD_ARGUMENT on wrong types, maxMsgNums < 1 or maxTotalBytes < 1.
 */
export function normalizeGetQuery(query: GetMessageQuery): NormalizedGetMessageQuery {
  if (typeof query !== 'object' || query === null) throw bad('getMessage query must be an object')
  const filter = query.tagsCodeFilter
  if (filter !== undefined && typeof filter !== 'function') throw bad('tagsCodeFilter must be a function')
  return {
    topic: checkTopic(query.topic),
    queueId: checkQueueId(query.queueId),
    offset: checkInt('offset', query.offset),
    maxMsgNums: checkInt('maxMsgNums', query.maxMsgNums, 1),
    maxTotalBytes: checkInt('maxTotalBytes', query.maxTotalBytes ?? DEFAULT_MAX_TRANSFER_BYTES, 1),
    tagsCodeFilter: filter,
  }
}
