/**
 * Message ids (§6). Sources: RocketMQ MessageDecoder.createMessageId / decodeMessageId, MessageClientIDSetter.
 *
 * Offset msgId (broker-generated), upper-case hex of:
 *   | store IP 4 (IPv4) or 16 (IPv6) | store port int32 | commit-log offset int64 |   → 32 or 56 hex chars
 * Unique id (UNIQ_KEY, producer-generated), upper-case hex of:
 *   | client IP 4/16 | pid & 0xffff (2) | per-process random int32 | ms since start of month int32 | counter int16 |
 */
import { randomBytes, randomInt } from 'node:crypto'
import { networkInterfaces } from 'node:os'
import { bytesToHost, hostToBytes } from './host-address.js'
import { MessageDecodeError } from './message-decode-error.js'

const TWO_32 = 4294967296

const hex = (bytes: number[]): string => Buffer.from(bytes).toString('hex').toUpperCase()

const int32Hex = (value: number): string => (value >>> 0).toString(16).toUpperCase().padStart(8, '0')

/**
 * Offset msgId of a record stored at `commitLogOffset` on the broker listening at `host:port`.
 * @returns 32 upper-case hex chars for IPv4 (IPv4-mapped IPv6 counts as IPv4), 56 for IPv6.
 * @throws TypeError when host is not an IP literal; RangeError when commitLogOffset is not a safe integer ≥ 0.
 */
export function createOffsetMsgId(host: string, port: number, commitLogOffset: number): string {
  if (!Number.isSafeInteger(commitLogOffset) || commitLogOffset < 0) {
    throw new RangeError(`commitLogOffset must be a safe integer >= 0, got ${commitLogOffset}`)
  }
  const hi = Math.floor(commitLogOffset / TWO_32)
  return hostHex(host) + int32Hex(port) + int32Hex(hi) + int32Hex(commitLogOffset - hi * TWO_32)
}

/** Upper-case hex of recently used hosts' bytes (a broker makes every offset msgId with the same host). */
const hostHexCache = new Map<string, string>()

function hostHex(host: string): string {
  let text = hostHexCache.get(host)
  if (text === undefined) {
    text = hex(hostToBytes(host))
    if (hostHexCache.size >= 64) hostHexCache.clear()
    hostHexCache.set(host, text)
  }
  return text
}

/**
 * Parses an offset msgId (case-insensitive).
 * @throws MessageDecodeError unless it is 32 or 56 hex chars, or when the offset is not a safe integer.
 */
export function decodeOffsetMsgId(msgId: string): { host: string; port: number; commitLogOffset: number } {
  if ((msgId.length !== 32 && msgId.length !== 56) || !/^[0-9a-fA-F]+$/.test(msgId)) {
    throw new MessageDecodeError(`not an offset msgId (32 or 56 hex chars): ${JSON.stringify(msgId)}`)
  }
  const bytes = Buffer.from(msgId, 'hex')
  const ipLength = bytes.length === 16 ? 4 : 16
  const commitLogOffset = bytes.readInt32BE(ipLength + 4) * TWO_32 + bytes.readUInt32BE(ipLength + 8)
  if (!Number.isSafeInteger(commitLogOffset) || commitLogOffset < 0) {
    throw new MessageDecodeError(`offset in msgId ${msgId} is out of range`)
  }
  return { host: bytesToHost(bytes, 0, ipLength), port: bytes.readInt32BE(ipLength), commitLogOffset }
}

/** Inputs of a unique-id generator; createUniqId uses this process's values. */
export interface UniqIdSource {
  /** 4 or 16 IP bytes. */
  ip: number[]
  pid: number
  /** Per-process random int32 (Java: class loader hash). */
  random: number
  /** Clock, ms since epoch. */
  now: () => number
}

/**
 * Makes a UNIQ_KEY generator with its own counter (MessageClientIDSetter semantics: the time field is ms since local
 * midnight of the 1st of the current month; the int16 counter wraps).
 */
export function createUniqIdGenerator(source: UniqIdSource): () => string {
  const prefix = hex(source.ip) + (source.pid & 0xffff).toString(16).toUpperCase().padStart(4, '0') + int32Hex(source.random)
  let startTime = 0
  let nextStartTime = 0
  let counter = 0
  return () => {
    const current = source.now()
    if (current >= nextStartTime) {
      const date = new Date(current)
      startTime = new Date(date.getFullYear(), date.getMonth(), 1).getTime()
      nextStartTime = new Date(date.getFullYear(), date.getMonth() + 1, 1).getTime()
    }
    let diff = current - startTime
    if (diff < 0 && diff > -1000000) diff = 0
    const id = prefix + int32Hex(diff) + (counter & 0xffff).toString(16).toUpperCase().padStart(4, '0')
    counter = (counter + 1) & 0xffff
    return id
  }
}

function localIp(): number[] {
  const v6: number[][] = []
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) {
      if (info.internal) continue
      if (info.family === 'IPv4') return hostToBytes(info.address)
      if (!info.address.toLowerCase().startsWith('fe80')) v6.push(hostToBytes(info.address))
    }
  }
  return v6[0] ?? [...randomBytes(4)]
}

let processGenerator: (() => string) | undefined

/**
 * A new UNIQ_KEY (§6.2): 32 upper-case hex chars with an IPv4 client address (56 when only IPv6 is available).
 * The IP (first non-internal IPv4, else IPv6, else 4 random bytes), pid and random int are fixed per process.
 */
export function createUniqId(): string {
  processGenerator ??= createUniqIdGenerator({ ip: localIp(), pid: process.pid, random: randomInt(-2147483648, 2147483647), now: Date.now })
  return processGenerator()
}
