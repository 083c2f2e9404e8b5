import type { Logger } from '@cometmq/protocol'
import fs from 'node:fs'
import { join } from 'node:path'
import { ConsumeQueue } from './consume-queue.js'
import type { WriteBufferOptions } from './segment-file-queue.js'
import type { FsyncFunction } from './segment-file.js'

/** Every ConsumeQueue of a store, keyed by topic then queueId, under `<root>/consumequeue`. */
export class ConsumeQueueTable {
  readonly #queues = new Map<string, Map<number, ConsumeQueue>>()

  /** @param buffer write buffering of every queue (default: a buffer written only by flush/commit calls). */
  constructor(
    readonly dir: string,
    readonly fileSize: number,
    private readonly logger: Logger,
    private readonly buffer?: WriteBufferOptions,
  ) {}

  /** Opens and self-recovers every `<topic>/<queueId>/` directory found (missing root = none). */
  async load(): Promise<void> {
    let topics: fs.Dirent[]
    try {
      topics = await fs.promises.readdir(this.dir, { withFileTypes: true })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return
      throw err
    }
    for (const topic of topics) {
      if (!topic.isDirectory()) continue
      const queueDirs = await fs.promises.readdir(join(this.dir, topic.name), { withFileTypes: true })
      for (const queueDir of queueDirs) {
        if (!queueDir.isDirectory() || !/^\d+$/.test(queueDir.name)) continue
        const queue = this.getOrCreate(topic.name, Number(queueDir.name))
        await queue.load()
      }
    }
  }

  get(topic: string, queueId: number): ConsumeQueue | undefined {
    return this.#queues.get(topic)?.get(queueId)
  }

  /** The queue, created in memory if needed (its directory appears with its first entry). */
  getOrCreate(topic: string, queueId: number): ConsumeQueue {
    let byId = this.#queues.get(topic)
    if (!byId) this.#queues.set(topic, (byId = new Map()))
    let queue = byId.get(queueId)
    if (!queue) {
      queue = new ConsumeQueue(topic, queueId, join(this.dir, topic, String(queueId)), this.fileSize, this.logger, this.buffer)
      byId.set(queueId, queue)
    }
    return queue
  }

  *all(): IterableIterator<ConsumeQueue> {
    for (const byId of this.#queues.values()) yield* byId.values()
  }

  /** Writes every queue's buffer and fsyncs every queue with unflushed entries; returns fsync calls made. */
  async flush(fsync: FsyncFunction): Promise<number> {
    let calls = 0
    for (const queue of [...this.all()]) calls += await queue.flush(fsync)
    return calls
  }

  closeAll(): void {
    for (const queue of this.all()) queue.close()
  }
}
