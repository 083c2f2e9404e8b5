import { MessageSysFlag, createOffsetMsgId, decodeMessageRecord, decodeOffsetMsgId, encodeProperties } from '@cometmq/protocol'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { MessageStore } from '../message-store.js'
import { MAX_QUERY_MESSAGE_NUM } from '../store-config.js'
import type { AppendMessageResult, PutMessageInput, QueryMessageQuery } from '../types.js'
import { BORN_HOST, STORE_HOST, TOPIC, errorCodeOf, message, useHarness } from './harness.js'
import type { ConformanceOptions } from './harness.js'

const ALL_TIME = { beginTimestamp: 0, endTimestamp: Number.MAX_SAFE_INTEGER }

/** A message carrying KEYS `keys` (and UNIQ_KEY `uniqKey` when given). */
function keyed(keys: string | undefined, uniqKey?: string, overrides: Partial<PutMessageInput> = {}): PutMessageInput {
  const properties: Record<string, string> = {}
  if (keys !== undefined) properties.KEYS = keys
  if (uniqKey !== undefined) properties.UNIQ_KEY = uniqKey
  return message({ propertiesString: encodeProperties(properties), ...overrides })
}

async function put(store: MessageStore, input: PutMessageInput): Promise<AppendMessageResult> {
  const result = await store.putMessage(input)
  expect(result.status).toBe('PUT_OK')
  return result.appendResult!
}

/** Commit-log offsets of what queryMessage returns (all time, up to 64 unless given). */
async function query(store: MessageStore, key: string, overrides: Partial<QueryMessageQuery> = {}): Promise<number[]> {
  const result = await store.queryMessage({ topic: TOPIC, key, maxNum: MAX_QUERY_MESSAGE_NUM, ...ALL_TIME, ...overrides })
  return result.messages.map((m) => decodeMessageRecord(m).commitLogOffset)
}

/** queryMessage (QUERY_MESSAGE): exact key lookup over KEYS words and UNIQ_KEY. */
export function queryTests(options: ConformanceOptions, permanence: boolean): void {
  describe('queryMessage (key index)', () => {
    const h = useHarness(options)
    afterEach(() => {
      vi.useRealTimers()
    })

    it('finds a message by each KEYS word and by its UNIQ_KEY, returning the stored record', async () => {
      const store = await h.open()
      const a = await put(store, keyed('alpha  beta gamma', 'U-1', { body: Buffer.from('first') }))
      const b = await put(store, keyed('delta', 'U-2', { body: Buffer.from('second') }))
      for (const key of ['alpha', 'beta', 'gamma', 'U-1']) expect(await query(store, key), key).toEqual([a.wroteOffset])
      for (const key of ['delta', 'U-2']) expect(await query(store, key), key).toEqual([b.wroteOffset])
      // only whole words match
      for (const key of ['alpha beta', 'alph', 'lpha', 'U-', 'U-12', ' ']) expect(await query(store, key), JSON.stringify(key)).toEqual([])
      const result = await store.queryMessage({ topic: TOPIC, key: 'alpha', maxNum: 1, ...ALL_TIME })
      expect(result.messages[0]!.equals((await store.selectOneMessageByOffset(a.wroteOffset))!)).toBe(true)
      expect(decodeMessageRecord(result.messages[0]!).body.toString()).toBe('first')
    })

    it('returns newest first, at most maxNum, never more than 64', async () => {
      const store = await h.open()
      const offsets: number[] = []
      for (let i = 0; i < 70; i++) offsets.push((await put(store, keyed(`many k${i}`, `MU-${i}`))).wroteOffset)
      const newestFirst = [...offsets].reverse()
      expect(await query(store, 'many', { maxNum: 1000 })).toEqual(newestFirst.slice(0, 64))
      expect(await query(store, 'many', { maxNum: 64 })).toEqual(newestFirst.slice(0, 64))
      expect(await query(store, 'many', { maxNum: 5 })).toEqual(newestFirst.slice(0, 5))
      expect(await query(store, 'many', { maxNum: 1 })).toEqual([offsets[69]])
      expect(await query(store, 'k3')).toEqual([offsets[3]])
    })

    it('applies the store-time window with inclusive bounds (ms)', async () => {
      const store = await h.open()
      const base = Date.now() - 60_000
      const times = [base, base + 1, base + 1000, base + 5000]
      const offsets: number[] = []
      vi.useFakeTimers({ toFake: ['Date'] })
      try {
        for (const t of times) {
          vi.setSystemTime(t)
          const a = await put(store, keyed('window'))
          expect(a.storeTimestamp).toBe(t)
          offsets.push(a.wroteOffset)
        }
      } finally {
        vi.useRealTimers()
      }
      const within = (beginTimestamp: number, endTimestamp: number): Promise<number[]> => query(store, 'window', { beginTimestamp, endTimestamp })
      expect(await within(base, base)).toEqual([offsets[0]])
      expect(await within(base + 1, base + 1000)).toEqual([offsets[2], offsets[1]])
      expect(await within(base + 1, base + 999)).toEqual([offsets[1]])
      expect(await within(base + 2, base + 999)).toEqual([])
      expect(await within(base + 1001, base + 4999)).toEqual([])
      expect(await within(0, base - 1)).toEqual([])
      expect(await within(base + 5001, Number.MAX_SAFE_INTEGER)).toEqual([])
      expect(await within(base + 5000, Number.MAX_SAFE_INTEGER)).toEqual([offsets[3]])
      expect(await within(base, base + 5000)).toEqual([...offsets].reverse())
      expect(await within(base + 5000, base)).toEqual([])
    })

    it('never returns another topic\'s message or a hash-colliding key', async () => {
      const store = await h.open()
      const mine = await put(store, keyed('shared', 'SU'))
      const other = await put(store, keyed('shared', 'SU', { topic: 'OtherTopic' }))
      expect(await query(store, 'shared')).toEqual([mine.wroteOffset])
      expect(await query(store, 'SU', { topic: 'OtherTopic' })).toEqual([other.wroteOffset])
      expect(await query(store, 'shared', { topic: 'NoSuchTopic' })).toEqual([])
      // Java String.hashCode: "Aa" and "BB" collide, so do all same-length concatenations of them
      const colliding = ['Aa', 'BB', 'AaAa', 'BBBB', 'AaBB', 'BBAa']
      const byKey = new Map<string, number>()
      for (const key of colliding) byKey.set(key, (await put(store, keyed(key))).wroteOffset)
      for (const key of colliding) expect(await query(store, key), key).toEqual([byKey.get(key)])
      // topics whose `topic#key` strings collide ("Aa#x" / "BB#x"), and topic/key splits of the same string
      const aa = await put(store, keyed('x', undefined, { topic: 'Aa' }))
      const bb = await put(store, keyed('x', undefined, { topic: 'BB' }))
      expect(await query(store, 'x', { topic: 'Aa' })).toEqual([aa.wroteOffset])
      expect(await query(store, 'x', { topic: 'BB' })).toEqual([bb.wroteOffset])
      const split1 = await put(store, keyed('R#S', undefined, { topic: 'Q' }))
      const split2 = await put(store, keyed('S', undefined, { topic: 'Q#R' }))
      expect(await query(store, 'R#S', { topic: 'Q' })).toEqual([split1.wroteOffset])
      expect(await query(store, 'S', { topic: 'Q#R' })).toEqual([split2.wroteOffset])
      expect(await query(store, 'S', { topic: 'Q' })).toEqual([])
    })

    it('stays exact over many keys with a tiny hash table (maxHashSlotNum 7, maxIndexNum 50)', async () => {
      const store = await h.open(h.config({ maxHashSlotNum: 7, maxIndexNum: 50 }))
      const offsets: number[] = []
      for (let i = 0; i < 120; i++) offsets.push((await put(store, keyed(`key-${i} group-${i % 3}`, `UQ-${i}`))).wroteOffset)
      for (let i = 0; i < 120; i++) {
        expect(await query(store, `key-${i}`), `key-${i}`).toEqual([offsets[i]])
        expect(await query(store, `UQ-${i}`), `UQ-${i}`).toEqual([offsets[i]])
      }
      const group1 = offsets.filter((_, i) => i % 3 === 1).reverse()
      expect(await query(store, 'group-1')).toEqual(group1)
      expect(await query(store, 'key-120')).toEqual([])
    })

    it('indexes every message of a batch', async () => {
      const store = await h.open()
      const result = await store.putMessages({
        topic: TOPIC,
        queueId: 0,
        sysFlag: 0,
        bornTimestamp: 1_700_000_000_000,
        bornHost: BORN_HOST,
        storeHost: STORE_HOST,
        reconsumeTimes: 0,
        messages: Array.from({ length: 5 }, (_, i) => ({
          flag: 0,
          body: Buffer.from(`b${i}`),
          propertiesString: encodeProperties({ KEYS: `bk-${i} batchall`, UNIQ_KEY: `BU-${i}` }),
          tagsCode: 0,
        })),
      })
      expect(result.status).toBe('PUT_OK')
      const offsets = result.appendResult!.commitLogOffsets
      for (let i = 0; i < 5; i++) {
        expect(await query(store, `bk-${i}`)).toEqual([offsets[i]])
        expect(await query(store, `BU-${i}`)).toEqual([offsets[i]])
      }
      expect(await query(store, 'batchall')).toEqual([...offsets].reverse())
    })

    it('indexes PREPARED and COMMIT transactional records, not ROLLBACK ones (RocketMQ IndexService.buildIndex)', async () => {
      const store = await h.open()
      const prepared = await put(store, keyed('tx-prepared', undefined, { sysFlag: MessageSysFlag.TRANSACTION_PREPARED_TYPE }))
      const commit = await put(store, keyed('tx-commit', undefined, { sysFlag: MessageSysFlag.TRANSACTION_COMMIT_TYPE }))
      const rollback = await put(store, keyed('tx-rollback', undefined, { sysFlag: MessageSysFlag.TRANSACTION_ROLLBACK_TYPE }))
      expect(await query(store, 'tx-prepared')).toEqual([prepared.wroteOffset])
      expect(await query(store, 'tx-commit')).toEqual([commit.wroteOffset])
      expect(await query(store, 'tx-rollback')).toEqual([])
      expect(await store.lookMessageByOffset(rollback.wroteOffset)).not.toBeNull()
    })

    it('reports the newest indexed message in indexLastUpdateTimestamp / indexLastUpdatePhyoffset', async () => {
      const store = await h.open()
      expect(await store.queryMessage({ topic: TOPIC, key: 'nothing', maxNum: 1, ...ALL_TIME })).toEqual({
        messages: [],
        indexLastUpdateTimestamp: 0,
        indexLastUpdatePhyoffset: 0,
      })
      await put(store, keyed('first'))
      const last = await put(store, keyed('second'))
      await put(store, keyed(undefined)) // no keys: not indexed
      const result = await store.queryMessage({ topic: TOPIC, key: 'first', maxNum: 1, ...ALL_TIME })
      expect(result.messages).toHaveLength(1)
      expect(result.indexLastUpdatePhyoffset).toBe(last.wroteOffset)
      expect(result.indexLastUpdateTimestamp).toBe(last.storeTimestamp)
    })

    it('messageIndexEnable: false builds no index', async () => {
      const store = await h.open(h.config({ messageIndexEnable: false }))
      await put(store, keyed('off', 'OFF-U'))
      expect(await query(store, 'off')).toEqual([])
      expect(await query(store, 'OFF-U')).toEqual([])
    })

    it('an offset msgId decodes to a commit-log offset lookMessageByOffset finds', async () => {
      const store = await h.open()
      await put(store, keyed('pad'))
      const a = await put(store, keyed('by-id', undefined, { body: Buffer.from('by msgId') }))
      const msgId = createOffsetMsgId(STORE_HOST.host, STORE_HOST.port, a.wroteOffset)
      const decoded = decodeOffsetMsgId(msgId)
      expect(decoded).toEqual({ host: STORE_HOST.host, port: STORE_HOST.port, commitLogOffset: a.wroteOffset })
      const looked = await store.lookMessageByOffset(decoded.commitLogOffset)
      expect(looked!.body.toString()).toBe('by msgId')
      expect(looked!.msgId).toBe(msgId)
    })

    it('validates the query and the store state', async () => {
      const store = h.create()
      const q = { topic: TOPIC, key: 'k', maxNum: 1, ...ALL_TIME }
      expect(await errorCodeOf(() => store.queryMessage(q))).toBe('STORE_NOT_OPEN')
      expect(await errorCodeOf(() => store.deleteExpiredFiles())).toBe('STORE_NOT_OPEN')
      await store.open()
      expect(await errorCodeOf(() => store.queryMessage({ ...q, key: '' }))).toBe('BAD_ARGUMENT')
      expect(await errorCodeOf(() => store.queryMessage({ ...q, maxNum: 0 }))).toBe('BAD_ARGUMENT')
      expect(await errorCodeOf(() => store.queryMessage({ ...q, topic: '' }))).toBe('BAD_ARGUMENT')
      expect(await errorCodeOf(() => store.queryMessage({ ...q, beginTimestamp: 0.5 }))).toBe('BAD_ARGUMENT')
      expect(await errorCodeOf(() => store.queryMessage(null as unknown as QueryMessageQuery))).toBe('BAD_ARGUMENT')
      expect(await errorCodeOf(() => store.queryMessage(q))).toBeUndefined()
      await store.close()
      expect(await errorCodeOf(() => store.queryMessage(q))).toBe('STORE_CLOSED')
      expect(await errorCodeOf(() => store.deleteExpiredFiles())).toBe('STORE_CLOSED')
    })

    if (permanence) {
      it('the index survives close() and open()', async () => {
        const config = h.config()
        const first = await h.open(config)
        const offsets: number[] = []
        for (let i = 0; i < 10; i++) offsets.push((await put(first, keyed(`persist-${i} persist-all`, `PU-${i}`))).wroteOffset)
        await first.close()
        const second = await h.open(config)
        for (let i = 0; i < 10; i++) expect(await query(second, `PU-${i}`)).toEqual([offsets[i]])
        expect(await query(second, 'persist-all')).toEqual([...offsets].reverse())
        const after = await put(second, keyed('persist-all'))
        expect(await query(second, 'persist-all', { maxNum: 2 })).toEqual([after.wroteOffset, offsets[9]])
      })
    }
  })
}
