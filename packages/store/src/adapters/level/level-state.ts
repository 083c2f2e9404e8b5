import type { ChainedBatch, ClassicLevel } from 'classic-level'
import { StoreError } from '../../store-error.js'
import { commitLogKey, consumeQueueKey, decodeConsumeQueueUnit, keySpaceRange, offsetOfKey, queueKeys, queueOffsetOfKey, unpackMeta } from './level-keys.js'
import type { ConsumeQueueUnit, QueueKeys } from './level-keys.js'

/** The LevelDB handle: Buffer keys and values throughout. */
export type LevelDb = ClassicLevel<Buffer, Buffer>

/** A LevelDB chained batch of `LevelDb`. */
export type LevelBatch = ChainedBatch<LevelDb, Buffer, Buffer>

/** One LevelDB batch operation. */
export type BatchOp = { type: 'put'; key: Buffer; value: Buffer } | { type: 'del'; key: Buffer }

/**
 * In-memory state of one ConsumeQueue: a few numbers, never anything per message.
 * `minOffset`/`maxOffset` describe committed entries (what reads see); `nextOffset` is the next offset to
 * assign (≥ maxOffset while a batch is being written).
 */
export interface QueueState {
  readonly topic: string
  readonly queueId: number
  readonly keys: QueueKeys
  minOffset: number
  maxOffset: number
  nextOffset: number
}

/** A logical commit-log segment [start, start + mappedFileSizeCommitLog) and its newest store time (ms). */
export interface SegmentState {
  readonly start: number
  newestStoreTimestamp: number
}

/** The committed commit-log state kept in memory (loaded on open from the metadata keys). */
export interface CommittedLog {
  minPhyOffset: number
  maxPhyOffset: number
  lastStoreTimestamp: number
  indexLastUpdateTimestamp: number
  indexLastUpdatePhyoffset: number
  /** Segments holding live records, oldest first. */
  readonly segments: SegmentState[]
  /** topic → queueId → queue. */
  readonly queues: Map<string, Map<number, QueueState>>
}

/** An empty CommittedLog starting at `minPhyOffset`. */
export function emptyLog(minPhyOffset = 0): CommittedLog {
  return {
    minPhyOffset,
    maxPhyOffset: minPhyOffset,
    lastStoreTimestamp: 0,
    indexLastUpdateTimestamp: 0,
    indexLastUpdatePhyoffset: 0,
    segments: [],
    queues: new Map(),
  }
}

/** The queue (topic, queueId), or undefined. */
export function findQueue(log: CommittedLog, topic: string, queueId: number): QueueState | undefined {
  return log.queues.get(topic)?.get(queueId)
}

/** The queue (topic, queueId), created empty (at offset `maxOffset`) when missing. */
export function queueFor(log: CommittedLog, topic: string, queueId: number, maxOffset = 0): QueueState {
  let byId = log.queues.get(topic)
  if (!byId) log.queues.set(topic, (byId = new Map()))
  let queue = byId.get(queueId)
  if (!queue) {
    queue = { topic, queueId, keys: queueKeys(topic, queueId), minOffset: maxOffset, maxOffset, nextOffset: maxOffset }
    byId.set(queueId, queue)
  }
  return queue
}

/** Every queue of `log`. */
export function* allQueues(log: CommittedLog): Generator<QueueState> {
  for (const byId of log.queues.values()) yield* byId.values()
}

/** The ConsumeQueue unit at `queueOffset`, or undefined when absent (deleted or never written). */
export async function readUnit(db: LevelDb, queue: QueueState, queueOffset: number): Promise<ConsumeQueueUnit | undefined> {
  const value = await db.get(consumeQueueKey(queue.keys.entryPrefix, queueOffset))
  return value === undefined ? undefined : decodeConsumeQueueUnit(value)
}

/**
 * Consecutive units from `from`, at most `count`, stopping at the first absent one: one LevelDB range read
 * (a seek and sequential reads, cheaper than point lookups of the same keys).
 */
export async function readUnits(db: LevelDb, queue: QueueState, from: number, count: number): Promise<ConsumeQueueUnit[]> {
  const prefix = queue.keys.entryPrefix
  const entries = await db.iterator({ gte: consumeQueueKey(prefix, from), lt: consumeQueueKey(prefix, from + count), highWaterMarkBytes: count * 64 }).all()
  const units: ConsumeQueueUnit[] = []
  for (const [key, value] of entries) {
    if (queueOffsetOfKey(key) !== from + units.length) break
    units.push(decodeConsumeQueueUnit(value))
  }
  return units
}

/**
 * First queue offset in [low, high) whose unit's commitLogOffset ≥ `minPhyOffset` (units are ordered by
 * commitLogOffset), or `high` when none: binary search, O(log n) gets. Absent units count as deleted.
 */
export async function firstOffsetAtOrAfter(db: LevelDb, queue: QueueState, low: number, high: number, minPhyOffset: number): Promise<number> {
  let lo = low
  let hi = high
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2)
    const unit = await readUnit(db, queue, mid)
    if (unit !== undefined && unit.commitLogOffset >= minPhyOffset) hi = mid
    else lo = mid + 1
  }
  return lo
}

/** The record/BLANK starting at or before `offset` (within [floor, offset]), or null. */
export async function recordAtOrBefore(db: LevelDb, offset: number, floor: number): Promise<{ offset: number; value: Buffer } | null> {
  const entries = await db.iterator({ gte: commitLogKey(floor), lte: commitLogKey(offset), reverse: true, limit: 1 }).all()
  const entry = entries[0]
  return entry ? { offset: offsetOfKey(entry[0]), value: entry[1] } : null
}

/** The first key of key space `prefix` below `lt` (null when none). */
export async function firstKey(db: LevelDb, prefix: number, lt?: Buffer): Promise<Buffer | null> {
  const range = keySpaceRange(prefix)
  const keys = await db.keys({ gte: range.gte, lt: lt ?? range.lt, limit: 1 }).all()
  return keys[0] ?? null
}

/** The last key/value of key space `prefix` (null when none). */
export async function lastEntry(db: LevelDb, prefix: number): Promise<[Buffer, Buffer] | null> {
  const entries = await db.iterator({ ...keySpaceRange(prefix), reverse: true, limit: 1 }).all()
  return entries[0] ?? null
}

/** Decoded metadata at `key`, or null when absent. @throws StoreError STORE_CORRUPT when undecodable. */
export async function readMeta<T extends object>(db: LevelDb, key: Buffer, fields: ReadonlyArray<keyof T & string>, what: string): Promise<T | null> {
  const value = await db.get(key)
  return value === undefined ? null : unpackMeta<T>(value, fields, what)
}

/**
 * Maps LevelDB errors to StoreError: `LEVEL_LOCKED` (another process or store holds the LOCK file) →
 * STORE_LOCKED, `LEVEL_CORRUPTION` → STORE_CORRUPT; other errors are returned unchanged.
 */
export function toStoreError(err: unknown, location: string): unknown {
  const error = err as { code?: unknown; cause?: { code?: unknown; message?: unknown } } | null
  const codes = [error?.code, error?.cause?.code]
  const detail = typeof error?.cause?.message === 'string' ? error.cause.message : err instanceof Error ? err.message : String(err)
  if (codes.includes('LEVEL_LOCKED')) return new StoreError('STORE_LOCKED', `${location} is locked by another store: ${detail}`, { cause: err })
  if (codes.includes('LEVEL_CORRUPTION')) return new StoreError('STORE_CORRUPT', `LevelDB at ${location} is corrupt: ${detail}`, { cause: err })
  return err
}
