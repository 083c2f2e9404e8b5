import fs from 'node:fs'
import type { FsyncFunction } from './segment-file.js'

/**
 * `<root>/checkpoint` (protocol doc §4.8), a 4 KiB file of big-endian int64s:
 *
 *   @0  physicMsgTimestamp      store time of the newest durable commit-log record (RocketMQ StoreCheckpoint)
 *   @8  logicsMsgTimestamp      store time of the newest record whose ConsumeQueue entry is durable
 *   @16 indexMsgTimestamp       store time of the newest record whose IndexFile entries are durable
 *   @24 masterFlushedOffset     0 (5.x field, unused)
 *   @32 confirmPhyOffset        0 (5.x field, unused)
 *   @40 commitLogFlushedOffset  CometMQ: commit-log offset below which the commit log is durable
 *   @48 consumeQueueSafeOffset  CometMQ: commit-log offset below which every record's ConsumeQueue entry is durable
 *   @56 indexSafeOffset         CometMQ: commit-log offset below which every record's IndexFile entries are durable
 *
 * Recovery scans the commit log from the file holding min(@40, @48), re-dispatches records from @48 and
 * re-indexes records from @56 (or from the newest entry of the IndexFiles when that is later).
 * A RocketMQ checkpoint has zeros at @40/@48/@56, which means "scan everything": safe.
 */
export interface CheckpointData {
  physicMsgTimestamp: number
  logicsMsgTimestamp: number
  indexMsgTimestamp: number
  commitLogFlushedOffset: number
  consumeQueueSafeOffset: number
  indexSafeOffset: number
}

/** Size of the checkpoint file, bytes. Source: RocketMQ StoreCheckpoint (OS page size mapping). */
export const CHECKPOINT_FILE_SIZE = 4096
const DATA_BYTES = 64

export class StoreCheckpoint {
  private constructor(
    private readonly fd: number,
    readonly data: CheckpointData,
  ) {}

  /** Opens `path`, creating a zeroed 4 KiB file when missing. */
  static async open(path: string): Promise<StoreCheckpoint> {
    let fd: number
    try {
      fd = fs.openSync(path, 'r+')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
      fd = fs.openSync(path, 'w+')
      fs.writeSync(fd, Buffer.alloc(CHECKPOINT_FILE_SIZE), 0, CHECKPOINT_FILE_SIZE, 0)
    }
    const bytes = Buffer.alloc(DATA_BYTES)
    fs.readSync(fd, bytes, 0, DATA_BYTES, 0)
    const read = (at: number): number => Math.max(0, Number(bytes.readBigInt64BE(at)))
    return new StoreCheckpoint(fd, {
      physicMsgTimestamp: read(0),
      logicsMsgTimestamp: read(8),
      indexMsgTimestamp: read(16),
      commitLogFlushedOffset: read(40),
      consumeQueueSafeOffset: read(48),
      indexSafeOffset: read(56),
    })
  }

  /** Writes `data` at offset 0 and fsyncs. */
  async write(data: CheckpointData, fsync: FsyncFunction): Promise<void> {
    const bytes = Buffer.alloc(DATA_BYTES)
    bytes.writeBigInt64BE(BigInt(data.physicMsgTimestamp), 0)
    bytes.writeBigInt64BE(BigInt(data.logicsMsgTimestamp), 8)
    bytes.writeBigInt64BE(BigInt(data.indexMsgTimestamp), 16)
    bytes.writeBigInt64BE(BigInt(data.commitLogFlushedOffset), 40)
    bytes.writeBigInt64BE(BigInt(data.consumeQueueSafeOffset), 48)
    bytes.writeBigInt64BE(BigInt(data.indexSafeOffset), 56)
    fs.writeSync(this.fd, bytes, 0, DATA_BYTES, 0)
    Object.assign(this.data, data)
    await fsync(this.fd)
  }

  close(): void {
    fs.closeSync(this.fd)
  }
}
