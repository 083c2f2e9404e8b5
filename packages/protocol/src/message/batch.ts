/**
 * SEND_BATCH_MESSAGE body codec (RocketMQ MessageDecoder.encodeMessage / encodeMessages / decodeMessage / decodesBatch).
 *
 * Entries back to back, each (big-endian):
 *   | TOTALSIZE int32 | MAGICCODE int32 (0) | BODYCRC int32 (0) | FLAG int32 | BODYLEN int32 | BODY | PROPERTIESLEN int16 | PROPERTIES |
 * TOTALSIZE counts the whole entry (20 + B + 2 + P bytes).
 */
import { MessageDecodeError } from './message-decode-error.js'
import { decodeProperties, encodeProperties } from './properties.js'

/** One message inside a batch body. */
export interface BatchMessage {
  flag: number
  body: Buffer
  properties: Record<string, string>
}

const ENTRY_FIXED_SIZE = 4 + 4 + 4 + 4 + 4 + 2

/**
 * Encodes messages as a batch body (layout above). Properties use encodeProperties (no trailing \x02).
 * @throws RangeError when one message's properties exceed 32767 UTF-8 bytes or a flag is not an int32.
 * @throws TypeError from encodeProperties on separator characters in names/values.
 */
export function encodeBatchMessages(messages: BatchMessage[]): Buffer {
  const encoded = messages.map((message) => {
    const properties = encodeProperties(message.properties)
    const propertiesLength = Buffer.byteLength(properties, 'utf8')
    if (propertiesLength > 32767) throw new RangeError(`properties are ${propertiesLength} bytes, more than 32767`)
    return { message, properties, propertiesLength, size: ENTRY_FIXED_SIZE + message.body.length + propertiesLength }
  })
  const buf = Buffer.allocUnsafe(encoded.reduce((sum, entry) => sum + entry.size, 0))
  let pos = 0
  for (const { message, properties, propertiesLength, size } of encoded) {
    buf.writeInt32BE(size, pos)
    buf.writeInt32BE(0, pos + 4)
    buf.writeInt32BE(0, pos + 8)
    buf.writeInt32BE(message.flag, pos + 12)
    buf.writeInt32BE(message.body.length, pos + 16)
    pos += 20
    message.body.copy(buf, pos)
    pos += message.body.length
    buf.writeInt16BE(propertiesLength, pos)
    pos += 2
    pos += buf.write(properties, pos, propertiesLength, 'utf8')
  }
  return buf
}

/**
 * Decodes a batch body. MAGICCODE and BODYCRC are ignored (clients write 0). Bodies are copies.
 * @throws MessageDecodeError when an entry is truncated or its TOTALSIZE disagrees with its fields.
 */
export function decodeBatchMessages(body: Buffer): BatchMessage[] {
  const messages: BatchMessage[] = []
  let start = 0
  while (start < body.length) {
    if (start + ENTRY_FIXED_SIZE > body.length) throw new MessageDecodeError('truncated batch entry', start)
    const size = body.readInt32BE(start)
    if (size < ENTRY_FIXED_SIZE || start + size > body.length) {
      throw new MessageDecodeError(`batch entry TOTALSIZE ${size} does not fit the ${body.length - start} bytes left`, start)
    }
    const end = start + size
    const flag = body.readInt32BE(start + 12)
    const bodyLength = body.readInt32BE(start + 16)
    let pos = start + 20
    if (bodyLength < 0 || pos + bodyLength + 2 > end) throw new MessageDecodeError(`bad batch BODYLEN ${bodyLength}`, start)
    const messageBody = Buffer.from(body.subarray(pos, pos + bodyLength))
    pos += bodyLength
    const propertiesLength = body.readUInt16BE(pos)
    pos += 2
    if (pos + propertiesLength !== end) {
      throw new MessageDecodeError(`batch entry TOTALSIZE ${size} disagrees with its fields`, start)
    }
    messages.push({ flag, body: messageBody, properties: decodeProperties(body.toString('utf8', pos, end)) })
    start = end
  }
  return messages
}
