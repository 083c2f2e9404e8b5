/**
 * Message lookups, printed as RocketMQ mqadmin prints them:
 * - queryMsgById (`QueryMsgByIdSubCommand`, by offset message id): VIEW_MESSAGE_BY_ID through `Admin.viewMessage`,
 *   `%-20s %s` label/value lines, the body written to `<bodyDir>/<msgId>` (RocketMQ: `/tmp/rocketmq/msgbodys/<msgId>`)
 *   and, with `-f <charset>`, printed too;
 * - queryMsgByKey (`QueryMsgByKeySubCommand`): QUERY_MESSAGE by a KEYS word → a `#Message ID  #QID  #Offset` table;
 * - queryMsgByUniqueKey (`QueryMsgByUniqueKeySubCommand`): QUERY_MESSAGE with `_UNIQUE_KEY_QUERY=true` → the earliest
 *   stored copy (every copy with `-a`) in the label/value layout without the OffsetID line, body file `<msgId>[_i]`.
 * Not printed: the message-track section (which consumer groups consumed it), which needs broker admin requests
 * the client Admin does not offer; nor is queryMsgByUniqueKey's `-g/-d` (CONSUME_MESSAGE_DIRECTLY) supported.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AdminApi, QueryMessageOptions, ViewedMessage } from '../admin-api.js'
import { formatJavaMap, formatTimestamp, table } from '../format.js'

/** Default directory of the body files: RocketMQ's `/tmp/rocketmq/msgbodys` (under the OS temp dir). */
export function defaultBodyDir(): string {
  return join(tmpdir(), 'rocketmq', 'msgbodys')
}

export interface QueryMsgByIdOptions {
  /** Offset message ids (`-i id1,id2`). */
  msgIds: string[]
  /** `-f`: also print the body decoded with this encoding. */
  bodyFormat?: BufferEncoding
  /** Where the body files go. Default defaultBodyDir(). */
  bodyDir?: string
}

/**
 * RocketMQ names the body file after MessageExt.getMsgId(): UNIQ_KEY when present, else the offset id (also used when
 * a producer-set UNIQ_KEY is not a plain file name); `index` > 0 appends `_<index>` (queryMsgByUniqueKey -a).
 */
function bodyFileName(message: ViewedMessage, index = 0): string {
  const name = /^[A-Za-z0-9_-]{1,128}$/.test(message.msgId) ? message.msgId : message.offsetMsgId
  return index > 0 ? `${name}_${index}` : name
}

/** Writes `body` to `path`, creating the directory. */
export type BodyWriter = (dir: string, name: string, body: Buffer) => Promise<string>

const writeBodyFile: BodyWriter = async (dir, name, body) => {
  await mkdir(dir, { recursive: true })
  const path = join(dir, name)
  await writeFile(path, body)
  return path
}

const line = (label: string, value: string | number): string => `${label.padEnd(20)} ${value}`

/**
 * The `printMsg` lines of one message; `bodyPath` is where its body was written. `withOffsetId: false` leaves out the
 * first line, as queryMsgByUniqueKey's `showMessage` does.
 */
export function formatMessage(message: ViewedMessage, bodyPath: string, bodyFormat?: BufferEncoding, withOffsetId = true): string[] {
  const lines = [
    ...(withOffsetId ? [line('OffsetID:', message.offsetMsgId)] : []),
    line('Topic:', message.topic),
    line('Tags:', `[${message.properties['TAGS'] ?? 'null'}]`),
    line('Keys:', `[${message.properties['KEYS'] ?? 'null'}]`),
    line('Queue ID:', message.queueId),
    line('Queue Offset:', message.queueOffset),
    line('CommitLog Offset:', message.commitLogOffset),
    line('Reconsume Times:', message.reconsumeTimes),
    line('Born Timestamp:', formatTimestamp(message.bornTimestamp)),
    line('Store Timestamp:', formatTimestamp(message.storeTimestamp)),
    line('Born Host:', `${message.bornHost.host}:${message.bornHost.port}`),
    line('Store Host:', `${message.storeHost.host}:${message.storeHost.port}`),
    line('System Flag:', message.sysFlag),
    line('Properties:', formatJavaMap(message.properties)),
    line('Message Body Path:', bodyPath),
  ]
  if (bodyFormat !== undefined) lines.push(line('Message Body:', message.body.toString(bodyFormat)))
  return lines
}

/**
 * Views each id and prints it; ids are separated by an empty line.
 * @throws TypeError for a malformed id, MQBrokerError when the broker has no such message, network errors.
 */
export async function queryMsgById(admin: AdminApi, options: QueryMsgByIdOptions, writeBody: BodyWriter = writeBodyFile): Promise<string[]> {
  const bodyDir = options.bodyDir ?? defaultBodyDir()
  const lines: string[] = []
  for (const msgId of options.msgIds) {
    const message = await admin.viewMessage(msgId)
    const bodyPath = await writeBody(bodyDir, bodyFileName(message), message.body)
    if (lines.length > 0) lines.push('')
    lines.push(...formatMessage(message, bodyPath, options.bodyFormat))
  }
  return lines
}

/** Error of a lookup that found nothing (Java: MQClientException NO_MESSAGE, printed as "command failed"). */
export class NoMessageError extends Error {
  override name = 'NoMessageError'
}

export interface QueryMsgByKeyOptions {
  topic: string
  /** `-k`: a KEYS word. */
  key: string
  /** `-b`: window start, ms since epoch. Default 0. */
  beginTimestamp?: number
  /** `-e`: window end, ms since epoch. Default: no end (Java Long.MAX_VALUE). */
  endTimestamp?: number
  /** `-m`: most messages per broker. Default 64. */
  maxNum?: number
}

const keyRow = table([{ width: 50 }, { width: 4, align: 'right' }, { width: 40, align: 'right' }], [' ', ' '])

/**
 * queryMsgByKey: `#Message ID` (UNIQ_KEY, else offset id), `#QID`, `#Offset` (queue offset) of every message of the
 * topic carrying the key, newest first (Java prints the brokers' merge order).
 * @throws NoMessageError when nothing matched; the Admin's errors (no route, every broker failed).
 */
export async function queryMsgByKey(admin: AdminApi, options: QueryMsgByKeyOptions): Promise<string[]> {
  const query: QueryMessageOptions = { topic: options.topic, key: options.key, maxNum: options.maxNum ?? 64 }
  if (options.beginTimestamp !== undefined) query.beginTimestamp = options.beginTimestamp
  if (options.endTimestamp !== undefined) query.endTimestamp = options.endTimestamp
  const messages = await admin.queryMessage(query)
  if (messages.length === 0) throw new NoMessageError('query message by key finished, but no message.')
  return [keyRow(['#Message ID', '#QID', '#Offset']), ...messages.map((m) => keyRow([m.msgId, m.queueId, m.queueOffset]))]
}

export interface QueryMsgByUniqueKeyOptions {
  topic: string
  /** `-i`: the client message id (UNIQ_KEY). */
  msgId: string
  /** `-a`: print every stored copy (at most 32), not only the earliest. */
  showAll?: boolean
  /** Where the body files go. Default defaultBodyDir(). */
  bodyDir?: string
}

/**
 * queryMsgByUniqueKey: the message(s) whose UNIQ_KEY is `msgId`, earliest stored first (a send retried on another
 * broker leaves two copies), each printed as `showMessage` does with its body written to `<bodyDir>/<msgId>[_i]`;
 * copies are separated by an empty line.
 * @throws NoMessageError when no broker has it; the Admin's errors.
 */
export async function queryMsgByUniqueKey(admin: AdminApi, options: QueryMsgByUniqueKeyOptions, writeBody: BodyWriter = writeBodyFile): Promise<string[]> {
  const bodyDir = options.bodyDir ?? defaultBodyDir()
  const messages = await admin.queryMessage({ topic: options.topic, key: options.msgId, uniqueKey: true, maxNum: 32 })
  if (messages.length === 0) throw new NoMessageError('query message by key finished, but no message.')
  messages.sort((a, b) => a.storeTimestamp - b.storeTimestamp)
  const lines: string[] = []
  const shown = options.showAll ? messages : messages.slice(0, 1)
  for (const [index, message] of shown.entries()) {
    const bodyPath = await writeBody(bodyDir, bodyFileName(message, index), message.body)
    if (lines.length > 0) lines.push('')
    lines.push(...formatMessage(message, bodyPath, undefined, false))
  }
  return lines
}
