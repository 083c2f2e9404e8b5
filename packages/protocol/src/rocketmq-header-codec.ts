/**
 * ROCKETMQ binary header codec (serializeType 1), remoting-protocol.md §1.4.
 * Source: RocketMQ `remoting/.../protocol/RocketMQSerializable.java` (rocketMQProtocolEncode/Decode).
 *
 *   offset size  field
 *   0      2     code       int16
 *   2      1     language   LanguageCode byte
 *   3      2     version    int16
 *   5      4     opaque     int32
 *   9      4     flag       int32
 *   13     4     remarkLen  int32 (UTF-8 bytes; 0 = null)
 *   17     R     remark
 *   17+R   4     extLen     int32 (bytes of the map section; 0 = no map)
 *   21+R   E     { int16 keyLen, key UTF-8, int32 valLen, value UTF-8 }*
 *
 * All big-endian. Entries with null/undefined values are skipped on encode (as Java skips null keys/values).
 */
import { isAscii } from 'node:buffer'
import { RemotingProtocolError } from './errors.js'
import { languageName, languageValue } from './language-code.js'
import { setField } from './json-header-codec.js'
import type { CommandHeaderFields } from './json-header-codec.js'
import type { RemotingCommand } from './remoting-command.js'

/** Fixed part of a ROCKETMQ header, in bytes: code..remarkLen (17) + extLen (4). */
export const ROCKETMQ_HEADER_FIXED_SIZE = 21

/** Exact header size in bytes for `cmd`. @throws RemotingProtocolError when an ext key exceeds 32767 bytes. */
export function rocketmqHeaderSize(cmd: RemotingCommand): number {
  let size = ROCKETMQ_HEADER_FIXED_SIZE
  if (cmd.remark) size += Buffer.byteLength(cmd.remark)
  const ext = cmd.extFields
  if (ext) {
    for (const key in ext) {
      const value = ext[key]
      if (value === null || value === undefined) continue
      const keyLen = Buffer.byteLength(key)
      if (keyLen > 0x7fff) throw new RemotingProtocolError(`extFields key too long for the ROCKETMQ codec: ${keyLen} bytes`)
      size += 6 + keyLen + Buffer.byteLength(typeof value === 'string' ? value : String(value))
    }
  }
  return size
}

/**
 * Writes the header of `cmd` at `buf[offset]`; `buf` must have `rocketmqHeaderSize(cmd)` bytes free there.
 * @returns offset after the header.
 * @throws RemotingProtocolError when `code` or `version` does not fit int16 (e.g. POP codes ≥ 200050 need JSON).
 */
export function writeRocketmqHeader(cmd: RemotingCommand, buf: Buffer, offset: number): number {
  if (cmd.code < -0x8000 || cmd.code > 0x7fff) {
    throw new RemotingProtocolError(`code ${cmd.code} does not fit the ROCKETMQ codec (int16); use JSON`)
  }
  if (cmd.version < -0x8000 || cmd.version > 0x7fff) {
    throw new RemotingProtocolError(`version ${cmd.version} does not fit the ROCKETMQ codec (int16)`)
  }
  let pos = buf.writeInt16BE(cmd.code, offset)
  pos = buf.writeUInt8(languageValue(cmd.language) & 0xff, pos)
  pos = buf.writeInt16BE(cmd.version, pos)
  pos = buf.writeInt32BE(cmd.opaque | 0, pos)
  pos = buf.writeInt32BE(cmd.flag | 0, pos)
  if (cmd.remark) {
    const remarkLen = buf.write(cmd.remark, pos + 4, 'utf8')
    buf.writeInt32BE(remarkLen, pos)
    pos += 4 + remarkLen
  } else {
    pos = buf.writeInt32BE(0, pos)
  }
  const extLenPos = pos
  pos += 4
  const ext = cmd.extFields
  if (ext) {
    for (const key in ext) {
      const raw = ext[key]
      if (raw === null || raw === undefined) continue
      const value = typeof raw === 'string' ? raw : String(raw)
      const keyLen = buf.write(key, pos + 2, 'utf8')
      buf.writeInt16BE(keyLen, pos)
      pos += 2 + keyLen
      const valLen = buf.write(value, pos + 4, 'utf8')
      buf.writeInt32BE(valLen, pos)
      pos += 4 + valLen
    }
  }
  buf.writeInt32BE(pos - extLenPos - 4, extLenPos)
  return pos
}

/**
 * Decodes a ROCKETMQ header occupying exactly `buf[start, end)`.
 * Rules from RocketMQSerializable: a remark of length 0 is null; a remark, map section or entry longer than
 * the header is an error; unknown language bytes map to `'OTHER'`.
 * @throws RemotingProtocolError on any length that runs past the header.
 */
export function decodeRocketmqHeader(buf: Buffer, start: number, end: number): CommandHeaderFields {
  if (end - start < ROCKETMQ_HEADER_FIXED_SIZE) {
    throw new RemotingProtocolError(`ROCKETMQ header too short: ${end - start} bytes`)
  }
  const code = buf.readInt16BE(start)
  const language = languageName(buf.readUInt8(start + 2))
  const version = buf.readInt16BE(start + 3)
  const opaque = buf.readInt32BE(start + 5)
  const flag = buf.readInt32BE(start + 9)
  const remarkLen = buf.readInt32BE(start + 13)
  let pos = start + 17
  if (remarkLen < 0 || remarkLen > end - pos - 4) {
    throw new RemotingProtocolError(`ROCKETMQ header: remark length ${remarkLen} exceeds the header`)
  }
  const remark = remarkLen === 0 ? null : buf.toString('utf8', pos, pos + remarkLen)
  pos += remarkLen
  const extLen = buf.readInt32BE(pos)
  pos += 4
  if (extLen < 0 || extLen > end - pos) {
    throw new RemotingProtocolError(`ROCKETMQ header: ext map length ${extLen} exceeds the header`)
  }
  const extFields: Record<string, string> = {}
  const extEnd = pos + extLen
  // Pure-ASCII maps (the usual case) are decoded with one toString and sliced by byte offset.
  const text = extLen > 0 && isAscii(buf.subarray(pos, extEnd)) ? buf.toString('latin1', pos, extEnd) : null
  const base = pos
  while (pos < extEnd) {
    if (extEnd - pos < 2) throw new RemotingProtocolError('ROCKETMQ header: truncated ext key length')
    const keyLen = buf.readInt16BE(pos)
    pos += 2
    if (keyLen < 0 || keyLen > extEnd - pos - 4) throw new RemotingProtocolError(`ROCKETMQ header: ext key length ${keyLen} exceeds the map`)
    const key = text !== null ? text.slice(pos - base, pos - base + keyLen) : buf.toString('utf8', pos, pos + keyLen)
    pos += keyLen
    const valLen = buf.readInt32BE(pos)
    pos += 4
    if (valLen < 0 || valLen > extEnd - pos) throw new RemotingProtocolError(`ROCKETMQ header: ext value length ${valLen} exceeds the map`)
    setField(extFields, key, text !== null ? text.slice(pos - base, pos - base + valLen) : buf.toString('utf8', pos, pos + valLen))
    pos += valLen
  }
  return { code, language, version, opaque, flag, remark, extFields }
}
