/**
 * Helpers of the send path (SendMessageProcessor, SendMessageBackProcessor): stored-properties rewrite, host
 * parsing, PutMessageStatus → response code mapping. Written for the hot path: one scan of the properties string,
 * no intermediate objects.
 */
import { MessageConst, ResponseCode, parseAddress } from '@cometmq/protocol'
import type { RemotingChannel, SocketAddress } from '@cometmq/protocol'
import type { PutMessageStatus } from '@cometmq/store'

const NAME_VALUE = '\u0001'
const SEPARATOR = '\u0002'
const WAIT_PREFIX = `${MessageConst.WAIT}${NAME_VALUE}`
const CLUSTER_PREFIX = `${MessageConst.CLUSTER}${NAME_VALUE}`
const TAGS_PREFIX = `${MessageConst.TAGS}${NAME_VALUE}`
const DELAY_PREFIX = `${MessageConst.DELAY}${NAME_VALUE}`
const TRAN_PREFIX = `${MessageConst.TRAN_MSG}${NAME_VALUE}`

/** Result of prepareStoredProperties. */
export interface PreparedProperties {
  /** Properties to store: `WAIT` removed, `CLUSTER=<cluster>` set (4.x form, no trailing \x02). */
  stored: string
  /** `TAGS` value, if any (→ ConsumeQueue tagsCode). */
  tags: string | undefined
  /** `WAIT` as Java's Message.isWaitStoreMsgOK: absent ⇒ true, else "true" (any case). */
  waitStoreMsgOK: boolean
  /** `DELAY` level, 0 when absent or not a number. */
  delayLevel: number
  /** `TRAN_MSG=true` (half message). */
  transaction: boolean
}

/**
 * One pass over an encoded properties string (`n\x01v\x02…`): drops `WAIT` and any old `CLUSTER`, optionally drops
 * `DELAY`, appends `CLUSTER=<clusterName>` (the broker adds it, §3.2 [cap]) and extracts TAGS/WAIT/DELAY/TRAN_MSG.
 * Pieces Java's parser would ignore (shorter than 3 chars, empty name or value) are dropped.
 */
export function prepareStoredProperties(properties: string | undefined, clusterName: string, dropDelay = false): PreparedProperties {
  let stored = ''
  let tags: string | undefined
  let waitStoreMsgOK = true
  let delayLevel = 0
  let transaction = false
  const text = properties ?? ''
  const length = text.length
  let index = 0
  while (index < length) {
    let end = text.indexOf(SEPARATOR, index)
    if (end < 0) end = length
    const sep = end - index >= 3 ? text.indexOf(NAME_VALUE, index) : -1
    if (sep > index && sep < end - 1) {
      let keep = true
      if (text.startsWith(WAIT_PREFIX, index)) {
        waitStoreMsgOK = text.slice(sep + 1, end).toLowerCase() === 'true'
        keep = false
      } else if (text.startsWith(CLUSTER_PREFIX, index)) {
        keep = false
      } else if (text.startsWith(TAGS_PREFIX, index)) {
        tags = text.slice(sep + 1, end)
      } else if (text.startsWith(DELAY_PREFIX, index)) {
        const level = Number.parseInt(text.slice(sep + 1, end), 10)
        delayLevel = Number.isFinite(level) ? level : 0
        keep = !dropDelay
      } else if (text.startsWith(TRAN_PREFIX, index)) {
        transaction = text.slice(sep + 1, end).toLowerCase() === 'true'
      }
      if (keep) stored += stored === '' ? text.slice(index, end) : SEPARATOR + text.slice(index, end)
    }
    index = end + 1
  }
  stored += (stored === '' ? '' : SEPARATOR) + CLUSTER_PREFIX + clusterName
  return { stored, tags, waitStoreMsgOK, delayLevel, transaction }
}

const hostCache = new WeakMap<RemotingChannel, SocketAddress>()

/** The client's socket address (BORNHOST), parsed once per channel. */
export function bornHostOf(channel: RemotingChannel): SocketAddress {
  let host = hostCache.get(channel)
  if (host === undefined) {
    try {
      host = parseAddress(channel.remoteAddress)
    } catch {
      host = { host: '127.0.0.1', port: 0 }
    }
    hostCache.set(channel, host)
  }
  return host
}

/** True for put statuses where the message was stored (SUCCESS or a non-OK send status, never an exception). */
export function isStored(status: PutMessageStatus): boolean {
  return status === 'PUT_OK' || status === 'FLUSH_DISK_TIMEOUT' || status === 'FLUSH_SLAVE_TIMEOUT' || status === 'SLAVE_NOT_AVAILABLE'
}

/**
 * Response code and remark for a PutMessageStatus. Source: RocketMQ 4.9 SendMessageProcessor.handlePutMessageResult.
 *
 * | status | code |
 * |---|---|
 * | PUT_OK | 0 SUCCESS |
 * | FLUSH_DISK_TIMEOUT / FLUSH_SLAVE_TIMEOUT / SLAVE_NOT_AVAILABLE | 10 / 12 / 11 (stored) |
 * | MESSAGE_ILLEGAL, PROPERTIES_SIZE_EXCEEDED | 13 MESSAGE_ILLEGAL |
 * | SERVICE_NOT_AVAILABLE | 14, remark per serviceNotAvailableRemark (disk full, store closed) |
 * | CREATE_MAPPED_FILE_FAILED, UNKNOWN_ERROR | 1 SYSTEM_ERROR |
 *
 * @param storeRemark the store's explanation (PutMessageResult.remark), if any.
 * @param diskUsage the store's last measured disk usage in percent (MessageStore.diskUsage), null when it has no disk.
 */
export function putStatusToResponse(status: PutMessageStatus, storeRemark?: string, diskUsage?: number | null): { code: number; remark: string | null } {
  switch (status) {
    case 'PUT_OK':
      return { code: ResponseCode.SUCCESS, remark: null }
    case 'FLUSH_DISK_TIMEOUT':
      return { code: ResponseCode.FLUSH_DISK_TIMEOUT, remark: null }
    case 'FLUSH_SLAVE_TIMEOUT':
      return { code: ResponseCode.FLUSH_SLAVE_TIMEOUT, remark: null }
    case 'SLAVE_NOT_AVAILABLE':
      return { code: ResponseCode.SLAVE_NOT_AVAILABLE, remark: null }
    case 'MESSAGE_ILLEGAL':
    case 'PROPERTIES_SIZE_EXCEEDED':
      return {
        code: ResponseCode.MESSAGE_ILLEGAL,
        remark: storeRemark ?? `the message is illegal (${status}): message body or properties length not accepted (properties ≤ 32767 bytes)`,
      }
    case 'SERVICE_NOT_AVAILABLE':
      return { code: ResponseCode.SERVICE_NOT_AVAILABLE, remark: serviceNotAvailableRemark(diskUsage, storeRemark) }
    case 'CREATE_MAPPED_FILE_FAILED':
      return { code: ResponseCode.SYSTEM_ERROR, remark: storeRemark ?? 'create mapped file failed, server is busy or broken.' }
    default:
      return { code: ResponseCode.SYSTEM_ERROR, remark: storeRemark ?? status }
  }
}

/**
 * RocketMQ's SERVICE_NOT_AVAILABLE remark (4.9 SendMessageProcessor.handlePutMessageResult), which names the likely
 * causes and shows the disk usage in brackets (Java: `CL: %5.2f CQ: %5.2f INDEX: %5.2f` of three paths; we measure the
 * store's one filesystem), followed by the store's own reason in parentheses when it gave one, e.g.
 * "service not available now. It may be caused by one of the following reasons: the broker's disk is full
 * [disk usage 95.00%], messages are put to the slave, message store has been shut down, etc. (the broker's disk is
 * full: usage 95.0% is above diskSpaceWarningLevelRatio 90%; …)".
 */
export function serviceNotAvailableRemark(diskUsage: number | null | undefined, storeRemark?: string): string {
  const usage = diskUsage === null || diskUsage === undefined ? 'disk usage unknown' : `disk usage ${diskUsage.toFixed(2)}%`
  const base = `service not available now. It may be caused by one of the following reasons: the broker's disk is full [${usage}], messages are put to the slave, message store has been shut down, etc.`
  return storeRemark ? `${base} (${storeRemark})` : base
}
