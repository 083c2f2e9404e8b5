import { encodeProperties, tagsStringToTagsCode } from '@cometmq/protocol'
import type { SocketAddress } from '@cometmq/protocol'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import type { MessageStore } from '../message-store.js'
import type { MessageStoreConfig, PutMessageInput, PutMessagesInput } from '../types.js'

/** What an adapter passes to `runMessageStoreConformance`. */
export interface ConformanceOptions {
  /** Shown in the describe() title. */
  name: string
  /**
   * Returns a NEW store for `config` on every call (not opened). The suite always passes a fresh
   * `storePathRootDir` from its temp-dir helper (and reuses it only to test reopening); adapters may
   * override other keys, e.g. a small `mappedFileSizeCommitLog`.
   */
  factory: (config: MessageStoreConfig) => MessageStore
  /**
   * Absolute path (or `file:` URL) of an ES module whose `default` export is a factory like `factory`
   * (`(config: MessageStoreConfig) => MessageStore`, honouring every key it is given). REQUIRED when
   * `supports.permanence` is true: the crash-safety group imports it in a child process, writes with
   * SYNC_FLUSH and SIGKILLs that process mid-write. A `.ts` module is loaded through tsx
   * (`node --conditions=development --import tsx`).
   */
  childModule?: string
}

/** maxMessageSize the suite configures (bytes): small so big-message tests stay fast and fit small files. */
export const TEST_MAX_MESSAGE_SIZE = 16 * 1024
export const BORN_HOST: SocketAddress = { host: '127.0.0.1', port: 50123 }
export const STORE_HOST: SocketAddress = { host: '127.0.0.1', port: 10911 }
export const TOPIC = 'ConformanceTopic'

/** A put input with defaults: topic TOPIC, queue 0, body 'hello', no tags. */
export function message(overrides: Partial<PutMessageInput> & { tags?: string } = {}): PutMessageInput {
  const { tags, ...rest } = overrides
  return {
    topic: TOPIC,
    queueId: 0,
    flag: 0,
    body: Buffer.from('hello'),
    propertiesString: tags === undefined ? encodeProperties({ UNIQ_KEY: 'K' }) : encodeProperties({ TAGS: tags, UNIQ_KEY: 'K' }),
    sysFlag: 0,
    bornTimestamp: 1_700_000_000_000,
    bornHost: BORN_HOST,
    storeHost: STORE_HOST,
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    tagsCode: tagsStringToTagsCode(tags),
    ...rest,
  }
}

/** A batch input of `bodies` to TOPIC queue 0 (overrides apply to the batch). */
export function batch(bodies: string[], overrides: Partial<PutMessagesInput> = {}, tags?: string): PutMessagesInput {
  return {
    topic: TOPIC,
    queueId: 0,
    sysFlag: 0,
    bornTimestamp: 1_700_000_000_000,
    bornHost: BORN_HOST,
    storeHost: STORE_HOST,
    reconsumeTimes: 0,
    messages: bodies.map((body) => ({
      flag: 0,
      body: Buffer.from(body),
      propertiesString: encodeProperties(tags === undefined ? { UNIQ_KEY: body } : { TAGS: tags, UNIQ_KEY: body }),
      tagsCode: tagsStringToTagsCode(tags),
    })),
    ...overrides,
  }
}

/** Resolves to the `code` of what `fn` throws or rejects with, or undefined. */
export async function errorCodeOf(fn: () => unknown): Promise<string | undefined> {
  try {
    await fn()
    return undefined
  } catch (err) {
    return (err as { code?: string }).code ?? `no code: ${String(err)}`
  }
}

/** Every raw record of a queue from `from` (default: its min offset) to its max offset, in queue order. */
export async function readQueue(store: MessageStore, topic: string, queueId: number, from = store.getMinOffsetInQueue(topic, queueId)): Promise<Buffer[]> {
  const records: Buffer[] = []
  let offset = from
  const max = store.getMaxOffsetInQueue(topic, queueId)
  while (offset < max) {
    const got = await store.getMessage({ topic, queueId, offset, maxMsgNums: 64 })
    if (got.status !== 'FOUND') throw new Error(`getMessage(${topic}/${queueId} @${offset}) answered ${got.status} below max offset ${max}`)
    records.push(...got.messages)
    offset = got.nextBeginOffset
  }
  return records
}

/** Tiny deterministic PRNG (mulberry32) so property-style tests need no dependency. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Per-describe helper: creates stores on temp dirs and closes/removes all of them after each test. */
export interface Harness {
  /** A fresh config (new temp dir) with the suite defaults plus `overrides`. */
  config(overrides?: Partial<MessageStoreConfig>): MessageStoreConfig
  /** factory(config), tracked for cleanup; not opened. */
  create(config?: MessageStoreConfig): MessageStore
  /** create() + open(). */
  open(config?: MessageStoreConfig): Promise<MessageStore>
}

/** Registers afterEach cleanup in the calling describe() and returns the helper. */
export function useHarness(options: ConformanceOptions): Harness {
  let stores: MessageStore[] = []
  let dirs: string[] = []
  afterEach(async () => {
    const toClose = stores
    const toRemove = dirs
    stores = []
    dirs = []
    await Promise.allSettled(toClose.map((s) => s.close()))
    for (const dir of toRemove) rmSync(dir, { recursive: true, force: true })
  })
  const harness: Harness = {
    config(overrides = {}) {
      const dir = mkdtempSync(join(tmpdir(), 'cometmq-store-conformance-'))
      dirs.push(dir)
      return { storePathRootDir: dir, maxMessageSize: TEST_MAX_MESSAGE_SIZE, ...overrides }
    },
    create(config = harness.config()) {
      const store = options.factory(config)
      stores.push(store)
      return store
    },
    async open(config = harness.config()) {
      const store = harness.create(config)
      await store.open()
      return store
    },
  }
  return harness
}
