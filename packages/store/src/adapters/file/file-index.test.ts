import { MessageSysFlag, decodeMessageRecord, encodeProperties, tagsStringToTagsCode } from '@cometmq/protocol'
import fs from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { MessageStore } from '../../message-store.js'
import type { AppendMessageResult, MessageStoreConfig, PutMessageInput } from '../../types.js'
import { FileMessageStore } from './file-message-store.js'
import { HASH_SLOT_SIZE, INDEX_ENTRY_SIZE, INDEX_HEADER_SIZE } from './index-file.js'
import { listFiles, useTempDirs } from './__fixtures__/helpers.js'

const TOPIC = 'IdxTopic'
const OTHER = 'IdxOther'
/** 4 hash slots (every chain mixes keys) and 7 entries per IndexFile (many files). */
const SMALL_INDEX = { mappedFileSizeCommitLog: 64 * 1024, maxHashSlotNum: 4, maxIndexNum: 8 }
const ALL_TIME = { beginTimestamp: 0, endTimestamp: Number.MAX_SAFE_INTEGER }

/** Message n: KEYS `k<n % 5> shared`, UNIQ_KEY `U<n>`, flag n, queue n % 3. */
function keyed(n: number, topic = TOPIC, sysFlag = 0): PutMessageInput {
  return {
    topic,
    queueId: n % 3,
    flag: n,
    body: Buffer.from(`indexed-${n}-${'z'.repeat((n * 31) % 400)}`),
    propertiesString: encodeProperties({ KEYS: `k${n % 5} shared`, UNIQ_KEY: `U${n}`, TAGS: 'T' }),
    sysFlag,
    bornTimestamp: 1_700_000_000_000 + n,
    bornHost: { host: '127.0.0.1', port: 40000 },
    storeHost: { host: '127.0.0.1', port: 10911 },
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    tagsCode: tagsStringToTagsCode('T'),
  }
}

async function put(store: MessageStore, input: PutMessageInput): Promise<AppendMessageResult> {
  const result = await store.putMessage(input)
  expect(result.status).toBe('PUT_OK')
  return result.appendResult!
}

/** Flags of the messages queryMessage returns, in order. */
async function flags(store: MessageStore, key: string, topic = TOPIC, more: { maxNum?: number; beginTimestamp?: number; endTimestamp?: number } = {}): Promise<number[]> {
  const result = await store.queryMessage({ topic, key, maxNum: 64, ...ALL_TIME, ...more })
  return result.messages.map((m) => decodeMessageRecord(m).flag)
}

/** Expected flags for `key` among messages [from, to) of TOPIC, newest first. */
function expectedFlags(key: string, to: number, from = 0): number[] {
  const out: number[] = []
  for (let n = to - 1; n >= from; n--) if (key === 'shared' || key === `k${n % 5}` || key === `U${n}`) out.push(n)
  return out
}

/** Every key of messages [0, count) answers exactly (UNIQ_KEYs, KEYS words). */
async function expectAllFound(store: MessageStore, count: number): Promise<void> {
  for (let n = 0; n < count; n++) expect(await flags(store, `U${n}`), `U${n}`).toEqual([n])
  for (const key of ['k0', 'k1', 'k2', 'k3', 'k4', 'shared']) expect(await flags(store, key), key).toEqual(expectedFlags(key, count).slice(0, 64))
}

describe('FileMessageStore key index (IndexFile)', () => {
  const t = useTempDirs()

  async function openStore(dir: string, extra: Partial<MessageStoreConfig> = {}): Promise<FileMessageStore> {
    const store = t.track(new FileMessageStore({ storePathRootDir: dir, ...SMALL_INDEX, ...extra }))
    await store.open()
    return store
  }

  it('indexes every KEYS word and UNIQ_KEY into RocketMQ-layout IndexFiles that roll over; queries are exact and newest first', async () => {
    const dir = t.dir()
    const store = await openStore(dir)
    const appends: AppendMessageResult[] = []
    for (let n = 0; n < 30; n++) appends.push(await put(store, keyed(n)))
    for (let n = 30; n < 40; n++) await put(store, keyed(n, OTHER))
    await store.close()

    const indexDir = join(dir, 'index')
    const names = listFiles(indexDir)
    expect(names).toHaveLength(Math.ceil((40 * 3) / 7))
    expect(names.every((n) => /^\d{17}$/.test(n))).toBe(true)
    // the first file: full header, entries `keyHash · phyOffset · timeDiff · prevIndex` at 40 + slots × 4 + n × 20
    const first = fs.readFileSync(join(indexDir, names[0]!))
    expect(first.readInt32BE(36)).toBe(8) // indexCount
    expect(Number(first.readBigInt64BE(16))).toBe(appends[0]!.wroteOffset) // beginPhyOffset
    expect(Number(first.readBigInt64BE(0))).toBe(appends[0]!.storeTimestamp) // beginTimestamp
    const entryPhy = (n: number) => Number(first.readBigInt64BE(INDEX_HEADER_SIZE + 4 * HASH_SLOT_SIZE + n * INDEX_ENTRY_SIZE + 4))
    expect([1, 2, 3, 4, 5, 6, 7].map(entryPhy)).toEqual([0, 0, 0, 1, 1, 1, 2].map((n) => appends[n]!.wroteOffset))

    const reopened = await openStore(dir)
    expect(reopened.lastRecovery).toMatchObject({ reindexed: 0, indexEntriesDropped: 0, indexSlotsRepaired: 0 })
    await expectAllFound(reopened, 30)
    expect(await flags(reopened, 'U35')).toEqual([])
    expect(await flags(reopened, 'U35', OTHER)).toEqual([35])
    expect(await flags(reopened, 'shared', OTHER)).toEqual(expectedFlags('shared', 40, 30))
    expect(await flags(reopened, 'shared', TOPIC, { maxNum: 4 })).toEqual([29, 28, 27, 26])
    const from = appends[10]!.storeTimestamp
    const to = appends[20]!.storeTimestamp
    const inWindow = appends.flatMap((a, n) => (a.storeTimestamp >= from && a.storeTimestamp <= to && n % 5 === 2 ? [n] : [])).reverse()
    expect(await flags(reopened, 'k2', TOPIC, { beginTimestamp: from, endTimestamp: to })).toEqual(inWindow)
    const result = await reopened.queryMessage({ topic: TOPIC, key: 'U29', maxNum: 1, ...ALL_TIME })
    expect(result.messages[0]!.equals((await reopened.selectOneMessageByOffset(appends[29]!.wroteOffset))!)).toBe(true)
    const newest = await reopened.lookMessageByOffset(result.indexLastUpdatePhyoffset)
    expect(newest).toMatchObject({ flag: 39, storeTimestamp: result.indexLastUpdateTimestamp })
  })

  it('after a crash (directory copied while open) repairs slots past the durable header and re-indexes the records after it', async () => {
    const dir = t.dir()
    const noPeriodicFlush = { flushIntervalConsumeQueue: 3_600_000 }
    const first = await openStore(dir, noPeriodicFlush)
    for (let n = 0; n < 10; n++) await put(first, keyed(n))
    await first.close() // the index is durable up to message 9
    const store = await openStore(dir, noPeriodicFlush)
    for (let n = 10; n < 30; n++) await put(store, keyed(n)) // entries written, full files sealed (slots written), no header
    const crashed = t.dir()
    fs.cpSync(dir, crashed, { recursive: true }) // what a SIGKILL leaves: everything written, nothing flushed after open

    const recovered = await openStore(crashed, noPeriodicFlush)
    expect(recovered.lastRecovery).toMatchObject({ reindexed: 20, indexEntriesDropped: 0 })
    expect(recovered.lastRecovery!.indexSlotsRepaired).toBeGreaterThan(0)
    await expectAllFound(recovered, 30)
    for (let n = 30; n < 35; n++) await put(recovered, keyed(n))
    await expectAllFound(recovered, 35)
    await recovered.close()
    const again = await openStore(crashed)
    expect(again.lastRecovery).toMatchObject({ reindexed: 0, indexSlotsRepaired: 0 })
    await expectAllFound(again, 35)
  })

  it('drops index entries of records cut from a torn commit-log tail; new records at those offsets are found once', async () => {
    const dir = t.dir()
    const store = await openStore(dir)
    const appends: AppendMessageResult[] = []
    for (let n = 0; n < 30; n++) appends.push(await put(store, keyed(n)))
    await store.close()
    const torn = appends[27]!
    const file = join(dir, 'commitlog', listFiles(join(dir, 'commitlog')).at(-1)!)
    fs.truncateSync(file, (torn.wroteOffset % SMALL_INDEX.mappedFileSizeCommitLog) + 40) // a crash mid-write of message 27

    const recovered = await openStore(dir)
    expect(recovered.getMaxPhyOffset()).toBe(torn.wroteOffset)
    expect(recovered.lastRecovery).toMatchObject({ indexEntriesDropped: 3 * 3, reindexed: 0 })
    await expectAllFound(recovered, 27)
    for (const key of ['U27', 'U28', 'U29']) expect(await flags(recovered, key)).toEqual([])
    expect((await recovered.queryMessage({ topic: TOPIC, key: 'shared', maxNum: 1, ...ALL_TIME })).indexLastUpdatePhyoffset).toBe(appends[26]!.wroteOffset)
    const again = await put(recovered, keyed(27))
    expect(again.wroteOffset).toBe(torn.wroteOffset)
    await expectAllFound(recovered, 28)
  })

  it('rebuilds the whole index when <root>/index is deleted, and after messageIndexEnable was off', async () => {
    const dir = t.dir()
    const off = await openStore(dir, { messageIndexEnable: false })
    for (let n = 0; n < 12; n++) await put(off, keyed(n))
    expect(await flags(off, 'U3')).toEqual([])
    await off.close()
    expect(fs.existsSync(join(dir, 'index'))).toBe(false)

    const on = await openStore(dir)
    expect(on.lastRecovery!.reindexed).toBe(12)
    await expectAllFound(on, 12)
    for (let n = 12; n < 15; n++) await put(on, keyed(n))
    await on.close()

    const offAgain = await openStore(dir, { messageIndexEnable: false })
    for (let n = 15; n < 20; n++) await put(offAgain, keyed(n)) // not indexed: the checkpoint remembers from where
    await offAgain.close()
    const onAgain = await openStore(dir)
    expect(onAgain.lastRecovery!.reindexed).toBe(5)
    await expectAllFound(onAgain, 20)
    await onAgain.close()

    fs.rmSync(join(dir, 'index'), { recursive: true })
    const rebuilt = await openStore(dir)
    expect(rebuilt.lastRecovery!.reindexed).toBe(20)
    await expectAllFound(rebuilt, 20)
  })

  it('indexes PREPARED records, not ROLLBACK ones, also when rebuilding from the commit log', async () => {
    const dir = t.dir()
    const store = await openStore(dir)
    await put(store, keyed(0))
    await put(store, keyed(1, TOPIC, MessageSysFlag.TRANSACTION_PREPARED_TYPE))
    await put(store, keyed(2, TOPIC, MessageSysFlag.TRANSACTION_ROLLBACK_TYPE))
    expect(await flags(store, 'shared')).toEqual([1, 0])
    await store.close()
    fs.rmSync(join(dir, 'index'), { recursive: true })
    const rebuilt = await openStore(dir)
    expect(rebuilt.lastRecovery!.reindexed).toBe(2)
    expect(await flags(rebuilt, 'shared')).toEqual([1, 0])
    expect(await flags(rebuilt, 'U2')).toEqual([])
  })
})
