import * as zlib from 'node:zlib'

let table: Int32Array | undefined

function tableCrc32(data: Uint8Array): number {
  if (table === undefined) {
    table = new Int32Array(256)
    for (let n = 0; n < 256; n++) {
      let c = n
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
      table[n] = c
    }
  }
  const t = table
  let crc = -1
  for (let i = 0; i < data.length; i++) crc = t[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8)
  return (crc ^ -1) >>> 0
}

const nativeCrc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32

/**
 * CRC-32 (IEEE 802.3, the zlib / java.util.zip.CRC32 polynomial) of `data`, as an unsigned 32-bit number.
 * Uses `zlib.crc32` (Node ≥ 20.15) and falls back to a table implementation on older runtimes.
 * The stored record's BODYCRC is `crc32(body) & 0x7fffffff` (RocketMQ UtilAll.crc32).
 */
export function crc32(data: Uint8Array): number {
  return nativeCrc32 !== undefined ? nativeCrc32(data) >>> 0 : tableCrc32(data)
}

/** Table implementation, exported for tests that compare it with `zlib.crc32`. */
export const crc32Fallback = tableCrc32
