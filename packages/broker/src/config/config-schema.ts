/**
 * Building blocks of the broker.conf schema: one `ConfigKeySpec` per key, with its type, default, unit, doc and the
 * RocketMQ class the key comes from. Keys keep RocketMQ's names (taken from the Java setter, §9.1), so a sample
 * RocketMQ broker.conf works unchanged.
 */

/** Java class a key belongs to in RocketMQ 4.9 / 5.x, or `CometMQ` for keys we added. */
export type ConfigSource = 'BrokerConfig' | 'MessageStoreConfig' | 'NettyServerConfig' | 'NettyClientConfig' | 'CometMQ'

/** Value types a key can have. `int` is a Java int (32-bit), `long` a Java long kept as a safe JS integer. */
export type ConfigValueType = 'string' | 'int' | 'long' | 'boolean' | 'enum'

/** Schema entry of one broker.conf key. */
export interface ConfigKeySpec<T> {
  readonly type: ConfigValueType
  /** Static default, or a function computed when the config is resolved (e.g. `os.hostname()`). */
  readonly default: T | (() => T)
  /** Human description of a computed default, for docs (`default` is a function then). */
  readonly defaultDoc?: string
  /** Unit of numeric values: `ms`, `s`, `hours`, `bytes`, `percent`, `count`. */
  readonly unit?: string
  readonly doc: string
  readonly source: ConfigSource
  /** Allowed values of an `enum` key. */
  readonly values?: readonly string[]
  /** Inclusive bounds of numeric keys; values outside throw BrokerConfigError. */
  readonly min?: number
  readonly max?: number
  /** True when the key is read for compatibility but has no effect in CometMQ. */
  readonly ignored?: boolean
}

interface SpecOptions<T> {
  default: T | (() => T)
  defaultDoc?: string
  unit?: string
  doc: string
  source: ConfigSource
  min?: number
  max?: number
  ignored?: boolean
}

/** A Java int key (−2^31 … 2^31−1 unless `min`/`max` narrow it). */
export function int(options: SpecOptions<number>): ConfigKeySpec<number> {
  return { type: 'int', ...options }
}

/** A Java long key (safe JS integer). */
export function long(options: SpecOptions<number>): ConfigKeySpec<number> {
  return { type: 'long', ...options }
}

/** A boolean key: `true`/`false`, case-insensitive. */
export function bool(options: SpecOptions<boolean>): ConfigKeySpec<boolean> {
  return { type: 'boolean', ...options }
}

/** A string key; the value is trimmed (Java String setters trim). */
export function str(options: SpecOptions<string>): ConfigKeySpec<string> {
  return { type: 'string', ...options }
}

/** A string key without a default (`undefined` when not configured). */
export function optionalStr(options: Omit<SpecOptions<string | undefined>, 'default'> & { defaultDoc?: string }): ConfigKeySpec<string | undefined> {
  return { type: 'string', default: undefined, ...options }
}

/** A string key restricted to `values` (spelled as in RocketMQ). */
export function oneOf<const V extends readonly string[]>(values: V, options: SpecOptions<V[number]>): ConfigKeySpec<V[number]> {
  return { type: 'enum', values, ...options }
}

/** The typed config object described by a schema. */
export type ConfigValues<S extends Record<string, ConfigKeySpec<unknown>>> = {
  -readonly [K in keyof S]: S[K] extends ConfigKeySpec<infer T> ? T : never
}
