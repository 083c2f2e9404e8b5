/**
 * Error classes shared by every CometMQ package.
 *
 * - `code` strings are stable API; messages are not.
 * - `retriable` tells retry loops (producer send, route refresh) whether trying again can help.
 * - Programmer mistakes throw plain `TypeError` / `RangeError` with no code, and are never retried.
 * - `MQError.isInstance()` works across two copies of @cometmq/protocol in node_modules (Symbol.for mark).
 */
const MARK = Symbol.for('cometmq.error')

/** Stable error codes. Each package README lists the ones it throws. */
export type MQErrorCode =
  | 'REMOTING_CONNECT'
  | 'REMOTING_TIMEOUT'
  | 'REMOTING_SEND'
  | 'REMOTING_PROTOCOL'
  | 'BAD_HEADER'
  | 'BROKER_ERROR'
  | (string & {})

export class MQError extends Error {
  readonly [MARK] = true
  constructor(
    readonly code: MQErrorCode,
    message: string,
    readonly retriable = false,
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.name = new.target.name
  }

  /** True for any MQError, even one created by another copy of this package. */
  static isInstance(value: unknown): value is MQError {
    return typeof value === 'object' && value !== null && MARK in value
  }
}

/** A TCP connection to `addr` could not be established (refused, unreachable, connect timeout). Retriable. */
export class RemotingConnectError extends MQError {
  constructor(readonly addr: string, options?: ErrorOptions) {
    super('REMOTING_CONNECT', `connect to ${addr} failed`, true, options)
  }
}

/** No response arrived for a request within its timeout (ms). Retriable. */
export class RemotingTimeoutError extends MQError {
  constructor(readonly addr: string, readonly timeoutMs: number, detail = '') {
    super('REMOTING_TIMEOUT', `wait response on the channel <${addr}> timeout, ${timeoutMs}(ms)${detail ? `: ${detail}` : ''}`, true)
  }
}

/** A request could not be written, or its connection closed before the response arrived. Retriable. */
export class RemotingSendRequestError extends MQError {
  constructor(readonly addr: string, detail: string, options?: ErrorOptions) {
    super('REMOTING_SEND', `send request to <${addr}> failed: ${detail}`, true, options)
  }
}

/** Malformed bytes on the wire: bad frame length, bad header, unknown serialize type. Not retriable. */
export class RemotingProtocolError extends MQError {
  constructor(message: string, options?: ErrorOptions) {
    super('REMOTING_PROTOCOL', message, false, options)
  }
}

/**
 * A request header (extFields) is missing a required field or has an unparsable value.
 * Servers answer it with SYSTEM_ERROR (RocketMQ ResponseCode 1) and this message as remark,
 * as Java's `RemotingCommand.decodeCommandCustomHeader` does ("the custom field <x> is null").
 */
export class HeaderError extends MQError {
  constructor(message: string, readonly field?: string) {
    super('BAD_HEADER', message, false)
  }
}

/**
 * Broker or namesrv answered with a non-success response code.
 * `responseCode` is a RocketMQ ResponseCode number; `remark` is the server's text.
 */
export class MQBrokerError extends MQError {
  constructor(
    readonly responseCode: number,
    readonly remark: string,
    readonly brokerAddr: string,
    codeName: string = String(responseCode),
  ) {
    super('BROKER_ERROR', `CODE: ${responseCode} (${codeName}) DESC: ${remark} BROKER: ${brokerAddr}`, isRetriableResponseCode(responseCode))
  }
}

/** A client-side failure with its own stable code, e.g. 'NO_ROUTE', 'NOT_STARTED', 'MESSAGE_ILLEGAL'. */
export class MQClientError extends MQError {
  constructor(code: MQErrorCode, message: string, retriable = false, options?: ErrorOptions) {
    super(code, message, retriable, options)
  }
}

/**
 * Response codes after which a producer may retry on another broker/queue.
 * Source: RocketMQ DefaultMQProducer.retryResponseCodes — TOPIC_NOT_EXIST 17, SERVICE_NOT_AVAILABLE 14,
 * SYSTEM_ERROR 1, SYSTEM_BUSY 2 (5.x), NO_PERMISSION 16, NO_BUYER_ID 204, NOT_IN_CURRENT_UNIT 205, GO_AWAY 1500 (5.x).
 */
const RETRIABLE_RESPONSE_CODES: ReadonlySet<number> = new Set([17, 14, 1, 2, 16, 204, 205, 1500])

/** Whether a producer should retry a send that got this RocketMQ ResponseCode. */
export function isRetriableResponseCode(code: number): boolean {
  return RETRIABLE_RESPONSE_CODES.has(code)
}
