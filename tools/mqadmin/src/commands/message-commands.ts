/**
 * queryMsgById (RocketMQ `QueryMsgByIdSubCommand`, query by offset message id): VIEW_MESSAGE_BY_ID through
 * `Admin.viewMessage`, printed as RocketMQ prints it (`%-20s %s` label/value lines), with the body written to
 * `<bodyDir>/<msgId>` (RocketMQ: `/tmp/rocketmq/msgbodys/<msgId>`) and, with `-f <charset>`, printed too.
 * Not printed: the message-track section (which consumer groups consumed it), which needs broker admin requests
 * the client Admin does not offer.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AdminApi, ViewedMessage } from '../admin-api.js'
import { formatJavaMap, formatTimestamp } from '../format.js'

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

/** Writes `body` to `path`, creating the directory. */
export type BodyWriter = (dir: string, name: string, body: Buffer) => Promise<string>

const writeBodyFile: BodyWriter = async (dir, name, body) => {
  await mkdir(dir, { recursive: true })
  const path = join(dir, name)
  await writeFile(path, body)
  return path
}

const line = (label: string, value: string | number): string => `${label.padEnd(20)} ${value}`

/** The `printMsg` lines of one message; `bodyPath` is where its body was written. */
export function formatMessage(message: ViewedMessage, bodyPath: string, bodyFormat?: BufferEncoding): string[] {
  const lines = [
    line('OffsetID:', message.offsetMsgId),
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
    // RocketMQ names the file after MessageExt.getMsgId(): UNIQ_KEY when present, else the offset id (also used
    // when a producer-set UNIQ_KEY is not a plain file name).
    const fileName = /^[A-Za-z0-9_-]{1,128}$/.test(message.msgId) ? message.msgId : message.offsetMsgId
    const bodyPath = await writeBody(bodyDir, fileName, message.body)
    if (lines.length > 0) lines.push('')
    lines.push(...formatMessage(message, bodyPath, options.bodyFormat))
  }
  return lines
}
