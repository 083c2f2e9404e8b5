import type { DataVersion } from '@cometmq/protocol'

/**
 * RocketMQ `DataVersion`: `{ counter, timestamp }` bumped on every change of a config table; namesrv rebuilds a
 * broker's QueueData only when the registered DataVersion differs (§7.2). Source: common/DataVersion.java.
 */
export class DataVersionCounter {
  private counter = 0
  private timestamp = Date.now()

  /** counter + 1, timestamp = now (ms). */
  next(): void {
    this.counter++
    this.timestamp = Date.now()
  }

  assign(value: Partial<DataVersion>): void {
    if (typeof value.counter === 'number') this.counter = value.counter
    if (typeof value.timestamp === 'number') this.timestamp = value.timestamp
  }

  snapshot(): DataVersion {
    return { counter: this.counter, timestamp: this.timestamp }
  }
}
