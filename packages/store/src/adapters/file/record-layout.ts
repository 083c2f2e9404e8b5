import { BLANK_MAGIC_CODE, MESSAGE_MAGIC_CODE_V1, MESSAGE_MAGIC_CODE_V2, MessageSysFlag, RecordLayout, crc32 } from '@cometmq/protocol'

/**
 * Field positions of a stored record (protocol doc §4.1) that the file adapter reads without a full decode
 * (recovery validation, time search). Positions after BORNHOST shift by 12 bytes per IPv6 host.
 *
 *   0 TOTALSIZE int32 · 4 MAGICCODE int32 · 8 BODYCRC int32 · 12 QUEUEID int32 · 16 FLAG int32
 *   20 QUEUEOFFSET int64 · 28 PHYSICALOFFSET int64 · 36 SYSFLAG int32 · 40 BORNTIMESTAMP int64
 *   48 BORNHOST 8|20 · STORETIMESTAMP int64 · STOREHOST 8|20 · RECONSUMETIMES int32 · PREPARED TX OFFSET int64
 *   BODYLEN int32 + BODY · TOPICLEN int8 (V2: int16) + TOPIC · PROPERTIESLEN int16 + PROPERTIES
 */
export const RecordField = {
  TOTALSIZE: 0,
  MAGICCODE: 4,
  BODYCRC: 8,
  QUEUEID: 12,
  QUEUEOFFSET: 20,
  PHYSICALOFFSET: 28,
  SYSFLAG: 36,
  BORNHOST: 48,
} as const

const MAGIC_V1 = MESSAGE_MAGIC_CODE_V1 | 0
const MAGIC_V2 = MESSAGE_MAGIC_CODE_V2 | 0
const MAGIC_BLANK = BLANK_MAGIC_CODE | 0

/** Bytes of the BLANK filler `[int remaining][int 0xCBD43194]`. Source: RocketMQ CommitLog.END_FILE_MIN_BLANK_LENGTH = 4 + 4. */
export const END_FILE_MIN_BLANK_LENGTH: number = RecordLayout.END_FILE_MIN_BLANK_LENGTH
/** Smallest possible V1 record: 84 fixed (IPv4) + 4 body length + 1 topic length + 2 properties length. */
export const MIN_RECORD_SIZE: number = RecordLayout.MIN_RECORD_SIZE
/** Header bytes enough to read STORETIMESTAMP with an IPv6 born host (48 + 20 + 8). */
export const STORE_TIMESTAMP_HEADER_BYTES = 76

const BORNHOST_V6_FLAG = MessageSysFlag.BORNHOST_V6_FLAG
const STOREHOSTADDRESS_V6_FLAG = MessageSysFlag.STOREHOSTADDRESS_V6_FLAG

/** A record that passed validation: the fields recovery needs. */
export interface ValidRecord {
  kind: 'record'
  totalSize: number
  queueId: number
  queueOffset: number
  sysFlag: number
  storeTimestamp: number
  topic: string
  /** Position of the PROPERTIES bytes from the record start, and their length (bytes). */
  propertiesAt: number
  propertiesLength: number
}

/** Outcome of validating the bytes at one commit-log position. */
export type RecordCheck = ValidRecord | { kind: 'blank'; totalSize: number } | { kind: 'invalid'; reason: string }

/**
 * Validates the record at `buf[pos…]` the way RocketMQ CommitLog.checkMessageAndReturnSize does, plus
 * an exact layout check and PHYSICALOFFSET === `expectedOffset` (catches stale bytes).
 * @param available bytes of `buf` from `pos` that belong to the file (the record must fit in them)
 * @param verifyCrc compare BODYCRC with CRC32(body) & 0x7fffffff
 * @returns `record`, `blank` (end-of-file filler) or `invalid` (first bad byte: the log ends here)
 */
export function checkRecordAt(buf: Buffer, pos: number, available: number, expectedOffset: number, verifyCrc: boolean): RecordCheck {
  if (available < END_FILE_MIN_BLANK_LENGTH) return { kind: 'invalid', reason: 'truncated header' }
  const totalSize = buf.readInt32BE(pos)
  const magic = buf.readInt32BE(pos + RecordField.MAGICCODE)
  if (magic === MAGIC_BLANK) {
    return { kind: 'blank', totalSize } // the caller checks totalSize === fileSize - position
  }
  if (magic !== MAGIC_V1 && magic !== MAGIC_V2) return { kind: 'invalid', reason: `bad magic ${magic}` }
  if (totalSize < MIN_RECORD_SIZE || totalSize > available) return { kind: 'invalid', reason: `bad total size ${totalSize}` }
  const sysFlag = buf.readInt32BE(pos + RecordField.SYSFLAG)
  const bornLength = sysFlag & BORNHOST_V6_FLAG ? 20 : 8
  const storeLength = sysFlag & STOREHOSTADDRESS_V6_FLAG ? 20 : 8
  const storeTimestampAt = RecordField.BORNHOST + bornLength
  const bodyLengthAt = storeTimestampAt + 8 + storeLength + 4 + 8
  if (bodyLengthAt + 4 > totalSize) return { kind: 'invalid', reason: 'short header' }
  const bodyLength = buf.readInt32BE(pos + bodyLengthAt)
  const topicLengthAt = bodyLengthAt + 4 + bodyLength
  const topicLengthSize = magic === MAGIC_V1 ? 1 : 2
  if (bodyLength < 0 || topicLengthAt + topicLengthSize + 2 > totalSize) return { kind: 'invalid', reason: 'bad body length' }
  const topicLength = topicLengthSize === 1 ? buf.readUInt8(pos + topicLengthAt) : buf.readUInt16BE(pos + topicLengthAt)
  const propertiesLengthAt = topicLengthAt + topicLengthSize + topicLength
  if (propertiesLengthAt + 2 > totalSize) return { kind: 'invalid', reason: 'bad topic length' }
  const propertiesLength = buf.readUInt16BE(pos + propertiesLengthAt)
  if (propertiesLengthAt + 2 + propertiesLength !== totalSize) return { kind: 'invalid', reason: 'layout does not add up' }
  if (Number(buf.readBigInt64BE(pos + RecordField.PHYSICALOFFSET)) !== expectedOffset) {
    return { kind: 'invalid', reason: 'physical offset mismatch' }
  }
  if (verifyCrc) {
    const bodyStart = pos + bodyLengthAt + 4
    const crc = crc32(buf.subarray(bodyStart, bodyStart + bodyLength)) & 0x7fffffff
    if (crc !== (buf.readInt32BE(pos + RecordField.BODYCRC) & 0x7fffffff)) return { kind: 'invalid', reason: 'body crc mismatch' }
  }
  return {
    kind: 'record',
    totalSize,
    queueId: buf.readInt32BE(pos + RecordField.QUEUEID),
    queueOffset: Number(buf.readBigInt64BE(pos + RecordField.QUEUEOFFSET)),
    sysFlag,
    storeTimestamp: Number(buf.readBigInt64BE(pos + storeTimestampAt)),
    topic: buf.toString('utf8', pos + topicLengthAt + topicLengthSize, pos + topicLengthAt + topicLengthSize + topicLength),
    propertiesAt: propertiesLengthAt + 2,
    propertiesLength,
  }
}

export { encodeBlank, readStoreTimestamp } from '../../record-bytes.js'
