import { MQError } from '@cometmq/protocol'
import type { Logger } from '@cometmq/protocol'
import { parseLines } from 'dot-properties'
import type { Pair } from 'dot-properties'

/** Options of {@link NamesrvController}. Every field is optional; defaults in {@link namesrvConfigSchema}. */
export interface NamesrvConfig {
  /** TCP port; 0 = any free port (tests). Default 9876 (RocketMQ `NamesrvStartup` forces 9876 unless configured). */
  listenPort?: number
  /** Bind address. Default `'0.0.0.0'` (RocketMQ 5.x `NettyServerConfig.bindAddress`). */
  host?: string
  /** ms between liveness scans. Default 10000 (4.x fixed 10 s; 5.x `scanNotActiveBrokerInterval` 5000). */
  scanNotActiveBrokerInterval?: number
  /** ms without REGISTER_BROKER after which a broker is removed. Default 120000 (RocketMQ `BROKER_CHANNEL_EXPIRED_TIME`). */
  brokerChannelExpiredTime?: number
  /** Attach `orderTopicConf` from KV namespace ORDER_TOPIC_CONFIG to routes. Default false (`NamesrvConfig.orderMessageEnable`). */
  orderMessageEnable?: boolean
  /** Return ORDER_TOPIC_CONFIG in the REGISTER_BROKER response body. Default true (`NamesrvConfig.returnOrderTopicConfigToBroker`). */
  returnOrderTopicConfigToBroker?: boolean
  /** Seconds an idle connection is kept. Default 120 (`NettyServerConfig.serverChannelMaxIdleTimeSeconds`). */
  serverChannelMaxIdleTimeSeconds?: number
  logger?: Logger
}

/** The data part of {@link NamesrvConfig} (no logger), every key resolved. */
export type NamesrvSettings = Required<Omit<NamesrvConfig, 'logger'>>

type KeyType = 'int' | 'boolean' | 'string'
interface KeySpec {
  type: KeyType
  default: number | boolean | string
  unit?: string
  min?: number
  max?: number
  doc: string
  source: string
}

/** Every namesrv.conf key CometMQ uses: type, default, unit, meaning and RocketMQ source. */
export const namesrvConfigSchema = {
  listenPort: { type: 'int', default: 9876, min: 0, max: 65535, doc: 'TCP listen port', source: 'NettyServerConfig.listenPort / NamesrvStartup' },
  host: { type: 'string', default: '0.0.0.0', doc: 'bind address (namesrv.conf key: bindAddress or host)', source: 'NettyServerConfig.bindAddress (5.x)' },
  scanNotActiveBrokerInterval: { type: 'int', default: 10_000, unit: 'ms', min: 1, doc: 'liveness scan period', source: 'NamesrvConfig.scanNotActiveBrokerInterval' },
  brokerChannelExpiredTime: { type: 'int', default: 120_000, unit: 'ms', min: 1, doc: 'broker expiry after its last registration', source: 'RouteInfoManager.BROKER_CHANNEL_EXPIRED_TIME' },
  orderMessageEnable: { type: 'boolean', default: false, doc: 'add orderTopicConf to routes', source: 'NamesrvConfig.orderMessageEnable' },
  returnOrderTopicConfigToBroker: { type: 'boolean', default: true, doc: 'ORDER_TOPIC_CONFIG in REGISTER_BROKER responses', source: 'NamesrvConfig.returnOrderTopicConfigToBroker' },
  serverChannelMaxIdleTimeSeconds: { type: 'int', default: 120, unit: 's', min: 0, doc: 'idle connection close', source: 'NettyServerConfig.serverChannelMaxIdleTimeSeconds' },
} as const satisfies Record<keyof NamesrvSettings, KeySpec>

/** RocketMQ namesrv/netty keys that are accepted and ignored (a warning says so). */
const IGNORED_ROCKETMQ_KEYS = new Set([
  'rocketmqHome', 'kvConfigPath', 'configStorePath', 'productEnvName', 'clusterTest', 'waitSecondsForService',
  'needWaitForService', 'deleteTopicWithBrokerRegistration', 'enableTopicList', 'enableAllTopicList', 'notifyMinBrokerIdChanged',
  'unRegisterBrokerQueueCapacity', 'supportActingMaster', 'defaultThreadPoolNums', 'clientRequestThreadPoolNums',
  'serverWorkerThreads', 'serverCallbackExecutorThreads', 'serverSelectorThreads', 'serverOnewaySemaphoreValue',
  'serverAsyncSemaphoreValue', 'serverSocketSndBufSize', 'serverSocketRcvBufSize', 'serverPooledByteBufAllocatorEnable',
  'useEpollNativeSelector', 'writeBufferHighWaterMark', 'writeBufferLowWaterMark', 'serverSocketBacklog', 'namesrvAddr',
])

/** Aliases: RocketMQ key name → our key. */
const KEY_ALIASES: Record<string, keyof NamesrvSettings> = { bindAddress: 'host' }

/** A namesrv.conf value could not be used; `key` names the offending key. Code `BAD_CONFIG`. */
export class NamesrvConfigError extends MQError {
  constructor(readonly key: string, message: string) {
    super('BAD_CONFIG', message, false)
  }
}

/** Defaults of every key. */
export function defaultNamesrvSettings(): NamesrvSettings {
  const out: Record<string, unknown> = {}
  for (const [key, spec] of Object.entries(namesrvConfigSchema)) out[key] = spec.default
  return out as NamesrvSettings
}

/**
 * Parses namesrv.conf text (Java properties) into frozen settings: parse → coerce → validate → freeze.
 * Precedence: defaults < `text` < `overrides`. Unknown keys and ignored RocketMQ keys produce warnings
 * (unknown ones with a "did you mean"), never errors.
 * @throws NamesrvConfigError naming the key when a value has the wrong type or is out of range.
 */
export function parseNamesrvConfig(text: string, overrides: Record<string, string> = {}): { config: Readonly<NamesrvSettings>; warnings: string[] } {
  const config: Record<string, unknown> = defaultNamesrvSettings()
  const warnings: string[] = []
  const apply = (rawKey: string, rawValue: string, where: string): void => {
    const key = KEY_ALIASES[rawKey] ?? rawKey
    if (!Object.hasOwn(namesrvConfigSchema, key)) {
      if (IGNORED_ROCKETMQ_KEYS.has(rawKey)) {
        warnings.push(`${where}: '${rawKey}' is a RocketMQ namesrv key CometMQ does not use; ignored`)
      } else {
        const suggestion = closestKey(rawKey)
        warnings.push(`${where}: unknown key '${rawKey}' ignored${suggestion === undefined ? '' : ` (did you mean '${suggestion}'?)`}`)
      }
      return
    }
    const spec: KeySpec = namesrvConfigSchema[key as keyof NamesrvSettings]
    config[key] = coerce(key, rawValue.trim(), spec)
  }
  for (const node of parseLines(text, true)) {
    if (node.type !== 'PAIR') continue
    const pair = node as Required<Pair>
    apply(pair.key, pair.value, `line ${lineNumberAt(text, pair.range[0])}`)
  }
  for (const [key, value] of Object.entries(overrides)) apply(key, value, 'override')
  return { config: Object.freeze(config as NamesrvSettings), warnings }
}

/** 1-based line number of character offset `index` in `text`. */
function lineNumberAt(text: string, index: number): number {
  let line = 1
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) line++
  return line
}

/** Renders settings as `key=value` lines in schema order (the `-p` output). */
export function formatNamesrvSettings(settings: NamesrvSettings): string {
  return Object.keys(namesrvConfigSchema)
    .map((key) => `${key}=${String(settings[key as keyof NamesrvSettings])}`)
    .join('\n')
}

function coerce(key: string, value: string, spec: KeySpec): number | boolean | string {
  if (spec.type === 'string') return value
  if (spec.type === 'boolean') {
    if (/^(true|false)$/i.test(value)) return value.toLowerCase() === 'true'
    throw new NamesrvConfigError(key, `namesrv config '${key}': expected true or false, got '${value}'`)
  }
  if (!/^-?\d+$/.test(value)) throw new NamesrvConfigError(key, `namesrv config '${key}': expected an integer${spec.unit ? ` (${spec.unit})` : ''}, got '${value}'`)
  const n = Number(value)
  if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
    throw new NamesrvConfigError(key, `namesrv config '${key}': ${n} is out of range [${spec.min ?? '-∞'}, ${spec.max ?? '∞'}]`)
  }
  return n
}

function closestKey(key: string): string | undefined {
  let best: string | undefined
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1
  for (const candidate of [...Object.keys(namesrvConfigSchema), ...Object.keys(KEY_ALIASES)]) {
    const d = levenshtein(key.toLowerCase(), candidate.toLowerCase())
    if (d < bestDistance) {
      bestDistance = d
      best = candidate
    }
  }
  return best
}

function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]!
}
