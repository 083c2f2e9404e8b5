import { BLANK_MAGIC_CODE, RecordLayout } from '@cometmq/protocol'

/**
 * STORETIMESTAMP of a stored record read from its fixed header (the buffer needs the first 76 bytes at most, with
 * IPv6 hosts); -1 when the bytes are too short. Layout: protocol doc §4.1.
 */
export function readStoreTimestamp(header: Buffer): number {
  if (header.length < RecordLayout.BORN_HOST_POSITION) return -1
  const position = RecordLayout.storeTimestampPosition(header.readInt32BE(RecordLayout.SYS_FLAG_POSITION))
  return header.length >= position + 8 ? Number(header.readBigInt64BE(position)) : -1
}

/**
 * The 8-byte BLANK filler ending a commit-log segment: `| remaining int32 | BLANK_MAGIC_CODE int32 |`, telling
 * readers the rest of the segment (`remaining` bytes) is unused. Source: RocketMQ CommitLog (END_FILE_MIN_BLANK_LENGTH).
 */
export function encodeBlank(remaining: number): Buffer {
  const blank = Buffer.allocUnsafe(RecordLayout.END_FILE_MIN_BLANK_LENGTH)
  blank.writeInt32BE(remaining, 0)
  blank.writeInt32BE(BLANK_MAGIC_CODE | 0, 4)
  return blank
}
