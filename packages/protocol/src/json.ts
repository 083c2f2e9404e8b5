/**
 * JSON helpers for RocketMQ header and body JSON.
 *
 * Java RocketMQ serialises with fastjson 1.x, which by default writes non-string map keys unquoted
 * (`{"brokerAddrs":{0:"127.0.0.1:10911"}}`) and object map keys as JSON objects
 * (`{{"brokerName":"b","queueId":0,"topic":"T"}:{...}}`). See remoting-protocol.md §3.12 and
 * `remoting/.../protocol/RemotingSerializable.java`. We parse leniently and always emit strict JSON.
 */

/**
 * Parses JSON text the way fastjson accepts it (remoting-protocol.md §3.12).
 *
 * Accepted beyond RFC 8259:
 * - unquoted object keys that are numbers (`{0:"a", -1:"b"}`) or identifiers (`{brokerName:"b"}`) → string keys;
 * - object or array keys (`{{"queueId":0}:5}`) → the key becomes the strict JSON text of that value,
 *   e.g. `'{"queueId":0}'` (re-stringified, so spacing is normalised);
 * - single-quoted strings (`'abc'`);
 * - trailing commas in objects and arrays.
 *
 * Strict JSON goes through the native `JSON.parse` first (fast path); only text it rejects is tokenized by the
 * lenient parser, so string contents such as `"{0:\"a\"}"` are never rewritten.
 * Numbers become JS numbers (64-bit values above 2^53 lose precision, as documented in architecture.md).
 *
 * @throws SyntaxError when the text is not acceptable even leniently.
 */
export function parseJsonLenient(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return new LenientParser(text).parseDocument()
  }
}

/**
 * Strict RFC 8259 JSON (quoted keys, no spaces), as clients with strict parsers need (ali-ons `JSON.parse`,
 * Go json-iterator). `bigint` values are written as plain integer literals; `undefined` members are omitted
 * (`undefined` at top level gives `'null'`).
 */
export function stringifyJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null'
  } catch (error) {
    if (error instanceof TypeError && /BigInt/i.test(error.message)) return stringifySlow(value) ?? 'null'
    throw error
  }
}

function stringifySlow(value: unknown): string | undefined {
  if (typeof value === 'bigint') return value.toString()
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  const withJson = value as { toJSON?: () => unknown }
  if (typeof withJson.toJSON === 'function') return stringifySlow(withJson.toJSON())
  if (Array.isArray(value)) return `[${value.map((item) => stringifySlow(item) ?? 'null').join(',')}]`
  const parts: string[] = []
  for (const [key, item] of Object.entries(value)) {
    const text = stringifySlow(item)
    if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`)
  }
  return `{${parts.join(',')}}`
}

const IDENTIFIER_CHAR = /[A-Za-z0-9_$.+-]/

/** Recursive-descent tokenizer/parser for the fastjson dialect. */
class LenientParser {
  private pos = 0
  constructor(private readonly text: string) {}

  parseDocument(): unknown {
    const value = this.parseValue()
    this.skipWhitespace()
    if (this.pos < this.text.length) this.fail('unexpected trailing characters')
    return value
  }

  private fail(message: string): never {
    throw new SyntaxError(`lenient JSON: ${message} at position ${this.pos}`)
  }

  private skipWhitespace(): void {
    const text = this.text
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos)
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.pos++
      else break
    }
  }

  private parseValue(): unknown {
    this.skipWhitespace()
    const c = this.text[this.pos]
    if (c === '{') return this.parseObject()
    if (c === '[') return this.parseArray()
    if (c === '"' || c === "'") return this.parseString()
    if (c === undefined) this.fail('unexpected end of input')
    const word = this.readBareWord()
    if (word === 'true') return true
    if (word === 'false') return false
    if (word === 'null') return null
    if (/^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(word)) return Number(word)
    return this.fail(`unexpected token ${JSON.stringify(word)}`)
  }

  private readBareWord(): string {
    const start = this.pos
    while (this.pos < this.text.length && IDENTIFIER_CHAR.test(this.text[this.pos] as string)) this.pos++
    if (this.pos === start) this.fail(`unexpected character ${JSON.stringify(this.text[this.pos])}`)
    return this.text.slice(start, this.pos)
  }

  private parseString(): string {
    const quote = this.text[this.pos]
    this.pos++
    let out = ''
    let chunkStart = this.pos
    const text = this.text
    while (this.pos < text.length) {
      const c = text[this.pos]
      if (c === quote) {
        out += text.slice(chunkStart, this.pos)
        this.pos++
        return out
      }
      if (c === '\\') {
        out += text.slice(chunkStart, this.pos)
        out += this.parseEscape()
        chunkStart = this.pos
        continue
      }
      this.pos++
    }
    return this.fail('unterminated string')
  }

  private parseEscape(): string {
    const c = this.text[this.pos + 1]
    this.pos += 2
    switch (c) {
      case '"': return '"'
      case "'": return "'"
      case '\\': return '\\'
      case '/': return '/'
      case 'b': return '\b'
      case 'f': return '\f'
      case 'n': return '\n'
      case 'r': return '\r'
      case 't': return '\t'
      case 'u': {
        const hex = this.text.slice(this.pos, this.pos + 4)
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape')
        this.pos += 4
        return String.fromCharCode(Number.parseInt(hex, 16))
      }
      default:
        return this.fail(`bad escape \\${c ?? ''}`)
    }
  }

  private parseKey(): string {
    this.skipWhitespace()
    const c = this.text[this.pos]
    if (c === '"' || c === "'") return this.parseString()
    if (c === '{' || c === '[') return stringifyJson(this.parseValue())
    return this.readBareWord()
  }

  private parseObject(): Record<string, unknown> {
    this.pos++ // {
    const result: Record<string, unknown> = {}
    this.skipWhitespace()
    if (this.text[this.pos] === '}') {
      this.pos++
      return result
    }
    for (;;) {
      const key = this.parseKey()
      this.skipWhitespace()
      if (this.text[this.pos] !== ':') this.fail('expected ":"')
      this.pos++
      const value = this.parseValue()
      // defineProperty keeps a "__proto__" key as plain data instead of changing the prototype.
      Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true })
      this.skipWhitespace()
      const c = this.text[this.pos]
      this.pos++
      if (c === '}') return result
      if (c !== ',') this.fail('expected "," or "}"')
      this.skipWhitespace()
      if (this.text[this.pos] === '}') {
        this.pos++
        return result
      }
    }
  }

  private parseArray(): unknown[] {
    this.pos++ // [
    const result: unknown[] = []
    this.skipWhitespace()
    if (this.text[this.pos] === ']') {
      this.pos++
      return result
    }
    for (;;) {
      result.push(this.parseValue())
      this.skipWhitespace()
      const c = this.text[this.pos]
      this.pos++
      if (c === ']') return result
      if (c !== ',') this.fail('expected "," or "]"')
      this.skipWhitespace()
      if (this.text[this.pos] === ']') {
        this.pos++
        return result
      }
    }
  }
}
