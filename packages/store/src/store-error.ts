import { MQError } from '@cometmq/protocol'

/**
 * Stable error codes thrown by every MessageStore. Codes are API; messages are not.
 *
 * | code                  | when |
 * |-----------------------|------|
 * | `STORE_NOT_OPEN`      | an operation on a store that was never opened, or is still opening |
 * | `STORE_CLOSED`        | an operation on a store that is closing or closed |
 * | `STORE_NOT_SUPPORTED` | an optional operation the adapter does not declare in `supports` |
 * | `STORE_CORRUPT`       | files on disk cannot be understood (bad names, sizes) — an operator must look |
 * | `STORE_LOCKED`        | another live process (or another store in this process) holds `<root>/lock` |
 * | `BAD_ARGUMENT`        | an argument or config value has the wrong type or range (a programmer mistake) |
 *
 * Expected outcomes (message too large, offset out of range, flush timeout) are statuses, never StoreErrors.
 */
export type StoreErrorCode =
  | 'STORE_NOT_OPEN'
  | 'STORE_CLOSED'
  | 'STORE_NOT_SUPPORTED'
  | 'STORE_CORRUPT'
  | 'STORE_LOCKED'
  | 'BAD_ARGUMENT'

/** The one error class of @cometmq/store. Never retriable. `MQError.isInstance(err)` is true for it. */
export class StoreError extends MQError {
  declare readonly code: StoreErrorCode
  constructor(code: StoreErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, false, options)
  }

  /** True for a StoreError, even one created by another copy of this package. */
  static isStoreError(value: unknown, code?: StoreErrorCode): value is StoreError {
    return MQError.isInstance(value) && value.name === 'StoreError' && (code === undefined || value.code === code)
  }
}
