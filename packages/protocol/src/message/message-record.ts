/**
 * Stored message record codec: one CommitLog record == one element of a PULL / QUERY / VIEW response body.
 * Sources: RocketMQ MessageDecoder (common), CommitLog.MessageExtEncoder (4.x store), MessageExtEncoder (5.x store).
 *
 * Byte layout, big-endian, both hosts IPv4 (each IPv6 host adds 12 bytes and shifts everything after it):
 *
 *   off  size   field
 *     0     4   TOTALSIZE        int32, whole record including this field
 *     4     4   MAGICCODE        0xDAA320A7 V1 (1-byte topic length) | 0xDAA320AB V2 (2-byte topic length)
 *     8     4   BODYCRC          crc32(body) & 0x7fffffff
 *    12     4   QUEUEID          int32
 *    16     4   FLAG             int32, producer's flag
 *    20     8   QUEUEOFFSET      int64, logical ConsumeQueue index
 *    28     8   PHYSICALOFFSET   int64, this record's own commit-log byte offset
 *    36     4   SYSFLAG          MessageSysFlag bits (0x10 born host IPv6, 0x20 store host IPv6)
 *    40     8   BORNTIMESTAMP    int64 ms
 *    48  8|20   BORNHOST         4|16-byte IP + int32 port
 *    56     8   STORETIMESTAMP   int64 ms                    (offset 68 when BORNHOST is IPv6)
 *    64  8|20   STOREHOST        4|16-byte IP + int32 port
 *    72     4   RECONSUMETIMES   int32
 *    76     8   PREPARED TX OFF  int64
 *    84   4+B   BODYLEN int32 + BODY
 *  88+B 1|2+T   TOPICLEN (uint8 V1 | int16 V2) + TOPIC (UTF-8)
 *       2+P     PROPERTIESLEN int16 + PROPERTIES (UTF-8, see properties.ts)
 *
 * 64-bit fields are JS numbers: values must be safe integers (|n| ≤ 2^53 − 1).
 */
import { crc32 } from './crc32.js'
import { bytesToHost, hostToBytes } from './host-address.js'
import { MessageDecodeError } from './message-decode-error.js'
import { decodeProperties } from './properties.js'

/** An IP literal (dotted IPv4 or IPv6 text) and a TCP port. */
export interface SocketAddress {
  host: string
  port: number
}

/**
 * One decoded stored record (§4.1). `body` is as stored (still compressed if SYSFLAG bit 0x1 is set): a copy by
 * default, a view into the decoded buffer with `copyBody: false`.
 */
export interface MessageExt {
  storeSize: number
  bodyCRC: number
  queueId: number
  flag: number
  queueOffset: number
  commitLogOffset: number
  sysFlag: number
  bornTimestamp: number
  bornHost: SocketAddress
  storeTimestamp: number
  storeHost: SocketAddress
  reconsumeTimes: number
  preparedTransactionOffset: number
  body: Buffer
  topic: string
  properties: Record<string, string>
  /** Offset msgId (§6.1) from STOREHOST + PHYSICALOFFSET, upper-case hex. */
  msgId: string
}

/** What the store needs to write one record; it fills offsets and storeTimestamp itself. */
export interface MessageRecordInput {
  topic: string
  queueId: number
  flag: number
  body: Buffer
  /** Already-encoded properties (encodeProperties), at most 32767 UTF-8 bytes. */
  propertiesString: string
  /** MessageSysFlag bits; the IPv6 host bits 0x10 / 0x20 are recomputed from the hosts. */
  sysFlag: number
  bornTimestamp: number
  bornHost: SocketAddress
  storeHost: SocketAddress
  reconsumeTimes: number
  preparedTransactionOffset: number
}

/** Full input of encodeMessageRecord. */
export type MessageRecordEncodeInput = MessageRecordInput & { queueOffset: number; commitLogOffset: number; storeTimestamp: number }

/** V1 magic 0xDAA320A7 as a signed int32 (Java MessageDecoder.MESSAGE_MAGIC_CODE = -626843481); compare with readInt32BE. */
export const MESSAGE_MAGIC_CODE_V1 = 0xdaa320a7 | 0
/** V2 magic 0xDAA320AB as a signed int32 (Java MessageVersion.MESSAGE_VERSION_V2 = -626843477): 2-byte topic length. */
export const MESSAGE_MAGIC_CODE_V2 = 0xdaa320ab | 0
/**
 * End-of-file filler magic 0xCBD43194 as a signed int32 (Java CommitLog.BLANK_MAGIC_CODE = -875286124).
 * Filler layout: | remainingBytes int32 | BLANK_MAGIC_CODE int32 | (rest of the file unused).
 */
export const BLANK_MAGIC_CODE = 0xcbd43194 | 0

/**
 * Fixed positions and sizes of the record (bytes). Positions after BORNHOST depend on SYSFLAG; use storeTimestampPosition.
 * Source: MessageDecoder.*_POSITION, CommitLog.calMsgLength, CommitLog.END_FILE_MIN_BLANK_LENGTH.
 */
export const RecordLayout = {
  TOTAL_SIZE_POSITION: 0,
  MAGIC_CODE_POSITION: 4,
  BODY_CRC_POSITION: 8,
  QUEUE_ID_POSITION: 12,
  FLAG_POSITION: 16,
  QUEUE_OFFSET_POSITION: 20,
  PHYSICAL_OFFSET_POSITION: 28,
  SYS_FLAG_POSITION: 36,
  BORN_TIMESTAMP_POSITION: 40,
  BORN_HOST_POSITION: 48,
  /** Everything before BODYLEN with IPv4 hosts. */
  FIXED_PART_SIZE_IPV4: 84,
  /** Extra bytes per IPv6 host (16-byte address instead of 4). */
  IPV6_HOST_EXTRA: 12,
  /** Smallest V1 record: IPv4 hosts, empty body, topic and properties. */
  MIN_RECORD_SIZE: 91,
  /** A BLANK filler is 8 bytes; a record must leave room for one at the end of a CommitLog file. */
  END_FILE_MIN_BLANK_LENGTH: 8,
  /** Longest topic (UTF-8 bytes) written with V1 magic; longer topics use V2. Java Byte.MAX_VALUE. */
  V1_MAX_TOPIC_LENGTH: 127,
  /** Longest properties string (UTF-8 bytes). Java Short.MAX_VALUE. */
  MAX_PROPERTIES_LENGTH: 32767,
  /** Byte position of STORETIMESTAMP for a record with this SYSFLAG (56, or 68 when BORNHOST is IPv6). */
  storeTimestampPosition: (sysFlag: number): number => (sysFlag & 0x10 ? 68 : 56),
} as const

const TWO_32 = 4294967296
const hostCache = new Map<string, number[]>()

function hostBytes(host: string): number[] {
  let bytes = hostCache.get(host)
  if (bytes === undefined) {
    bytes = hostToBytes(host)
    if (hostCache.size >= 1024) hostCache.clear()
    hostCache.set(host, bytes)
  }
  return bytes
}

function writeLong(buf: Buffer, pos: number, value: number, field: string): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${field} must be a safe integer, got ${value}`)
  const hi = Math.floor(value / TWO_32)
  buf.writeInt32BE(hi, pos)
  buf.writeUInt32BE(value - hi * TWO_32, pos + 4)
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`bad port ${port}`)
}

function writeHost(buf: Buffer, pos: number, bytes: number[], port: number): number {
  for (let i = 0; i < bytes.length; i++) buf[pos + i] = bytes[i]!
  buf.writeInt32BE(port, pos + bytes.length)
  return pos + bytes.length + 4
}

/**
 * Size in bytes of the record encodeMessageRecord would produce for `input`.
 * @throws TypeError when a host is not an IP literal.
 */
export function messageRecordSize(input: MessageRecordInput): number {
  const topicLength = Buffer.byteLength(input.topic, 'utf8')
  return (
    RecordLayout.FIXED_PART_SIZE_IPV4 +
    (hostBytes(input.bornHost.host).length === 16 ? 12 : 0) +
    (hostBytes(input.storeHost.host).length === 16 ? 12 : 0) +
    4 + input.body.length +
    (topicLength > RecordLayout.V1_MAX_TOPIC_LENGTH ? 2 : 1) + topicLength +
    2 + Buffer.byteLength(input.propertiesString, 'utf8')
  )
}

/**
 * Encodes one stored record (layout above) into a new Buffer of exactly its size.
 * V1 magic for topics ≤ 127 UTF-8 bytes, V2 otherwise. SYSFLAG bits 0x10 / 0x20 are set when the born / store host
 * is IPv6 and cleared otherwise (IPv4-mapped IPv6 is written as IPv4). BODYCRC = crc32(body) & 0x7fffffff.
 * @throws TypeError when a host is not an IP literal.
 * @throws RangeError when properties exceed 32767 bytes, the topic 32767 bytes, an int32 field is out of range,
 *   a port is outside 0–65535, or a 64-bit field is not a safe integer.
 */
export function encodeMessageRecord(input: MessageRecordEncodeInput): Buffer {
  const { topic, body, propertiesString } = input
  const born = hostBytes(input.bornHost.host)
  const store = hostBytes(input.storeHost.host)
  const topicLength = Buffer.byteLength(topic, 'utf8')
  const propertiesLength = Buffer.byteLength(propertiesString, 'utf8')
  if (propertiesLength > RecordLayout.MAX_PROPERTIES_LENGTH) {
    throw new RangeError(`properties are ${propertiesLength} bytes, more than ${RecordLayout.MAX_PROPERTIES_LENGTH}`)
  }
  if (topicLength > 32767) throw new RangeError(`topic is ${topicLength} bytes, more than 32767`)
  checkPort(input.bornHost.port)
  checkPort(input.storeHost.port)
  const v2 = topicLength > RecordLayout.V1_MAX_TOPIC_LENGTH
  const sysFlag = (input.sysFlag & ~0x30) | (born.length === 16 ? 0x10 : 0) | (store.length === 16 ? 0x20 : 0)
  const size =
    RecordLayout.FIXED_PART_SIZE_IPV4 + (born.length - 4) + (store.length - 4) +
    4 + body.length + (v2 ? 2 : 1) + topicLength + 2 + propertiesLength

  const buf = Buffer.allocUnsafe(size)
  buf.writeInt32BE(size, 0)
  buf.writeInt32BE(v2 ? MESSAGE_MAGIC_CODE_V2 : MESSAGE_MAGIC_CODE_V1, 4)
  buf.writeInt32BE((crc32(body) & 0x7fffffff) | 0, 8)
  buf.writeInt32BE(input.queueId, 12)
  buf.writeInt32BE(input.flag, 16)
  writeLong(buf, 20, input.queueOffset, 'queueOffset')
  writeLong(buf, 28, input.commitLogOffset, 'commitLogOffset')
  buf.writeInt32BE(sysFlag, 36)
  writeLong(buf, 40, input.bornTimestamp, 'bornTimestamp')
  let pos = writeHost(buf, 48, born, input.bornHost.port)
  writeLong(buf, pos, input.storeTimestamp, 'storeTimestamp')
  pos = writeHost(buf, pos + 8, store, input.storeHost.port)
  buf.writeInt32BE(input.reconsumeTimes, pos)
  writeLong(buf, pos + 4, input.preparedTransactionOffset, 'preparedTransactionOffset')
  pos += 12
  buf.writeInt32BE(body.length, pos)
  pos += 4
  body.copy(buf, pos)
  pos += body.length
  if (v2) {
    buf.writeInt16BE(topicLength, pos)
    pos += 2
  } else {
    buf[pos++] = topicLength
  }
  pos += buf.write(topic, pos, topicLength, 'utf8')
  buf.writeInt16BE(propertiesLength, pos)
  pos += 2
  buf.write(propertiesString, pos, propertiesLength, 'utf8')
  return buf
}

/** Options for decodeMessageRecord / decodeMessages. */
export interface DecodeMessageOptions {
  /** Recompute crc32(body) & 0x7fffffff and throw MessageDecodeError on mismatch. Default false (as Java clients). */
  checkBodyCRC?: boolean
  /**
   * Default true: each `body` is a copy, independent of the input buffer. `false`: each `body` is a view
   * (`subarray`) into the input buffer, no copy; the whole input stays alive as long as any body is referenced,
   * and writes to the input show through. Use it when the caller owns the input and does not reuse it
   * (e.g. a PULL_MESSAGE response body).
   */
  copyBody?: boolean
}

/** Throws unless `n` bytes from `pos` stay within the record ending at `end`. */
function need(pos: number, n: number, end: number, what: string, storeSize: number, offset: number): void {
  if (pos + n > end) throw new MessageDecodeError(`${what} runs past TOTALSIZE ${storeSize}`, offset)
}

/** Big-endian int64 at `pos` as a safe-integer number. */
function readLong(buf: Buffer, pos: number, what: string, offset: number): number {
  const value = buf.readInt32BE(pos) * TWO_32 + buf.readUInt32BE(pos + 4)
  if (!Number.isSafeInteger(value)) throw new MessageDecodeError(`${what} is not a safe integer`, offset)
  return value
}

/** ASCII codes of the upper-case hex digits. */
const HEX_DIGITS = Buffer.from('0123456789ABCDEF', 'latin1')
/** Scratch space for building an offset msgId (56 chars at most): decoding is synchronous, so one is enough. */
const msgIdScratch = Buffer.alloc(56)

/**
 * Offset msgId (§6.1) of a record: upper-case hex of STOREHOST (`hostLength` bytes at `hostPos`, IP + port) and
 * PHYSICALOFFSET (8 bytes at `offsetPos`), produced as one flat string (cheap to keep for queued messages).
 */
function offsetMsgIdAt(buf: Buffer, hostPos: number, hostLength: number, offsetPos: number): string {
  let out = 0
  for (let i = hostPos; i < hostPos + hostLength; i++) {
    const byte = buf[i]!
    msgIdScratch[out++] = HEX_DIGITS[byte >> 4]!
    msgIdScratch[out++] = HEX_DIGITS[byte & 15]!
  }
  for (let i = offsetPos; i < offsetPos + 8; i++) {
    const byte = buf[i]!
    msgIdScratch[out++] = HEX_DIGITS[byte >> 4]!
    msgIdScratch[out++] = HEX_DIGITS[byte & 15]!
  }
  return msgIdScratch.toString('latin1', 0, out)
}

/** The last decoded topic and its UTF-8 bytes: records of one pull body share their topic, so they share the string. */
let lastTopic = ''
let lastTopicBytes = Buffer.alloc(0)

/** The UTF-8 text of `buf[start, end)` as a topic, reusing the previous topic's string when the bytes are the same. */
function topicAt(buf: Buffer, start: number, end: number): string {
  const length = end - start
  const last = lastTopicBytes
  if (length === last.length) {
    let i = 0
    while (i < length && buf[start + i] === last[i]) i++
    if (i === length) return lastTopic
  }
  lastTopic = buf.toString('utf8', start, end)
  lastTopicBytes = Buffer.from(buf.subarray(start, end))
  return lastTopic
}

/** Dotted IPv4 text of recently seen addresses, keyed by the address as an unsigned int32. */
const ipv4Cache = new Map<number, string>()

/** Dotted text of the IPv4 address at `buf[pos]` (cached: records of one pull share few hosts). */
function ipv4At(buf: Buffer, pos: number): string {
  const key = buf.readUInt32BE(pos)
  let text = ipv4Cache.get(key)
  if (text === undefined) {
    text = bytesToHost(buf, pos, 4)
    if (ipv4Cache.size >= 1024) ipv4Cache.clear()
    ipv4Cache.set(key, text)
  }
  return text
}

/**
 * Decodes the record starting at `buf[offset]` (default 0). Accepts V1 and V2 magic and IPv6 hosts.
 * `body` is a copy unless `options.copyBody` is false (then a view into `buf`).
 * @returns the record; `storeSize` is how far to advance to the next record.
 * @throws MessageDecodeError on a short buffer, BLANK or unknown magic, a length running past TOTALSIZE,
 *   TOTALSIZE disagreeing with the fields, a 64-bit value that is not a safe integer, or (optionally) a CRC mismatch.
 */
export function decodeMessageRecord(buf: Buffer, offset = 0, options?: DecodeMessageOptions): MessageExt {
  if (offset < 0 || offset + 8 > buf.length) throw new MessageDecodeError('buffer too short for a record header', offset)
  const storeSize = buf.readInt32BE(offset)
  const magic = buf.readInt32BE(offset + 4)
  if (magic === BLANK_MAGIC_CODE) throw new MessageDecodeError('BLANK (end-of-file filler) record', offset)
  if (magic !== MESSAGE_MAGIC_CODE_V1 && magic !== MESSAGE_MAGIC_CODE_V2) {
    throw new MessageDecodeError(`bad magic code 0x${(magic >>> 0).toString(16)}`, offset)
  }
  if (storeSize < RecordLayout.MIN_RECORD_SIZE || offset + storeSize > buf.length) {
    throw new MessageDecodeError(`TOTALSIZE ${storeSize} does not fit the ${buf.length - offset} bytes left`, offset)
  }
  const end = offset + storeSize
  const sysFlag = buf.readInt32BE(offset + 36)
  const bornIpLength = sysFlag & 0x10 ? 16 : 4
  const storeIpLength = sysFlag & 0x20 ? 16 : 4
  const bornHostPos = offset + 48
  const storeTimestampPos = bornHostPos + bornIpLength + 4
  const storeHostPos = storeTimestampPos + 8
  let pos = storeHostPos + storeIpLength + 4
  need(pos, 16, end, 'fixed fields', storeSize, offset)
  const reconsumeTimes = buf.readInt32BE(pos)
  const preparedTransactionOffset = readLong(buf, pos + 4, 'preparedTransactionOffset', offset)
  const bodyLength = buf.readInt32BE(pos + 12)
  pos += 16
  if (bodyLength < 0) throw new MessageDecodeError(`negative BODYLEN ${bodyLength}`, offset)
  need(pos, bodyLength, end, 'BODY', storeSize, offset)
  const bodyView = buf.subarray(pos, pos + bodyLength)
  const body = options?.copyBody === false ? bodyView : Buffer.from(bodyView)
  pos += bodyLength
  const v2 = magic === MESSAGE_MAGIC_CODE_V2
  need(pos, v2 ? 2 : 1, end, 'TOPICLEN', storeSize, offset)
  const topicLength = v2 ? buf.readUInt16BE(pos) : buf[pos]!
  pos += v2 ? 2 : 1
  need(pos, topicLength, end, 'TOPIC', storeSize, offset)
  const topic = topicAt(buf, pos, pos + topicLength)
  pos += topicLength
  need(pos, 2, end, 'PROPERTIESLEN', storeSize, offset)
  const propertiesLength = buf.readUInt16BE(pos)
  pos += 2
  need(pos, propertiesLength, end, 'PROPERTIES', storeSize, offset)
  const properties = decodeProperties(buf.toString('utf8', pos, pos + propertiesLength))
  pos += propertiesLength
  if (pos !== end) throw new MessageDecodeError(`TOTALSIZE ${storeSize} but fields end at ${pos - offset}`, offset)
  const bodyCRC = buf.readInt32BE(offset + 8)
  if (options?.checkBodyCRC && bodyCRC !== (crc32(body) & 0x7fffffff)) {
    throw new MessageDecodeError('BODYCRC does not match the body', offset)
  }
  const commitLogOffset = readLong(buf, offset + 28, 'commitLogOffset', offset)
  const msgId = offsetMsgIdAt(buf, storeHostPos, storeIpLength + 4, offset + 28)
  return {
    storeSize,
    bodyCRC,
    queueId: buf.readInt32BE(offset + 12),
    flag: buf.readInt32BE(offset + 16),
    queueOffset: readLong(buf, offset + 20, 'queueOffset', offset),
    commitLogOffset,
    sysFlag,
    bornTimestamp: readLong(buf, offset + 40, 'bornTimestamp', offset),
    bornHost: {
      host: bornIpLength === 4 ? ipv4At(buf, bornHostPos) : bytesToHost(buf, bornHostPos, 16),
      port: buf.readInt32BE(bornHostPos + bornIpLength),
    },
    storeTimestamp: readLong(buf, storeTimestampPos, 'storeTimestamp', offset),
    storeHost: {
      host: storeIpLength === 4 ? ipv4At(buf, storeHostPos) : bytesToHost(buf, storeHostPos, 16),
      port: buf.readInt32BE(storeHostPos + storeIpLength),
    },
    reconsumeTimes,
    preparedTransactionOffset,
    body,
    topic,
    properties,
    msgId,
  }
}

/**
 * Decodes a body of records laid back to back (PULL_MESSAGE / QUERY_MESSAGE responses). Empty body → [].
 * Bodies are copies unless `options.copyBody` is false (then views into `body`, see DecodeMessageOptions).
 * @throws MessageDecodeError on the first bad record (unlike Java's client, which silently keeps the records before it).
 */
export function decodeMessages(body: Buffer, options?: DecodeMessageOptions): MessageExt[] {
  const messages: MessageExt[] = []
  let offset = 0
  while (offset < body.length) {
    const message = decodeMessageRecord(body, offset, options)
    messages.push(message)
    offset += message.storeSize
  }
  return messages
}
