/**
 * JSON header codec (serializeType 0), remoting-protocol.md §1.3.
 * Source: RocketMQ `remoting/.../protocol/RemotingCommand.java` (headerEncode/headerDecode with
 * `RemotingSerializable`, i.e. fastjson).
 *
 * Emitted form (keys in fastjson's alphabetical order, strict JSON, extFields values always strings):
 *   {"code":105,"extFields":{"topic":"TopicTest"},"flag":0,"language":"JAVA","opaque":0,
 *    "serializeTypeCurrentRPC":"JSON","version":401}
 * `remark` is written only when non-null; `extFields` is always written (`{}` when empty) because Java's
 * header decoder NPEs on a response without it and Go unmarshals it into map[string]string.
 */
import { RemotingProtocolError } from './errors.js'
import { parseJsonLenient, stringifyJson } from './json.js'
import { languageName } from './language-code.js'
import type { RemotingCommand } from './remoting-command.js'

/** Header fields of a command (everything but body and serializeType). */
export type CommandHeaderFields = Omit<RemotingCommand, 'body' | 'serializeType'>

/** Header JSON text for `cmd` (see module docs for the shape). */
export function encodeJsonHeader(cmd: RemotingCommand): string {
  let text = `{"code":${cmd.code},"extFields":${stringifyExtFields(cmd.extFields)},"flag":${cmd.flag},"language":${JSON.stringify(cmd.language)},"opaque":${cmd.opaque}`
  if (cmd.remark !== null && cmd.remark !== undefined) text += `,"remark":${JSON.stringify(cmd.remark)}`
  return `${text},"serializeTypeCurrentRPC":"JSON","version":${cmd.version}}`
}

function stringifyExtFields(extFields: Record<string, string> | null | undefined): string {
  if (!extFields) return '{}'
  // Fast path: after createRequest/decode every value is a string, so one native stringify does it.
  let allStrings = true
  for (const key in extFields) {
    if (typeof extFields[key] !== 'string') {
      allStrings = false
      break
    }
  }
  if (allStrings) return JSON.stringify(extFields)
  let out = '{'
  let first = true
  for (const key in extFields) {
    const value = extFields[key] as unknown
    if (value === null || value === undefined) continue
    out += `${first ? '' : ','}${JSON.stringify(key)}:${JSON.stringify(typeof value === 'string' ? value : String(value))}`
    first = false
  }
  return `${out}}`
}

/**
 * Decodes a JSON header from `buf[start, end)`.
 * Accepts (§1.3): any key order, unknown keys, missing/null `remark` and `extFields`, extFields values that are
 * numbers/booleans (coerced to `'12'`/`'true'`; objects become their JSON text; null entries dropped),
 * `language` as a name or an integer ordinal, numbers given as numeric strings.
 * @throws RemotingProtocolError when the text is not JSON (even leniently) or not an object.
 */
export function decodeJsonHeader(buf: Buffer, start: number, end: number): CommandHeaderFields {
  const text = buf.toString('utf8', start, end)
  let parsed: unknown
  try {
    parsed = parseJsonLenient(text)
  } catch (error) {
    throw new RemotingProtocolError(`invalid JSON header: ${(error as Error).message}`, { cause: error })
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new RemotingProtocolError('invalid JSON header: not an object')
  }
  const h = parsed as Record<string, unknown>
  return {
    code: toInt(h.code, 'code'),
    language: toLanguage(h.language),
    version: toInt(h.version, 'version'),
    opaque: toInt(h.opaque, 'opaque'),
    flag: toInt(h.flag, 'flag'),
    remark: h.remark === null || h.remark === undefined ? null : String(h.remark),
    extFields: toExtFields(h.extFields),
  }
}

function toInt(value: unknown, name: string): number {
  if (value === undefined || value === null) return 0
  if (typeof value === 'number' && Number.isInteger(value)) return value
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value)
  throw new RemotingProtocolError(`invalid JSON header: ${name} is not an integer: ${JSON.stringify(value)}`)
}

function toLanguage(value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number') return languageName(value)
  return 'JAVA'
}

/**
 * extFields of a parsed header. The parsed object is fresh and owned, so when it is a plain object whose values are
 * all strings (every RocketMQ client and broker sends that) it is returned as is instead of being copied.
 */
function toExtFields(value: unknown): Record<string, string> {
  if (value === null || value === undefined || typeof value !== 'object') return {}
  const source = value as Record<string, unknown>
  if (!Array.isArray(source) && Object.getPrototypeOf(source) === Object.prototype && allStringValues(source)) {
    return source as Record<string, string>
  }
  const out: Record<string, string> = {}
  for (const key in source) {
    const item = source[key]
    if (item === null || item === undefined) continue
    setField(out, key, typeof item === 'string' ? item : typeof item === 'object' ? stringifyJson(item) : String(item))
  }
  return out
}

function allStringValues(source: Record<string, unknown>): boolean {
  for (const key in source) if (typeof source[key] !== 'string') return false
  return true
}

/** `target[key] = value`, except that a `"__proto__"` key stays a plain own property. */
export function setField(target: Record<string, string>, key: string, value: string): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}
