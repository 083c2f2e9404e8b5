/**
 * Parses `java.util.Properties` text (what RocketMQ reads namesrv.conf / broker.conf with, remoting-protocol.md §9.1):
 * `key=value`, `key: value` or `key value`; `#` / `!` comment lines; a trailing odd backslash continues the line;
 * escapes `\t \n \r \f \uXXXX` and `\<c>` → `<c>`. Leading whitespace of a value is stripped, trailing kept.
 * A later duplicate key wins, as in Java.
 * @returns entries in file order, with 1-based line numbers for messages.
 */
export function parseProperties(text: string): Array<{ key: string; value: string; line: number }> {
  const rawLines = text.split(/\r\n|\r|\n/)
  const entries = new Map<string, { key: string; value: string; line: number }>()
  for (let i = 0; i < rawLines.length; i++) {
    const lineNumber = i + 1
    let logical = rawLines[i]!.replace(/^[ \t\f]+/, '')
    if (logical === '' || logical.startsWith('#') || logical.startsWith('!')) continue
    while (endsWithContinuation(logical) && i + 1 < rawLines.length) {
      logical = logical.slice(0, -1) + rawLines[++i]!.replace(/^[ \t\f]+/, '')
    }
    if (endsWithContinuation(logical)) logical = logical.slice(0, -1)
    const { key, rest } = splitKey(logical)
    const value = unescape(rest.replace(/^[ \t\f]*[=:]?[ \t\f]*/, ''))
    const decodedKey = unescape(key)
    entries.delete(decodedKey)
    entries.set(decodedKey, { key: decodedKey, value, line: lineNumber })
  }
  return [...entries.values()]
}

function endsWithContinuation(line: string): boolean {
  let backslashes = 0
  for (let i = line.length - 1; i >= 0 && line[i] === '\\'; i--) backslashes++
  return backslashes % 2 === 1
}

function splitKey(line: string): { key: string; rest: string } {
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (c === '\\') {
      i++
      continue
    }
    if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') return { key: line.slice(0, i), rest: line.slice(i) }
  }
  return { key: line, rest: '' }
}

const ESCAPES: Record<string, string> = { t: '\t', n: '\n', r: '\r', f: '\f' }

function unescape(text: string): string {
  if (!text.includes('\\')) return text
  return text.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, escaped: string) =>
    escaped.length === 5 ? String.fromCharCode(parseInt(escaped.slice(1), 16)) : (ESCAPES[escaped] ?? escaped),
  )
}
