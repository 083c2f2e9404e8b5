import { encodeMessageRecord } from '@cometmq/protocol'
import type { PutMessageInput } from '../types.js'

/** The exact record bytes a store must hold for `input` at these offsets (what every adapter writes). */
export function expectedRecord(input: PutMessageInput, queueOffset: number, commitLogOffset: number, storeTimestamp: number): Buffer {
  const { tagsCode: _t, waitStoreMsgOK: _w, ...record } = input
  return encodeMessageRecord({ ...record, queueOffset, commitLogOffset, storeTimestamp })
}
