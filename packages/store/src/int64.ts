/** 2^32, to split a safe-integer JS number into two 32-bit halves. */
export const TWO_32 = 4294967296

/** Writes a safe-integer JS number as a big-endian int64 (Java `long`) without BigInt. */
export function writeLong(bytes: Buffer, position: number, value: number): void {
  const high = Math.floor(value / TWO_32)
  bytes.writeInt32BE(high, position)
  bytes.writeUInt32BE(value - high * TWO_32, position + 4)
}

/** Reads a big-endian int64 as a JS number (exact below 2^53) without BigInt. */
export function readLong(bytes: Buffer, position: number): number {
  return bytes.readInt32BE(position) * TWO_32 + bytes.readUInt32BE(position + 4)
}
