/**
 * IP text ⇄ bytes helpers for stored records and message ids (internal to message/).
 * IPv4 → 4 bytes, IPv6 → 16 bytes. IPv4-mapped IPv6 (`::ffff:a.b.c.d`, what Node reports on dual-stack sockets)
 * becomes the 4-byte IPv4 form, as Java's InetAddress does.
 */

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/

function parseIPv4(text: string): number[] | undefined {
  const m = IPV4.exec(text)
  if (m === null) return undefined
  const bytes = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])]
  return bytes.every((b) => b <= 255) ? bytes : undefined
}

function parseIPv6(input: string): number[] | undefined {
  let text = input
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1)
  const zone = text.indexOf('%')
  if (zone >= 0) text = text.slice(0, zone)
  const lastColon = text.lastIndexOf(':')
  if (lastColon >= 0 && text.includes('.', lastColon)) {
    const v4 = parseIPv4(text.slice(lastColon + 1))
    if (v4 === undefined) return undefined
    const hi = ((v4[0]! << 8) | v4[1]!).toString(16)
    const lo = ((v4[2]! << 8) | v4[3]!).toString(16)
    text = `${text.slice(0, lastColon + 1)}${hi}:${lo}`
  }
  const parseGroups = (part: string): number[] | undefined => {
    if (part === '') return []
    const groups: number[] = []
    for (const g of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined
      groups.push(parseInt(g, 16))
    }
    return groups
  }
  const want = 8
  let groups: number[]
  const dbl = text.indexOf('::')
  if (dbl >= 0) {
    if (text.indexOf('::', dbl + 1) >= 0) return undefined
    const head = parseGroups(text.slice(0, dbl))
    const rest = parseGroups(text.slice(dbl + 2))
    if (head === undefined || rest === undefined || head.length + rest.length > want - 1) return undefined
    groups = [...head, ...new Array<number>(want - head.length - rest.length).fill(0), ...rest]
  } else {
    const all = parseGroups(text)
    if (all === undefined || all.length !== want) return undefined
    groups = all
  }
  const bytes: number[] = []
  for (const g of groups) bytes.push(g >> 8, g & 0xff)
  return bytes
}

/**
 * Parses an IP literal into 4 (IPv4) or 16 (IPv6) bytes. IPv4-mapped IPv6 collapses to 4 bytes.
 * @throws TypeError when `host` is not an IP literal (host names are not resolved).
 */
export function hostToBytes(host: string): number[] {
  const v4 = parseIPv4(host)
  if (v4 !== undefined) return v4
  const v6 = parseIPv6(host)
  if (v6 === undefined) throw new TypeError(`not an IP address: ${JSON.stringify(host)}`)
  const mapped = v6.slice(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff
  return mapped ? v6.slice(12) : v6
}

/** Formats 4 or 16 bytes at `buf[offset…]`: dotted IPv4, or RFC 5952 compressed lower-case IPv6. */
export function bytesToHost(buf: Uint8Array, offset: number, length: 4 | 16): string {
  if (length === 4) return `${buf[offset]}.${buf[offset + 1]}.${buf[offset + 2]}.${buf[offset + 3]}`
  const groups: number[] = []
  for (let i = 0; i < 8; i++) groups.push((buf[offset + 2 * i]! << 8) | buf[offset + 2 * i + 1]!)
  let bestStart = -1
  let bestLen = 1
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLen) { bestStart = i; bestLen = j - i }
    i = j
  }
  const hex = groups.map((g) => g.toString(16))
  if (bestStart < 0) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`
}
