import { BLANK_MAGIC_CODE, RecordLayout } from '@cometmq/protocol'
import { Packr } from 'msgpackr'
import { readLong, writeLong } from '../../int64.js'
import { StoreError } from '../../store-error.js'

/**
 * Key spaces of the LevelDB store (see README.md in this folder). Every key starts with one of these bytes;
 * numbers inside keys are fixed-width big-endian, so LevelDB's bytewise order is numeric order, and strings
 * (topic, index key) are UTF-8 behind a uint16 byte length, so one topic's keys never interleave with another's.
 *
 *   0x01 'H'                                            → msgpack CommitLogHead (written by every put batch)
 *   0x01 'L'                                            → msgpack CommitLogLow (written by retention)
 *   0x02 segmentStart u64                               → msgpack SegmentMeta
 *   0x03 topicLen u16 · topic · queueId u32             → msgpack QueueHead
 *   0x04 topicLen u16 · topic · queueId u32             → msgpack QueueLow
 *   0x10 commitLogOffset u64                            → stored record (§4.1 bytes) or 8-byte BLANK filler
 *   0x20 topicLen u16 · topic · queueId u32 · queueOffset u64 → 28-byte ConsumeQueue unit
 *   0x30 topicLen u16 · topic · keyLen u16 · key · commitLogOffset u64 → storeTimestamp int64 (8)
 *   0x31 commitLogOffset u64 · topicLen u16 · topic · keyLen u16 · key → empty (retention finds 0x30 keys by offset)
 */
export const KeySpace = {
  META: 0x01,
  SEGMENT: 0x02,
  QUEUE_HEAD: 0x03,
  QUEUE_LOW: 0x04,
  COMMIT_LOG: 0x10,
  CONSUME_QUEUE: 0x20,
  INDEX: 0x30,
  INDEX_BY_OFFSET: 0x31,
} as const

/** `0x01 'H'`: commit-log head metadata. */
export const HEAD_KEY = Buffer.from([KeySpace.META, 0x48])
/** `0x01 'L'`: commit-log low-water metadata. */
export const LOW_KEY = Buffer.from([KeySpace.META, 0x4c])

/** Version of this key layout, stored in CommitLogHead.version. A store with another version is refused (STORE_CORRUPT). */
export const LAYOUT_VERSION = 1

/**
 * Size of one ConsumeQueue unit value, in bytes.
 *   | commitLogOffset int64 (8) | size int32 (4) | tagsCode int64 (8) | storeTimestamp int64 (8) |
 * Source: RocketMQ 5 RocksDBConsumeQueueTable.CQ_UNIT_SIZE (the 20-byte file unit plus the store time, so
 * time searches never read records).
 */
export const CQ_UNIT_SIZE = 28

// u64 fields in keys hold non-negative safe integers, whose int64 bytes (writeLong) are their u64 bytes.

/** Largest u64 as 8 bytes: the upper bound of one queue's or one index key's offset range. */
const U64_MAX = Buffer.alloc(8, 0xff)

/** `prefix` byte + u64. */
function offsetKey(prefix: number, offset: number): Buffer {
  const key = Buffer.allocUnsafe(9)
  key[0] = prefix
  writeLong(key, 1, offset)
  return key
}

/** `0x10 commitLogOffset`: key of the record (or BLANK filler) starting at `offset`. */
export function commitLogKey(offset: number): Buffer {
  return offsetKey(KeySpace.COMMIT_LOG, offset)
}

/** `0x02 segmentStart`: key of a commit-log segment's metadata. */
export function segmentKey(start: number): Buffer {
  return offsetKey(KeySpace.SEGMENT, start)
}

/** `0x31 commitLogOffset` alone: bound of the index-by-offset key space below `offset`. */
export function indexByOffsetBound(offset: number): Buffer {
  return offsetKey(KeySpace.INDEX_BY_OFFSET, offset)
}

/** Offset of a `0x10` / `0x02` / `0x31` key (the u64 after the prefix byte). */
export function offsetOfKey(key: Buffer): number {
  return readLong(key, 1)
}

/** First key of the key space `prefix` and the first key after it: `{ gte, lt }` for an iterator or clear(). */
export function keySpaceRange(prefix: number): { gte: Buffer; lt: Buffer } {
  return { gte: Buffer.from([prefix]), lt: Buffer.from([prefix + 1]) }
}

/** UTF-8 bytes of `text` behind a uint16 length. @throws RangeError above 65535 bytes. */
function lengthPrefixed(text: string): Buffer {
  const length = Buffer.byteLength(text, 'utf8')
  if (length > 0xffff) throw new RangeError(`${length} bytes do not fit a uint16 length`)
  const out = Buffer.allocUnsafe(2 + length)
  out.writeUInt16BE(length, 0)
  out.write(text, 2, length, 'utf8')
  return out
}

/** True when `text` can be part of a key (≤ 65535 UTF-8 bytes). */
export function fitsKey(text: string): boolean {
  return Buffer.byteLength(text, 'utf8') <= 0xffff
}

/**
 * The keys of one ConsumeQueue, computed once per queue: `entryPrefix` = `0x20 topicLen topic queueId`
 * (append the u64 queue offset for an entry key), `headKey` (0x03) and `lowKey` (0x04).
 */
export interface QueueKeys {
  readonly entryPrefix: Buffer
  readonly headKey: Buffer
  readonly lowKey: Buffer
}

/** Builds the QueueKeys of (topic, queueId). @throws RangeError for a topic over 65535 bytes. */
export function queueKeys(topic: string, queueId: number): QueueKeys {
  const topicBytes = lengthPrefixed(topic)
  const name = Buffer.allocUnsafe(topicBytes.length + 4)
  topicBytes.copy(name, 0)
  name.writeUInt32BE(queueId, topicBytes.length)
  const withPrefix = (prefix: number): Buffer => Buffer.concat([Buffer.from([prefix]), name])
  return { entryPrefix: withPrefix(KeySpace.CONSUME_QUEUE), headKey: withPrefix(KeySpace.QUEUE_HEAD), lowKey: withPrefix(KeySpace.QUEUE_LOW) }
}

/** Key of the ConsumeQueue entry at `queueOffset`. */
export function consumeQueueKey(entryPrefix: Buffer, queueOffset: number): Buffer {
  const key = Buffer.allocUnsafe(entryPrefix.length + 8)
  entryPrefix.copy(key, 0)
  writeLong(key, entryPrefix.length, queueOffset)
  return key
}

/** The last possible entry key of a queue (`entryPrefix` + 0xFF×8): `lte` bound of its whole range. */
export function consumeQueueEnd(entryPrefix: Buffer): Buffer {
  return Buffer.concat([entryPrefix, U64_MAX])
}

/** Queue offset of a ConsumeQueue entry key. */
export function queueOffsetOfKey(key: Buffer): number {
  return readLong(key, key.length - 8)
}

/** Topic and queueId of a 0x03 / 0x04 / 0x20 key; `prefixLength` = bytes up to and including queueId. */
export function parseQueueKey(key: Buffer): { topic: string; queueId: number; prefixLength: number } {
  if (key.length < 7) throw new StoreError('STORE_CORRUPT', `queue key of ${key.length} bytes is too short`)
  const topicLength = key.readUInt16BE(1)
  const prefixLength = 3 + topicLength + 4
  if (key.length < prefixLength) throw new StoreError('STORE_CORRUPT', 'queue key is shorter than its topic length says')
  return { topic: key.toString('utf8', 3, 3 + topicLength), queueId: key.readUInt32BE(3 + topicLength), prefixLength }
}

/** `topicLen topic keyLen key`: the index-key name shared by 0x30 and 0x31 keys. @throws RangeError if too long. */
export function indexName(topic: string, key: string): Buffer {
  return Buffer.concat([lengthPrefixed(topic), lengthPrefixed(key)])
}

/** `0x30 name commitLogOffset`: one index entry. */
export function indexKey(name: Buffer, commitLogOffset: number): Buffer {
  const key = Buffer.allocUnsafe(1 + name.length + 8)
  key[0] = KeySpace.INDEX
  name.copy(key, 1)
  writeLong(key, 1 + name.length, commitLogOffset)
  return key
}

/** `0x31 commitLogOffset name`: the same entry ordered by offset, for retention. */
export function indexByOffsetKey(name: Buffer, commitLogOffset: number): Buffer {
  const key = Buffer.allocUnsafe(9 + name.length)
  key[0] = KeySpace.INDEX_BY_OFFSET
  writeLong(key, 1, commitLogOffset)
  name.copy(key, 9)
  return key
}

/** The 0x30 key a 0x31 key stands for. */
export function indexKeyOfByOffsetKey(byOffset: Buffer): Buffer {
  return indexKey(byOffset.subarray(9), readLong(byOffset, 1))
}

/** Commit-log offset of a 0x30 key (its last 8 bytes). */
export function commitLogOffsetOfIndexKey(key: Buffer): number {
  return readLong(key, key.length - 8)
}

/** One ConsumeQueue unit (28-byte value of a 0x20 key). */
export interface ConsumeQueueUnit {
  commitLogOffset: number
  size: number
  tagsCode: number
  storeTimestamp: number
}

/** Encodes a ConsumeQueue unit (CQ_UNIT_SIZE bytes). */
export function encodeConsumeQueueUnit(commitLogOffset: number, size: number, tagsCode: number, storeTimestamp: number): Buffer {
  const value = Buffer.allocUnsafe(CQ_UNIT_SIZE)
  writeLong(value, 0, commitLogOffset)
  value.writeInt32BE(size, 8)
  writeLong(value, 12, tagsCode)
  writeLong(value, 20, storeTimestamp)
  return value
}

/** Decodes a ConsumeQueue unit. @throws StoreError STORE_CORRUPT on a wrong length. */
export function decodeConsumeQueueUnit(value: Buffer): ConsumeQueueUnit {
  if (value.length !== CQ_UNIT_SIZE) throw new StoreError('STORE_CORRUPT', `ConsumeQueue unit of ${value.length} bytes (expected ${CQ_UNIT_SIZE})`)
  return { commitLogOffset: readLong(value, 0), size: value.readInt32BE(8), tagsCode: readLong(value, 12), storeTimestamp: readLong(value, 20) }
}

/** Store timestamp of an index entry value (int64, 8 bytes). */
export function encodeIndexValue(storeTimestamp: number): Buffer {
  const value = Buffer.allocUnsafe(8)
  writeLong(value, 0, storeTimestamp)
  return value
}

/** True when a 0x10 value is a BLANK filler rather than a record. */
export function isBlank(value: Buffer): boolean {
  return value.length === RecordLayout.END_FILE_MIN_BLANK_LENGTH && value.readInt32BE(4) === BLANK_MAGIC_CODE
}

/**
 * Commit-log bytes a 0x10 value spans from `offset`: TOTALSIZE of a record, or the rest of the segment for
 * a BLANK filler. @throws StoreError STORE_CORRUPT when the value is neither.
 */
export function spanOf(offset: number, value: Buffer, segmentSize: number): number {
  if (isBlank(value)) return segmentSize - (offset % segmentSize)
  if (value.length < RecordLayout.MIN_RECORD_SIZE || value.readInt32BE(0) !== value.length) {
    throw new StoreError('STORE_CORRUPT', `commit-log value at ${offset} is not a record (${value.length} bytes)`)
  }
  return value.length
}

/** msgpack value of HEAD_KEY, written by every put batch. */
export interface CommitLogHead {
  /** LAYOUT_VERSION. */
  version: number
  /** mappedFileSizeCommitLog the store was created with (bytes); segments and BLANK fillers depend on it. */
  segmentSize: number
  /** One past the last committed byte (after a BLANK filler: the next segment's start). */
  maxPhyOffset: number
  /** Store time (ms) of the newest record; store times never decrease along the log. */
  lastStoreTimestamp: number
  /** Store time (ms) of the newest indexed record, 0 when none. */
  indexLastUpdateTimestamp: number
  /** Commit-log offset of the newest indexed record, 0 when none. */
  indexLastUpdatePhyoffset: number
}

/** msgpack value of LOW_KEY, written by retention: records below `minPhyOffset` are deleted (or being deleted). */
export interface CommitLogLow {
  minPhyOffset: number
}

/** msgpack value of a 0x02 key: the newest store time (ms) of a segment, for retention. */
export interface SegmentMeta {
  newestStoreTimestamp: number
}

/** msgpack value of a 0x03 key: next queue offset to assign (entries ever written). */
export interface QueueHead {
  maxOffset: number
}

/** msgpack value of a 0x04 key: first live queue offset (retention advances it). */
export interface QueueLow {
  minOffset: number
}

// Plain MessagePack maps (no msgpackr record extension), readable by any MessagePack decoder.
const packr = new Packr({ useRecords: false })

/** msgpack-encodes a metadata value. */
export function packMeta(value: CommitLogHead | CommitLogLow | SegmentMeta | QueueHead | QueueLow): Buffer {
  return packr.pack(value)
}

/**
 * Decodes a metadata value and checks that `fields` are safe integers.
 * @throws StoreError STORE_CORRUPT otherwise.
 */
export function unpackMeta<T extends object>(value: Buffer, fields: ReadonlyArray<keyof T & string>, what: string): T {
  let decoded: unknown
  try {
    decoded = packr.unpack(value)
  } catch (err) {
    throw new StoreError('STORE_CORRUPT', `${what} metadata is not MessagePack: ${(err as Error).message}`, { cause: err })
  }
  if (typeof decoded !== 'object' || decoded === null) throw new StoreError('STORE_CORRUPT', `${what} metadata is not a map`)
  for (const field of fields) {
    const v = (decoded as Record<string, unknown>)[field]
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new StoreError('STORE_CORRUPT', `${what} metadata field ${field} is ${String(v)}`)
  }
  return decoded as T
}

export { encodeBlank, readStoreTimestamp as recordStoreTimestamp } from '../../record-bytes.js'
