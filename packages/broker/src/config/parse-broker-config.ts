/**
 * broker.conf loading: parse (Java .properties) → coerce (per schema type) → validate → derive → Object.freeze.
 *
 * Differences from RocketMQ's `MixAll.properties2Object` (on purpose, STYLE §7):
 * - unknown keys produce a warning with a "did you mean" suggestion instead of being silently skipped;
 * - unparsable values throw `BrokerConfigError` naming the key instead of being silently ignored;
 * - numeric and boolean values are trimmed first (Java fails to parse `"10 "` and treats `"true "` as false).
 */
import { join } from 'node:path'
import { homedir } from 'node:os'
import { parse as parseProperties } from 'dot-properties'
import { MQError } from '@cometmq/protocol'
import { parseDeleteWhen } from '@cometmq/store'
import { BROKER_CONFIG_KEY_ALIASES, brokerConfigSchema } from './broker-config-schema.js'
import type { BrokerConfig, BrokerConfigKey } from './broker-config-schema.js'
import type { ConfigKeySpec } from './config-schema.js'

/** A broker.conf value (or a `Partial<BrokerConfig>` field) is invalid. `key` names the offending key. Code `BAD_CONFIG`. */
export class BrokerConfigError extends MQError {
  constructor(readonly key: string, message: string) {
    super('BAD_CONFIG', `broker config ${key}: ${message}`, false)
  }
}

/** Result of parseBrokerConfig: the frozen config and human-readable warnings (unknown keys, clamped values). */
export interface ParsedBrokerConfig {
  config: Readonly<BrokerConfig>
  warnings: string[]
}

const KEYS = Object.keys(brokerConfigSchema) as BrokerConfigKey[]
const SCHEMA = brokerConfigSchema as unknown as Record<string, ConfigKeySpec<unknown>>

/**
 * Parses broker.conf text (Java properties: `k=v`, `k = v`, `k: v`, `k v`, `#`/`!` comments, `\` continuations).
 * `overrides` (e.g. CLI flags) win over the file. Aliases `mapedFileSizeCommitLog` / `mapedFileSizeConsumeQueue`
 * are accepted. Missing keys get their schema defaults.
 * @throws BrokerConfigError naming the key when a value cannot be coerced or is out of range.
 */
export function parseBrokerConfig(text: string, overrides: Record<string, string> = {}): ParsedBrokerConfig {
  const warnings: string[] = []
  const raw = { ...(parseProperties(text) as Record<string, unknown>), ...overrides }
  const typed: Partial<Record<BrokerConfigKey, unknown>> = {}
  for (const [rawKey, rawValue] of Object.entries(raw)) {
    if (typeof rawValue !== 'string') continue // dot-properties without path mode only yields strings
    const key = canonicalKey(rawKey)
    if (key === undefined) {
      const suggestion = didYouMean(rawKey)
      warnings.push(`unknown broker config key "${rawKey}" ignored${suggestion ? `; did you mean "${suggestion}"?` : ''}`)
      continue
    }
    typed[key] = coerceValue(key, rawValue)
  }
  const config = resolveBrokerConfig(typed as Partial<BrokerConfig>, warnings)
  return { config, warnings }
}

/**
 * Fills defaults into an already-typed partial config, validates it and derives dependent values:
 * MASTER roles force `brokerId` 0; `haListenPort` 0 → listenPort + 1; `brokerIP2` → brokerIP1;
 * `storePathCommitLog` → `<storePathRootDir>/commitlog`; a leading `~/` in paths → home directory;
 * `registerNameServerPeriod` clamped to [10000, 60000] ms. Idempotent on its own output.
 * @param warnings receives notes about adjusted values (optional).
 * @throws BrokerConfigError on a wrong type, an out-of-range number, an unknown enum value, a `deleteWhen` that is not
 *   hours 0–23 separated by ';', or a SLAVE with brokerId 0.
 */
export function resolveBrokerConfig(input: Partial<BrokerConfig>, warnings: string[] = []): Readonly<BrokerConfig> {
  const out: Record<string, unknown> = {}
  for (const key of KEYS) {
    const spec = SCHEMA[key]!
    const given = (input as Record<string, unknown>)[key]
    const value = given === undefined ? (typeof spec.default === 'function' ? (spec.default as () => unknown)() : spec.default) : given
    if (value !== undefined) validateValue(key, spec, value)
    out[key] = value
  }
  const config = out as unknown as BrokerConfig
  if (config.brokerRole !== 'SLAVE' && config.brokerId !== 0) {
    warnings.push(`brokerId ${config.brokerId} forced to 0 because brokerRole is ${config.brokerRole}`)
    config.brokerId = 0
  }
  if (config.brokerRole === 'SLAVE' && config.brokerId <= 0) {
    throw new BrokerConfigError('brokerId', 'a SLAVE broker needs brokerId > 0')
  }
  if (config.haListenPort === 0 && config.listenPort !== 0) config.haListenPort = config.listenPort + 1
  if (config.namesrvAddr !== undefined && config.namesrvAddr.trim() === '') config.namesrvAddr = undefined
  config.brokerIP2 ??= config.brokerIP1
  try {
    parseDeleteWhen(config.deleteWhen)
  } catch (error) {
    throw new BrokerConfigError('deleteWhen', (error as Error).message.replace(/^config\.deleteWhen /, ''))
  }
  config.storePathRootDir = expandHome(config.storePathRootDir)
  config.storePathCommitLog = config.storePathCommitLog === undefined ? join(config.storePathRootDir, 'commitlog') : expandHome(config.storePathCommitLog)
  const period = Math.max(10_000, Math.min(config.registerNameServerPeriod, 60_000))
  if (period !== config.registerNameServerPeriod) {
    warnings.push(`registerNameServerPeriod ${config.registerNameServerPeriod} clamped to ${period} ms (allowed 10000–60000)`)
    config.registerNameServerPeriod = period
  }
  return Object.freeze(config)
}

/** Schema key for a file key (aliases resolved), or undefined when unknown. */
function canonicalKey(key: string): BrokerConfigKey | undefined {
  if (Object.hasOwn(SCHEMA, key)) return key as BrokerConfigKey
  return Object.hasOwn(BROKER_CONFIG_KEY_ALIASES, key) ? BROKER_CONFIG_KEY_ALIASES[key] : undefined
}

const INTEGER = /^[+-]?\d+$/

/** Converts one properties value (string) to the key's type. @throws BrokerConfigError */
export function coerceValue(key: BrokerConfigKey, rawValue: string): unknown {
  const spec = SCHEMA[key]!
  const value = rawValue.trim()
  switch (spec.type) {
    case 'string':
    case 'enum':
      return value
    case 'boolean': {
      const lower = value.toLowerCase()
      if (lower === 'true') return true
      if (lower === 'false') return false
      throw new BrokerConfigError(key, `expected true or false, got ${JSON.stringify(rawValue)}`)
    }
    case 'int':
    case 'long': {
      if (!INTEGER.test(value)) throw new BrokerConfigError(key, `expected an integer, got ${JSON.stringify(rawValue)}`)
      return Number(value)
    }
  }
}

function validateValue(key: string, spec: ConfigKeySpec<unknown>, value: unknown): void {
  switch (spec.type) {
    case 'string':
      if (typeof value !== 'string') throw new BrokerConfigError(key, `expected a string, got ${typeof value}`)
      return
    case 'enum':
      if (typeof value !== 'string' || !spec.values!.includes(value)) {
        throw new BrokerConfigError(key, `expected one of ${spec.values!.join(' | ')}, got ${JSON.stringify(value)}`)
      }
      return
    case 'boolean':
      if (typeof value !== 'boolean') throw new BrokerConfigError(key, `expected a boolean, got ${JSON.stringify(value)}`)
      return
    case 'int':
    case 'long': {
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new BrokerConfigError(key, `expected an integer, got ${JSON.stringify(value)}`)
      const min = spec.min ?? (spec.type === 'int' ? -2147483648 : Number.MIN_SAFE_INTEGER)
      const max = spec.max ?? (spec.type === 'int' ? 2147483647 : Number.MAX_SAFE_INTEGER)
      if (value < min || value > max) throw new BrokerConfigError(key, `${value} is out of range [${min}, ${max}]${spec.unit ? ` ${spec.unit}` : ''}`)
    }
  }
}

function expandHome(path: string): string {
  if (path === '~') return homedir()
  if (path.startsWith('~/')) return join(homedir(), path.slice(2))
  return path
}

/** Closest known key (case-insensitive edit distance ≤ max(2, length/4)), for "did you mean" warnings. */
export function didYouMean(key: string): string | undefined {
  const lower = key.toLowerCase()
  let best: string | undefined
  let bestDistance = Math.max(2, Math.floor(key.length / 4)) + 1
  for (const candidate of [...KEYS, ...Object.keys(BROKER_CONFIG_KEY_ALIASES)]) {
    const distance = editDistance(lower, candidate.toLowerCase())
    if (distance < bestDistance) {
      bestDistance = distance
      best = candidate
    }
  }
  return best === undefined ? undefined : (BROKER_CONFIG_KEY_ALIASES[best] ?? best)
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost)
    }
    previous = current
  }
  return previous[b.length]!
}
