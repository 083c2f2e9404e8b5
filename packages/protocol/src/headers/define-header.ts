/**
 * A small schema DSL for RocketMQ "custom headers" (the extFields map).
 *
 * Mirrors Java's `RemotingCommand.decodeCommandCustomHeader` / `makeCustomHeaderToNet`
 * (remoting-protocol.md §1.2, §3.11): every field travels as a string; a missing field marked not-null
 * (`@CFNotNull`) is rejected with "the custom field <x> is null"; Integer/Long parse as decimal; Boolean is
 * `true` iff the text equals "true" ignoring case; unknown keys are ignored; null fields are omitted on encode.
 *
 *   const H = defineHeader({ topic: field.string(), queueId: field.int(), unitMode: field.boolean({ optional: true }) })
 *   const h = H.decode(cmd.extFields)      // { topic: string; queueId: number; unitMode?: boolean }
 *   const ext = H.encode(h)                // Record<string, string>
 *   type T = HeaderOf<typeof H>
 */
import { HeaderError } from '../errors.js'

/** Wire type of a field: Java String, Integer (int32), Long (int64, a JS number exact below 2^53), Boolean. */
export type FieldKind = 'string' | 'int' | 'long' | 'boolean'

export interface FieldSpec<T, Optional extends boolean> {
  readonly kind: FieldKind
  readonly optional: Optional
  /** Phantom member carrying the decoded TypeScript type; never set at runtime. */
  readonly __type: T
}

type AnyField = FieldSpec<unknown, boolean>
type FieldValue<F> = F extends FieldSpec<infer T, boolean> ? T : never
type RequiredKeys<S> = { [K in keyof S]: S[K] extends FieldSpec<unknown, false> ? K : never }[keyof S]
type OptionalKeys<S> = Exclude<keyof S, RequiredKeys<S>>
type Simplify<T> = { [K in keyof T]: T[K] } & {}

/** Decoded header type of a field map: required fields plain, optional ones `?:`. */
export type HeaderShape<S extends Record<string, AnyField>> = Simplify<
  { [K in RequiredKeys<S>]: FieldValue<S[K]> } & { [K in OptionalKeys<S>]?: FieldValue<S[K]> }
>

export interface HeaderSchema<S extends Record<string, AnyField>> {
  readonly fields: S
  /**
   * Typed header from extFields. Optional missing fields are absent (undefined).
   * @throws HeaderError('the custom field <x> is null') for a missing required field; HeaderError naming the
   *   field for an unparsable int/long.
   */
  decode(extFields: Readonly<Record<string, string>> | null | undefined): HeaderShape<S>
  /** extFields for a header: numbers/booleans rendered as decimal/'true'/'false', undefined/null omitted. */
  encode(header: HeaderShape<S>): Record<string, string>
}

/** Decoded type of a header schema: `type T = HeaderOf<typeof PullMessageRequestHeader>`. */
export type HeaderOf<H> = H extends HeaderSchema<infer S> ? HeaderShape<S> : never

/**
 * Builds a field of one kind. `{ optional: true }` when Java's field is nullable (not `@CFNotNull`); default
 * required. (Overloads rather than a generic, so the optional flag stays a literal type inside defineHeader.)
 */
export interface FieldFactory<T> {
  (): FieldSpec<T, false>
  (options: { optional: true }): FieldSpec<T, true>
  (options: { optional?: false }): FieldSpec<T, false>
}

function factory<T>(kind: FieldKind): FieldFactory<T> {
  return ((options?: { optional?: boolean }) => ({ kind, optional: options?.optional ?? false })) as FieldFactory<T>
}

/** Field constructors for `defineHeader`: Java String, Integer (int32), Long (int64), Boolean. */
export const field = {
  string: factory<string>('string'),
  int: factory<number>('int'),
  long: factory<number>('long'),
  boolean: factory<boolean>('boolean'),
}

const INT32_MIN = -2147483648
const INT32_MAX = 2147483647
const INT64_LIMIT = 9223372036854775808 // 2^63 as a double

const INTEGER_TEXT = /^[+-]?\d{1,19}$/

/** `Number(text)` when `text` matches INTEGER_TEXT (optional sign, 1–19 ASCII digits), else NaN; a char loop, no regex. */
function parseInteger(text: string): number {
  if (typeof text !== 'string') return INTEGER_TEXT.test(text) ? Number(text) : Number.NaN
  const length = text.length
  let i = 0
  const first = text.charCodeAt(0)
  if (first === 0x2b || first === 0x2d) i = 1
  const digits = length - i
  if (digits < 1 || digits > 19) return Number.NaN
  for (; i < length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x30 || c > 0x39) return Number.NaN
  }
  return Number(text)
}

function parseField(name: string, kind: FieldKind, text: string): string | number | boolean {
  switch (kind) {
    case 'string':
      return text
    case 'boolean':
      return text.length === 4 && text.toLowerCase() === 'true'
    case 'int': {
      const value = parseInteger(text)
      if (!(value >= INT32_MIN && value <= INT32_MAX)) {
        throw new HeaderError(`the custom field ${name} is not a valid int: ${JSON.stringify(text)}`, name)
      }
      return value
    }
    case 'long': {
      const value = parseInteger(text)
      if (!(value >= -INT64_LIMIT && value < INT64_LIMIT)) {
        throw new HeaderError(`the custom field ${name} is not a valid long: ${JSON.stringify(text)}`, name)
      }
      return value
    }
  }
}

/** Builds a header schema from a field map; key names are the Java field names (= extFields keys). */
export function defineHeader<const S extends Record<string, AnyField>>(fields: S): HeaderSchema<S> {
  const entries = Object.entries(fields) as Array<[string, AnyField]>
  // Parallel arrays: decode runs for every request on the hot path, an indexed loop avoids iterator objects.
  const names = entries.map(([name]) => name)
  const kinds = entries.map(([, f]) => f.kind)
  const optional = entries.map(([, f]) => f.optional)
  const count = names.length
  return {
    fields,
    decode(extFields) {
      const out: Record<string, unknown> = {}
      for (let i = 0; i < count; i++) {
        const name = names[i] as string
        const text = extFields?.[name]
        if (text === undefined || text === null) {
          if (!optional[i]) throw new HeaderError(`the custom field ${name} is null`, name)
          continue
        }
        out[name] = parseField(name, kinds[i] as FieldKind, text)
      }
      return out as HeaderShape<S>
    },
    encode(header) {
      const out: Record<string, string> = {}
      const source = header as Record<string, unknown>
      for (const name of names) {
        const value = source[name]
        if (value === undefined || value === null) continue
        out[name] = typeof value === 'string' ? value : String(value)
      }
      return out
    },
  }
}
