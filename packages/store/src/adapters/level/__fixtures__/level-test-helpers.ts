import { encodeProperties, tagsStringToTagsCode } from '@cometmq/protocol'
import { ClassicLevel } from 'classic-level'
import fs from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import type { MessageStore } from '../../../message-store.js'
import type { MessageStoreConfig, PutMessageInput } from '../../../types.js'
import { LevelMessageStore } from '../level-message-store.js'
import type { LevelStoreHooks } from '../level-message-store.js'

export const TOPIC = 'LevelTopic'
/** Logical segment size of these tests (bytes). */
export const SEGMENT_SIZE = 64 * 1024

/** Deterministic put input number `n`: queue n % queues, KEYS `k<n> shared`, tag T<n % 3>, body of varying length. */
export function numbered(n: number, queues = 3, bodyBytes = 200 + ((n * 37) % 700)): PutMessageInput {
  const tags = `T${n % 3}`
  return {
    topic: TOPIC,
    queueId: n % queues,
    flag: n,
    body: Buffer.alloc(bodyBytes, `m${n}|`),
    propertiesString: encodeProperties({ KEYS: `k${n} shared`, UNIQ_KEY: `U${n}`, TAGS: tags }),
    sysFlag: 0,
    bornTimestamp: 1_700_000_000_000 + n,
    bornHost: { host: '127.0.0.1', port: 40000 + (n % 1000) },
    storeHost: { host: '127.0.0.1', port: 10911 },
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    tagsCode: tagsStringToTagsCode(tags),
  }
}


/** Temp dirs and stores, closed and removed after each test of the calling file. */
export interface LevelTestEnv {
  dir(): string
  /** A LevelMessageStore on `dir` (new temp dir by default) with SEGMENT_SIZE segments plus `overrides`; not opened. */
  store(dir?: string, overrides?: Partial<MessageStoreConfig>, hooks?: LevelStoreHooks): LevelMessageStore
  track<T extends MessageStore>(store: T): T
  /** Opens the store's LevelDB directly (the store must be closed); closed after the test. */
  raw(dir: string): Promise<ClassicLevel<Buffer, Buffer>>
}

export function useLevelEnv(): LevelTestEnv {
  let dirs: string[] = []
  let stores: MessageStore[] = []
  let dbs: Array<ClassicLevel<Buffer, Buffer>> = []
  afterEach(async () => {
    await Promise.allSettled(dbs.map((db) => db.close()))
    await Promise.allSettled(stores.map((s) => s.close()))
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true })
    dirs = []
    stores = []
    dbs = []
  })
  const env: LevelTestEnv = {
    dir() {
      const d = fs.mkdtempSync(join(tmpdir(), 'cometmq-level-store-'))
      dirs.push(d)
      return d
    },
    store(dir = env.dir(), overrides = {}, hooks = {}) {
      return env.track(new LevelMessageStore({ storePathRootDir: dir, mappedFileSizeCommitLog: SEGMENT_SIZE, ...overrides }, hooks))
    },
    track(store) {
      stores.push(store)
      return store
    },
    async raw(dir) {
      const db = new ClassicLevel<Buffer, Buffer>(join(dir, 'level'), { keyEncoding: 'buffer', valueEncoding: 'buffer', createIfMissing: false })
      dbs.push(db)
      await db.open()
      return db
    },
  }
  return env
}

/** `n` as 8 big-endian bytes. */
export function u64(n: number): Buffer {
  const b = Buffer.alloc(8)
  b.writeBigUInt64BE(BigInt(n))
  return b
}

/** `n` as 4 big-endian bytes. */
export function u32(n: number): Buffer {
  const b = Buffer.alloc(4)
  b.writeUInt32BE(n)
  return b
}

/** UTF-8 `text` behind a u16 byte length. */
export function str16(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8')
  const length = Buffer.alloc(2)
  length.writeUInt16BE(bytes.length)
  return Buffer.concat([length, bytes])
}

/** Every entry of the raw database, in key order. */
export async function allEntries(db: ClassicLevel<Buffer, Buffer>): Promise<Array<[Buffer, Buffer]>> {
  return db.iterator().all()
}

export { expectedRecord } from '../../../__fixtures__/expected-record.js'
