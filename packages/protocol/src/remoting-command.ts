/**
 * RemotingCommand: the unit of the RocketMQ remoting protocol, and its frame codec.
 * Source: RocketMQ `remoting/.../protocol/RemotingCommand.java`; wire layout in remoting-protocol.md §1.1:
 *
 *   +--------------+-------------------------------------+----------------+-------------+
 *   | int32 length | int32 (serializeType << 24) | N     | header N bytes | body        |
 *   +--------------+-------------------------------------+----------------+-------------+
 *   length = 4 + N + bodyLength (everything after the length word); all big-endian.
 */
import { RemotingProtocolError } from './errors.js'
import { decodeJsonHeader, encodeJsonHeader } from './json-header-codec.js'
import type { CommandHeaderFields } from './json-header-codec.js'
import { SerializeType } from './language-code.js'
import { decodeRocketmqHeader, rocketmqHeaderSize, writeRocketmqHeader } from './rocketmq-header-codec.js'

/** One request or response. */
export interface RemotingCommand {
  /** Request code (RequestCode) in a request, response code (ResponseCode) in a response. */
  code: number
  /** LanguageCode name, e.g. `'JAVA'` (the binary codec maps byte <-> name). */
  language: string
  /** Sender's MQVersion ordinal (401 = V4_9_4), remoting-protocol.md §1.7. */
  version: number
  /** Request id; a response echoes its request's opaque. int32. */
  opaque: number
  /** Bit 0 (1) = response, bit 1 (2) = oneway request. */
  flag: number
  /** Free text; error message in responses. */
  remark: string | null
  /** The "custom header"; values are always strings after decode. */
  extFields: Record<string, string>
  /** Opaque payload; meaning depends on the code. */
  body: Buffer | null
  /** Header codec: 0 JSON, 1 ROCKETMQ. */
  serializeType: 0 | 1
}

/** Values accepted when building extFields; rendered like Java's `toString()`, null/undefined omitted. */
export type ExtFieldValue = string | number | bigint | boolean | null | undefined

/** `flag` bit 0: this command is a response. Source: RemotingCommand.RPC_TYPE. */
export const RPC_TYPE_RESPONSE = 1
/** `flag` bit 1: oneway request, no response expected. Source: RemotingCommand.RPC_ONEWAY. */
export const RPC_ONEWAY = 2
/** Version sent when none is given: 401 = MQVersion V4_9_4 (remoting-protocol.md §1.7). */
export const DEFAULT_VERSION = 401
/** Frame cap in bytes, as Java's `com.rocketmq.remoting.frameMaxLength` default (16 MiB). */
export const DEFAULT_MAX_FRAME_SIZE = 16 * 1024 * 1024
/** Largest header a frame can describe: the header length uses the low 24 bits. */
const MAX_HEADER_LENGTH = 0xffffff

let nextOpaque = 0

/** Next opaque from the process-wide counter (starts at 0, wraps at 2^31 like Java's AtomicInteger use). */
export function nextRequestOpaque(): number {
  const opaque = nextOpaque
  nextOpaque = nextOpaque === 0x7fffffff ? 0 : nextOpaque + 1
  return opaque
}

/** Renders extFields values as strings; null/undefined entries are dropped. */
export function toExtFields(fields: Record<string, ExtFieldValue> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  if (!fields) return out
  for (const key in fields) {
    const value = fields[key]
    if (value === null || value === undefined) continue
    out[key] = typeof value === 'string' ? value : String(value)
  }
  return out
}

/**
 * Builds a request with an opaque from the process-wide counter.
 * Defaults: JSON codec, version 401, language 'JAVA', flag 0 (2 when `oneway`).
 */
export function createRequest(
  code: number,
  extFields?: Record<string, ExtFieldValue>,
  body?: Buffer | null,
  options?: { serializeType?: 0 | 1; oneway?: boolean; version?: number; language?: string },
): RemotingCommand {
  return {
    code,
    language: options?.language ?? 'JAVA',
    version: options?.version ?? DEFAULT_VERSION,
    opaque: nextRequestOpaque(),
    flag: options?.oneway ? RPC_ONEWAY : 0,
    remark: null,
    extFields: toExtFields(extFields),
    body: body ?? null,
    serializeType: options?.serializeType ?? SerializeType.JSON,
  }
}

/**
 * Builds the response to `request`: same opaque and serializeType (Java answers in the request's codec,
 * remoting-protocol.md §1.1), flag = 1, version 401, language 'JAVA'.
 */
export function createResponse(
  request: RemotingCommand,
  code: number,
  remark?: string | null,
  extFields?: Record<string, ExtFieldValue>,
  body?: Buffer | null,
): RemotingCommand {
  return {
    code,
    language: 'JAVA',
    version: DEFAULT_VERSION,
    opaque: request.opaque,
    flag: RPC_TYPE_RESPONSE,
    remark: remark ?? null,
    extFields: toExtFields(extFields),
    body: body ?? null,
    serializeType: request.serializeType,
  }
}

/** True when flag bit 0 is set. */
export function isResponse(cmd: RemotingCommand): boolean {
  return (cmd.flag & RPC_TYPE_RESPONSE) !== 0
}

/** True when flag bit 1 is set (the receiver must not reply). */
export function isOneway(cmd: RemotingCommand): boolean {
  return (cmd.flag & RPC_ONEWAY) !== 0
}

/**
 * Encodes the length prefix and header of `cmd`, reserving `bodySpace` bytes after the header.
 * @returns the buffer (length = 8 + header + bodySpace) and where the body starts.
 */
function encodeHead(cmd: RemotingCommand, bodyLength: number, bodySpace: number): { buf: Buffer; bodyOffset: number } {
  if (cmd.serializeType === SerializeType.ROCKETMQ) {
    const headerLength = rocketmqHeaderSize(cmd)
    const buf = Buffer.allocUnsafe(8 + headerLength + bodySpace)
    buf.writeInt32BE(4 + headerLength + bodyLength, 0)
    buf.writeInt32BE((SerializeType.ROCKETMQ << 24) | headerLength, 4)
    writeRocketmqHeader(cmd, buf, 8)
    return { buf, bodyOffset: 8 + headerLength }
  }
  if (cmd.serializeType !== SerializeType.JSON) {
    throw new RemotingProtocolError(`unknown serializeType ${String(cmd.serializeType)}`)
  }
  const text = encodeJsonHeader(cmd)
  const headerLength = Buffer.byteLength(text)
  if (headerLength > MAX_HEADER_LENGTH) throw new RemotingProtocolError(`header too large: ${headerLength} bytes`)
  const buf = Buffer.allocUnsafe(8 + headerLength + bodySpace)
  buf.writeInt32BE(4 + headerLength + bodyLength, 0)
  buf.writeInt32BE(headerLength, 4)
  buf.write(text, 8, 'utf8')
  return { buf, bodyOffset: 8 + headerLength }
}

/**
 * Encodes a whole frame, length prefix included (§1.1).
 * @throws RemotingProtocolError for an unknown serializeType, a header over 16 MiB, or values that do not fit the
 *   ROCKETMQ codec (code/version outside int16).
 */
export function encodeCommand(cmd: RemotingCommand): Buffer {
  const body = cmd.body
  const bodyLength = body ? body.length : 0
  const { buf, bodyOffset } = encodeHead(cmd, bodyLength, bodyLength)
  if (body && bodyLength > 0) body.copy(buf, bodyOffset)
  return buf
}

/**
 * Encodes a frame as (prefix + header) and the body separately, so a large body is written without copying
 * (socket cork + two writes). Bodies up to `inlineBodyMax` bytes are copied into the first buffer and
 * `body` is returned as null.
 */
export function encodeCommandParts(cmd: RemotingCommand, inlineBodyMax: number): { head: Buffer; body: Buffer | null } {
  const body = cmd.body
  const bodyLength = body ? body.length : 0
  if (bodyLength <= inlineBodyMax) {
    const { buf, bodyOffset } = encodeHead(cmd, bodyLength, bodyLength)
    if (body && bodyLength > 0) body.copy(buf, bodyOffset)
    return { head: buf, body: null }
  }
  return { head: encodeHead(cmd, bodyLength, 0).buf, body }
}

/**
 * Decodes one frame WITHOUT its 4-byte length prefix (`frame.length` = the length word's value).
 * The returned body is a view into `frame` (no copy); empty bodies decode as null.
 * @throws RemotingProtocolError when the frame is shorter than 4 bytes, the header length exceeds
 *   `frame.length - 4`, the serialize type is neither 0 nor 1, or the header does not parse.
 */
export function decodeCommand(frame: Buffer): RemotingCommand {
  if (frame.length < 4) throw new RemotingProtocolError(`frame too short: ${frame.length} bytes`)
  const word = frame.readUInt32BE(0)
  const serializeType = word >>> 24
  const headerLength = word & MAX_HEADER_LENGTH
  if (headerLength > frame.length - 4) {
    throw new RemotingProtocolError(`header length ${headerLength} exceeds frame length ${frame.length} - 4`)
  }
  const headerEnd = 4 + headerLength
  let header: CommandHeaderFields
  if (serializeType === SerializeType.JSON) header = decodeJsonHeader(frame, 4, headerEnd)
  else if (serializeType === SerializeType.ROCKETMQ) header = decodeRocketmqHeader(frame, 4, headerEnd)
  else throw new RemotingProtocolError(`unknown serialize type ${serializeType}`)
  return {
    code: header.code,
    language: header.language,
    version: header.version,
    opaque: header.opaque,
    flag: header.flag,
    remark: header.remark,
    extFields: header.extFields,
    body: headerEnd < frame.length ? frame.subarray(headerEnd) : null,
    serializeType,
  }
}
