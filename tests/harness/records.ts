/**
 * Independent decoder for stored message records (remoting-protocol.md §4.1) and the property string
 * format (§5.1), used by the tests to check what the broker returns byte for byte.
 *
 *   0 TOTALSIZE int | 4 MAGIC int | 8 BODYCRC int | 12 QUEUEID int | 16 FLAG int | 20 QUEUEOFFSET long
 *  28 PHYSICALOFFSET long | 36 SYSFLAG int | 40 BORNTIMESTAMP long | 48 BORNHOST 4+4 | 56 STORETIMESTAMP long
 *  64 STOREHOST 4+4 | 72 RECONSUMETIMES int | 76 PREPARED_TX_OFFSET long | 84 BODYLEN int + BODY
 *  TOPICLEN byte + TOPIC | PROPERTIESLEN short + PROPERTIES          (IPv4 hosts, V1 magic)
 */
export const MAGIC_V1 = 0xdaa320a7 | 0
export const MAGIC_V2 = 0xdaa320ab | 0
export const BLANK_MAGIC = 0xcbd43194 | 0

export interface DecodedRecord {
  storeSize: number
  magic: number
  bodyCRC: number
  queueId: number
  flag: number
  queueOffset: number
  commitLogOffset: number
  sysFlag: number
  bornTimestamp: number
  bornHost: string
  storeTimestamp: number
  storeHost: string
  reconsumeTimes: number
  preparedTransactionOffset: number
  body: Buffer
  topic: string
  propertiesString: string
  properties: Record<string, string>
  /** offset msgId: hex(storeHost ip 4 bytes, port int, commitLogOffset long), upper case (§6.1) */
  offsetMsgId: string
  /** the raw record bytes */
  raw: Buffer
}

function ipv4(buf: Buffer, at: number): string {
  return `${buf[at]}.${buf[at + 1]}.${buf[at + 2]}.${buf[at + 3]}:${buf.readInt32BE(at + 4)}`
}

export function decodeProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  if (!text) return out
  for (const item of text.split('\x02')) {
    if (!item) continue
    const i = item.indexOf('\x01')
    if (i < 0) continue
    out[item.slice(0, i)] = item.slice(i + 1)
  }
  return out
}

export function encodeProperties(props: Record<string, string>): string {
  return Object.entries(props)
    .map(([k, v]) => `${k}\x01${v}`)
    .join('\x02')
}

/** Decodes one record at `offset`. Throws on a short buffer or unknown magic. */
export function decodeRecord(buf: Buffer, offset = 0): DecodedRecord {
  const size = buf.readInt32BE(offset)
  if (size < 84 || offset + size > buf.length) throw new Error(`bad record size ${size} at ${offset} (buffer ${buf.length})`)
  const r = buf.subarray(offset, offset + size)
  const magic = r.readInt32BE(4)
  if (magic !== MAGIC_V1 && magic !== MAGIC_V2) throw new Error(`bad magic 0x${(magic >>> 0).toString(16)} at ${offset}`)
  const sysFlag = r.readInt32BE(36)
  if ((sysFlag & 0x30) !== 0) throw new Error('IPv6 hosts in record (test decoder expects IPv4)')
  const bodyLen = r.readInt32BE(84)
  let p = 88
  const body = Buffer.from(r.subarray(p, p + bodyLen))
  p += bodyLen
  let topicLen: number
  if (magic === MAGIC_V1) {
    topicLen = r.readUInt8(p)
    p += 1
  } else {
    topicLen = r.readUInt16BE(p)
    p += 2
  }
  const topic = r.subarray(p, p + topicLen).toString('utf8')
  p += topicLen
  const propLen = r.readInt16BE(p)
  p += 2
  const propertiesString = r.subarray(p, p + propLen).toString('utf8')
  p += propLen
  if (p !== size) throw new Error(`record size mismatch: TOTALSIZE ${size}, parsed ${p}`)
  const commitLogOffset = Number(r.readBigInt64BE(28))
  const idBuf = Buffer.alloc(16)
  r.copy(idBuf, 0, 64, 72)
  idBuf.writeBigInt64BE(BigInt(commitLogOffset), 8)
  return {
    storeSize: size,
    magic,
    bodyCRC: r.readInt32BE(8),
    queueId: r.readInt32BE(12),
    flag: r.readInt32BE(16),
    queueOffset: Number(r.readBigInt64BE(20)),
    commitLogOffset,
    sysFlag,
    bornTimestamp: Number(r.readBigInt64BE(40)),
    bornHost: ipv4(r, 48),
    storeTimestamp: Number(r.readBigInt64BE(56)),
    storeHost: ipv4(r, 64),
    reconsumeTimes: r.readInt32BE(72),
    preparedTransactionOffset: Number(r.readBigInt64BE(76)),
    body,
    topic,
    propertiesString,
    properties: decodeProperties(propertiesString),
    offsetMsgId: idBuf.toString('hex').toUpperCase(),
    raw: Buffer.from(r),
  }
}

/** Decodes a PULL body (records back to back). */
export function decodeRecords(body: Buffer): DecodedRecord[] {
  const out: DecodedRecord[] = []
  let offset = 0
  while (offset < body.length) {
    const rec = decodeRecord(body, offset)
    out.push(rec)
    offset += rec.storeSize
  }
  return out
}
