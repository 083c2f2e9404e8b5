/**
 * ConsumerOffsetManager: committed consumer offsets, `topic@group` → queueId → next offset to consume (a logical
 * ConsumeQueue index), persisted as `<storePathRootDir>/config/consumerOffset.json`.
 * Source: RocketMQ 4.9 `broker/offset/ConsumerOffsetManager.java`.
 *
 * File shape (§4.8): `{"offsetTable":{"TopicTest@groupA":{"0":250,"1":250},"%RETRY%groupA@groupA":{"0":0}}}`.
 * We write quoted queue-id keys (strict JSON); loading also accepts Java's unquoted `{0:250}` form.
 * The controller persists every `flushConsumerOffsetInterval` ms (only when something changed) and on shutdown.
 */
import { join } from 'node:path'
import { parseJsonLenient } from '@cometmq/protocol'
import type { Logger } from '@cometmq/protocol'
import { ConfigFile } from '../util/config-file.js'

const TOPIC_GROUP_SEPARATOR = '@'

export class ConsumerOffsetManager {
  private readonly table = new Map<string, Map<number, number>>()
  private readonly file: ConfigFile
  private dirty = false

  /** @param configDir directory of consumerOffset.json, normally `<storePathRootDir>/config`. */
  constructor(configDir: string, private readonly logger: Logger) {
    this.file = new ConfigFile(join(configDir, 'consumerOffset.json'), () => this.encode(), logger)
  }

  async load(): Promise<void> {
    await this.file.load((text) => {
      const parsed = parseJsonLenient(text) as { offsetTable?: Record<string, Record<string, number>> } | null
      const offsetTable = parsed?.offsetTable
      if (offsetTable === undefined || offsetTable === null || typeof offsetTable !== 'object') throw new Error('missing offsetTable')
      for (const [key, queues] of Object.entries(offsetTable)) {
        const map = new Map<number, number>()
        for (const [queueId, offset] of Object.entries(queues ?? {})) {
          if (Number.isInteger(Number(queueId)) && typeof offset === 'number') map.set(Number(queueId), offset)
        }
        this.table.set(key, map)
      }
    })
  }

  /**
   * Stores `offset` for (group, topic, queueId). Negative offsets are ignored (ali-ons sends −1 for "no offset";
   * storing it would rewind a real position).
   */
  commitOffset(clientHost: string, group: string, topic: string, queueId: number, offset: number): void {
    if (offset < 0 || !Number.isFinite(offset)) {
      this.logger.debug('ignored negative commit offset', { group, topic, queueId, offset, remoteAddr: clientHost })
      return
    }
    const key = topic + TOPIC_GROUP_SEPARATOR + group
    let queues = this.table.get(key)
    if (queues === undefined) {
      queues = new Map()
      this.table.set(key, queues)
    }
    if (queues.get(queueId) !== offset) {
      queues.set(queueId, offset)
      this.dirty = true
    }
  }

  /** Committed offset, or −1 when the group has none for that queue. */
  queryOffset(group: string, topic: string, queueId: number): number {
    return this.table.get(topic + TOPIC_GROUP_SEPARATOR + group)?.get(queueId) ?? -1
  }

  /** queueId → offset of (group, topic); empty when none. */
  queryOffsetTable(group: string, topic: string): ReadonlyMap<number, number> {
    return this.table.get(topic + TOPIC_GROUP_SEPARATOR + group) ?? new Map()
  }

  /** Topics the group has committed offsets for. */
  whichTopicByConsumer(group: string): string[] {
    const topics: string[] = []
    for (const key of this.table.keys()) {
      const at = key.lastIndexOf(TOPIC_GROUP_SEPARATOR)
      if (at > 0 && key.slice(at + 1) === group) topics.push(key.slice(0, at))
    }
    return topics
  }

  /** Groups with committed offsets on `topic`. */
  whichGroupByTopic(topic: string): string[] {
    const groups: string[] = []
    for (const key of this.table.keys()) {
      const at = key.lastIndexOf(TOPIC_GROUP_SEPARATOR)
      if (at > 0 && key.slice(0, at) === topic) groups.push(key.slice(at + 1))
    }
    return groups
  }

  /** Drops every group's offsets of `topic` (DELETE_TOPIC_IN_BROKER). */
  removeTopic(topic: string): void {
    for (const group of this.whichGroupByTopic(topic)) this.table.delete(topic + TOPIC_GROUP_SEPARATOR + group)
    this.dirty = true
  }

  /** The consumerOffset.json text (also the body of GET_ALL_CONSUMER_OFFSET). */
  encode(): string {
    const offsetTable: Record<string, Record<string, number>> = {}
    for (const [key, queues] of this.table) offsetTable[key] = Object.fromEntries(queues)
    return JSON.stringify({ offsetTable }, null, '\t')
  }

  /** Writes consumerOffset.json when offsets changed since the last write (or always with `force`). */
  async persist(force = false): Promise<void> {
    if (!this.dirty && !force) return
    this.dirty = false
    try {
      await this.file.persist()
    } catch (error) {
      this.dirty = true
      this.logger.error('persist consumerOffset.json failed', { error: (error as Error).message })
      throw error
    }
  }
}
