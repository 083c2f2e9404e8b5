/**
 * Messages of the crash-safety group, shared by the child process (crash-child.ts) and the parent test
 * (crash-safety-tests.ts): message `n` is rebuilt from `n` and its queueId alone, so the parent can check
 * every record byte for byte. No vitest import: the child loads this file outside the test runner.
 */
import { encodeProperties, tagsStringToTagsCode } from '@cometmq/protocol'
import type { SocketAddress } from '@cometmq/protocol'
import type { MessageStoreConfig, PutMessageInput, PutMessagesInput } from '../types.js'

export const CRASH_TOPIC = 'ConformanceCrash'
/** Queues 0..CRASH_QUEUES-1 of CRASH_TOPIC receive messages. */
export const CRASH_QUEUES = 3
/** Commit-log segment size of the crash run (bytes): small, so a run of a few hundred messages crosses segments. */
export const CRASH_SEGMENT_SIZE = 64 * 1024
/** maxMessageSize of the crash run (bytes); bodies stay below it. */
export const CRASH_MAX_MESSAGE_SIZE = 16 * 1024
const BORN_TIMESTAMP = 1_700_000_000_000
const BORN_HOST: SocketAddress = { host: '127.0.0.1', port: 41000 }
const STORE_HOST: SocketAddress = { host: '127.0.0.1', port: 10911 }

/** The store config of the crash run (child and parent reopen alike), on `storePathRootDir`. */
export function crashStoreConfig(storePathRootDir: string): MessageStoreConfig {
  return { storePathRootDir, flushDiskType: 'SYNC_FLUSH', mappedFileSizeCommitLog: CRASH_SEGMENT_SIZE, maxMessageSize: CRASH_MAX_MESSAGE_SIZE }
}

/** Body of message n: its identity in text, then 64–3063 bytes of an n-dependent binary pattern. */
export function crashBody(n: number): Buffer {
  const head = Buffer.from(`crash-${n}:`)
  const tail = Buffer.alloc(64 + ((n * 337) % 3000))
  for (let i = 0; i < tail.length; i++) tail[i] = (n * 7 + i * 13) & 0xff
  return Buffer.concat([head, tail])
}

/** Index keys of message n: KEYS `ck-<n> cg-<n mod 5>`, UNIQ_KEY `CU-<n>`. */
export const crashKey = (n: number): string => `ck-${n}`
export const crashUniqKey = (n: number): string => `CU-${n}`

/** Encoded properties of message n (KEYS, UNIQ_KEY, TAGS). */
export function crashProperties(n: number): string {
  return encodeProperties({ KEYS: `${crashKey(n)} cg-${n % 5}`, UNIQ_KEY: crashUniqKey(n), TAGS: `T${n % 4}` })
}

/** Message n as a single put to `queueId`. */
export function crashMessage(n: number, queueId: number): PutMessageInput {
  return {
    topic: CRASH_TOPIC,
    queueId,
    flag: n,
    body: crashBody(n),
    propertiesString: crashProperties(n),
    sysFlag: 0,
    bornTimestamp: BORN_TIMESTAMP,
    bornHost: BORN_HOST,
    storeHost: STORE_HOST,
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    tagsCode: tagsStringToTagsCode(`T${n % 4}`),
  }
}

/** Messages `ns` as one batch to `queueId`; each record equals the single-put record of the same n. */
export function crashBatch(ns: readonly number[], queueId: number): PutMessagesInput {
  return {
    topic: CRASH_TOPIC,
    queueId,
    sysFlag: 0,
    bornTimestamp: BORN_TIMESTAMP,
    bornHost: BORN_HOST,
    storeHost: STORE_HOST,
    reconsumeTimes: 0,
    messages: ns.map((n) => {
      const m = crashMessage(n, queueId)
      return { flag: m.flag, body: m.body, propertiesString: m.propertiesString, tagsCode: m.tagsCode }
    }),
  }
}

/** One acknowledged put (single or batch) as the child reports it. */
export interface CrashAck {
  queueId: number
  /** Queue offset of ns[0]; the others follow. */
  queueOffset: number
  storeTimestamp: number
  ns: number[]
  commitLogOffsets: number[]
}

/** `ack <queueId> <queueOffset> <storeTimestamp> <n,n,…> <offset,offset,…>` */
export function formatAck(ack: CrashAck): string {
  return `ack ${ack.queueId} ${ack.queueOffset} ${ack.storeTimestamp} ${ack.ns.join(',')} ${ack.commitLogOffsets.join(',')}\n`
}

/** Parses a formatAck line; null for any other line. */
export function parseAck(line: string): CrashAck | null {
  const [tag, queueId, queueOffset, storeTimestamp, ns, offsets] = line.split(' ')
  if (tag !== 'ack' || offsets === undefined) return null
  return {
    queueId: Number(queueId),
    queueOffset: Number(queueOffset),
    storeTimestamp: Number(storeTimestamp),
    ns: ns!.split(',').map(Number),
    commitLogOffsets: offsets.split(',').map(Number),
  }
}
