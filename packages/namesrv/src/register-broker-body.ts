import { deflateSync, inflateSync } from 'node:zlib'
import { crc32, parseJsonLenient, stringifyJson } from '@cometmq/protocol'
import type { DataVersion } from '@cometmq/protocol'
import type { RegisteredTopicConfig } from './route-types.js'

/** A decoded REGISTER_BROKER body (RocketMQ `RegisterBrokerBody`, only what namesrv uses). */
export interface DecodedRegisterBrokerBody {
  dataVersion: DataVersion
  topicConfigs: RegisteredTopicConfig[]
  filterServerList: string[]
}

/**
 * Defaults of an absent TopicConfig field. Source: RocketMQ `TopicConfig` field initialisers
 * (readQueueNums = writeQueueNums = 16, perm = PermName.PERM_READ | PERM_WRITE = 6, topicSysFlag = 0).
 */
const TOPIC_CONFIG_DEFAULTS = { readQueueNums: 16, writeQueueNums: 16, perm: 6, topicSysFlag: 0 } as const

/**
 * The body checksum RocketMQ puts in `bodyCrc32`: CRC-32 of the body masked with 0x7FFFFFFF
 * (RocketMQ `UtilAll.crc32`); 0 for an absent body.
 */
export function registerBodyCrc32(body: Buffer | null): number {
  return body === null || body.length === 0 ? 0 : crc32(body) & 0x7fffffff
}

/**
 * Decodes a REGISTER_BROKER body.
 *
 * - `compressed = false`: JSON `RegisterBrokerBody` `{topicConfigSerializeWrapper:{dataVersion,topicConfigTable},filterServerList}`,
 *   or (brokers older than V3_0_11) a bare `TopicConfigSerializeWrapper`. Unquoted integer keys are accepted.
 * - `compressed = true`: the zlib stream of `RegisterBrokerBody.encode(true)` (see {@link encodeCompressedRegisterBrokerBody}).
 *
 * @throws Error when the body is not valid JSON / not a valid zlib stream or is truncated
 *   (the server answers SYSTEM_ERROR with the message).
 */
export function decodeRegisterBrokerBody(body: Buffer, compressed: boolean): DecodedRegisterBrokerBody {
  return compressed ? decodeCompressed(body) : decodeJson(body)
}

function decodeJson(body: Buffer): DecodedRegisterBrokerBody {
  const root = asRecord(parseJsonLenient(body.toString('utf8')), 'RegisterBrokerBody')
  const wrapper = 'topicConfigSerializeWrapper' in root || !('topicConfigTable' in root)
    ? asRecord(root['topicConfigSerializeWrapper'] ?? {}, 'topicConfigSerializeWrapper')
    : root
  const table = asRecord(wrapper['topicConfigTable'] ?? {}, 'topicConfigTable')
  const topicConfigs: RegisteredTopicConfig[] = []
  for (const [name, value] of Object.entries(table)) {
    const config = asRecord(value, `topicConfigTable.${name}`)
    topicConfigs.push({
      topicName: typeof config['topicName'] === 'string' ? config['topicName'] : name,
      readQueueNums: toInt(config['readQueueNums'], TOPIC_CONFIG_DEFAULTS.readQueueNums),
      writeQueueNums: toInt(config['writeQueueNums'], TOPIC_CONFIG_DEFAULTS.writeQueueNums),
      perm: toInt(config['perm'], TOPIC_CONFIG_DEFAULTS.perm),
      topicSysFlag: toInt(config['topicSysFlag'], TOPIC_CONFIG_DEFAULTS.topicSysFlag),
    })
  }
  return {
    dataVersion: toDataVersion(wrapper['dataVersion']),
    topicConfigs,
    filterServerList: toStringList(root['filterServerList']),
  }
}

/**
 * Compressed layout (RocketMQ `RegisterBrokerBody.encode(true)`), inside one zlib (Deflater) stream, ints big-endian:
 *
 *   | int32 len | DataVersion JSON | int32 topicCount | topicCount × (int32 len | TopicConfig string) | int32 len | filter list JSON |
 *
 * TopicConfig string = `topicName readQueueNums writeQueueNums perm topicFilterType[ attributesJson]` (single spaces;
 * RocketMQ `TopicConfig.encode`). topicSysFlag is not carried (0).
 */
function decodeCompressed(body: Buffer): DecodedRegisterBrokerBody {
  const data = inflateSync(body)
  let offset = 0
  const readChunk = (what: string): string => {
    if (offset + 4 > data.length) throw new Error(`compressed register body truncated at ${what}`)
    const length = data.readInt32BE(offset)
    offset += 4
    if (length < 0 || offset + length > data.length) throw new Error(`compressed register body truncated at ${what}`)
    const text = data.toString('utf8', offset, offset + length)
    offset += length
    return text
  }
  const dataVersion = toDataVersion(parseJsonLenient(readChunk('dataVersion')))
  if (offset + 4 > data.length) throw new Error('compressed register body truncated at topicCount')
  const topicCount = data.readInt32BE(offset)
  offset += 4
  const topicConfigs: RegisteredTopicConfig[] = []
  for (let i = 0; i < topicCount; i++) {
    const parts = readChunk('topicConfig').split(' ')
    const [topicName, read, write, perm] = parts
    if (topicName === undefined || parts.length < 5) throw new Error(`bad compressed topic config: ${parts.join(' ')}`)
    topicConfigs.push({
      topicName,
      readQueueNums: toInt(read, TOPIC_CONFIG_DEFAULTS.readQueueNums),
      writeQueueNums: toInt(write, TOPIC_CONFIG_DEFAULTS.writeQueueNums),
      perm: toInt(perm, TOPIC_CONFIG_DEFAULTS.perm),
      topicSysFlag: 0,
    })
  }
  const filterServerList = toStringList(parseJsonLenient(readChunk('filterServerList')))
  return { dataVersion, topicConfigs, filterServerList }
}

/**
 * Encodes the compressed REGISTER_BROKER body (the inverse of the compressed decode; `compressedRegister=true`).
 * topicFilterType is always `SINGLE_TAG`.
 */
export function encodeCompressedRegisterBrokerBody(body: DecodedRegisterBrokerBody): Buffer {
  const chunks: Buffer[] = []
  const int = (value: number): void => {
    const b = Buffer.alloc(4)
    b.writeInt32BE(value)
    chunks.push(b)
  }
  const text = (value: string): void => {
    const b = Buffer.from(value, 'utf8')
    int(b.length)
    chunks.push(b)
  }
  text(stringifyJson(body.dataVersion))
  int(body.topicConfigs.length)
  for (const t of body.topicConfigs) text(`${t.topicName} ${t.readQueueNums} ${t.writeQueueNums} ${t.perm} SINGLE_TAG`)
  text(stringifyJson(body.filterServerList))
  return deflateSync(Buffer.concat(chunks), { level: 9 })
}

function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what} is not a JSON object`)
  return value as Record<string, unknown>
}

function toInt(value: unknown, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback
  const n = typeof value === 'number' ? value : Number(value)
  return Number.isFinite(n) ? Math.trunc(n) : fallback
}

function toDataVersion(value: unknown): DataVersion {
  if (typeof value !== 'object' || value === null) return { counter: 0, timestamp: 0 }
  const v = value as Record<string, unknown>
  const version: DataVersion = { counter: toInt(v['counter'], 0), timestamp: toInt(v['timestamp'], 0) }
  if (v['stateVersion'] !== undefined) version.stateVersion = toInt(v['stateVersion'], 0)
  return version
}

function toStringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []
}
