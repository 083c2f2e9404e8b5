import { MQError } from '../errors.js'

/**
 * Bytes that are not a valid stored record, batch body, properties string or message id:
 * bad magic code, a length that runs past the buffer, a TOTALSIZE that disagrees with the fields, bad hex.
 * Code `MESSAGE_DECODE`, never retriable (the same bytes fail the same way again).
 * `offset` is the byte position in the input where the bad item starts, when there is one.
 */
export class MessageDecodeError extends MQError {
  constructor(
    detail: string,
    readonly offset = -1,
    options?: ErrorOptions,
  ) {
    super('MESSAGE_DECODE', offset >= 0 ? `${detail} (at byte ${offset})` : detail, false, options)
  }
}
