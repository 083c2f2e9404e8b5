import { noopLogger } from '@cometmq/protocol'
import fs from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { SegmentFileQueue } from './segment-file-queue.js'
import type { WriteBufferOptions } from './segment-file-queue.js'
import { fdatasync } from './segment-file.js'

const FILE_SIZE = 4096

/** `length` bytes whose values depend on their queue offset, so misplaced bytes show. */
function pattern(offset: number, length: number): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => (offset + i) % 251))
}

describe('SegmentFileQueue write buffer', () => {
  let dirs: string[] = []
  let queues: SegmentFileQueue[] = []
  afterEach(() => {
    for (const q of queues) q.closeAll()
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true })
    dirs = []
    queues = []
  })

  function open(options: Partial<WriteBufferOptions> = {}): { queue: SegmentFileQueue; dir: string; pendingCalls: () => number } {
    const dir = fs.mkdtempSync(join(tmpdir(), 'cometmq-write-buffer-'))
    dirs.push(dir)
    let calls = 0
    const queue = new SegmentFileQueue(dir, FILE_SIZE, noopLogger, { chunkSize: 1024, retainBytes: 0, onPending: () => calls++, ...options })
    queues.push(queue)
    return { queue, dir, pendingCalls: () => calls }
  }

  /** Appends `length` pattern bytes at the end of the last file; returns their offset. */
  function put(queue: SegmentFileQueue, length: number): number {
    const segment = queue.segmentForAppend()
    const offset = segment.fileFromOffset + segment.wrotePosition
    queue.append(segment, pattern(offset, length))
    return offset
  }

  const onDisk = (dir: string, name = '00000000000000000000'): Buffer => fs.readFileSync(join(dir, name))

  it('serves appended bytes from memory before they are written, and writes them with one commit', async () => {
    const { queue, dir, pendingCalls } = open()
    put(queue, 100)
    put(queue, 200)
    expect(pendingCalls()).toBe(1) // one notification until the next commit
    expect(onDisk(dir).length).toBe(0)
    expect(queue.maxOffset).toBe(300)
    expect(queue.pendingBytes).toBe(300)
    expect((await queue.read(50, 200)).equals(pattern(50, 200))).toBe(true)
    expect(queue.readSync(0, 300).equals(pattern(0, 300))).toBe(true)
    expect(queue.cached(100, 200)?.equals(pattern(100, 200))).toBe(true)
    expect(queue.commit()).toBe(300)
    expect(queue.pendingBytes).toBe(0)
    expect(onDisk(dir).equals(pattern(0, 300))).toBe(true)
    put(queue, 10)
    expect(pendingCalls()).toBe(2)
  })

  it('reads spanning written and buffered bytes, and across chunks, return the right bytes', async () => {
    const { queue } = open({ chunkSize: 256 })
    put(queue, 200)
    queue.commit() // written, then released (retainBytes 0)
    expect(queue.cached(0, 10)).toBeUndefined()
    put(queue, 200) // 56 bytes fit no chunk: a new one
    put(queue, 200)
    expect((await queue.read(100, 400)).equals(pattern(100, 400))).toBe(true)
    expect((await queue.read(100, 400, true)).equals(pattern(100, 400))).toBe(true)
    expect(queue.readSync(0, 10_000).equals(pattern(0, 600))).toBe(true) // clamped to the appended bytes
  })

  it('writes a filled chunk at once when the next one starts, so little is ever pending', () => {
    const { queue, dir } = open({ chunkSize: 256 })
    put(queue, 200)
    put(queue, 200)
    expect(onDisk(dir).length).toBe(200)
    expect(queue.pendingBytes).toBe(200)
  })

  it('keeps written chunks up to retainBytes (oldest dropped first) and never drops unwritten ones', () => {
    const { queue } = open({ chunkSize: 512, retainBytes: 1024 })
    for (let i = 0; i < 6; i++) put(queue, 500) // 6 chunks of 512 bytes
    queue.commit()
    expect(queue.cached(2500, 500)?.equals(pattern(2500, 500))).toBe(true)
    expect(queue.cached(2000, 500)?.equals(pattern(2000, 500))).toBe(true)
    expect(queue.cached(1500, 500)).toBeUndefined()
    const { queue: tight } = open({ chunkSize: 512, retainBytes: 0 })
    for (let i = 0; i < 3; i++) put(tight, 500)
    expect(tight.cached(1000, 500)).toBeDefined() // pending: kept whatever the budget
  })

  it('flush writes the buffer before it fsyncs', async () => {
    const { queue, dir } = open()
    put(queue, 300)
    const sizesAtFsync: number[] = []
    await queue.flush(async (fd) => {
      sizesAtFsync.push(fs.fstatSync(fd).size)
      await fdatasync(fd)
    })
    expect(sizesAtFsync.at(-1)).toBe(300)
    expect(queue.last!.flushedPosition).toBe(300)
    expect(onDisk(dir).equals(pattern(0, 300))).toBe(true)
  })

  it('a file counts as flushed only up to what was written', async () => {
    const { queue } = open()
    put(queue, 300)
    const segment = queue.last!
    await segment.sync(fdatasync) // nothing written yet: no claim beyond committedPosition
    expect(segment.flushedPosition).toBe(0)
  })

  it('closeAll writes the buffer before closing', () => {
    const { queue, dir } = open()
    put(queue, 123)
    queue.closeAll()
    expect(onDisk(dir).equals(pattern(0, 123))).toBe(true)
  })

  it('truncateTo cuts buffered bytes without rewriting memory handed to readers', () => {
    const { queue, dir } = open({ chunkSize: 1024 })
    put(queue, 100)
    queue.commit()
    put(queue, 100)
    const held = queue.cached(100, 100)!
    const copy = Buffer.from(held)
    queue.truncateTo(150) // inside the buffered part: the file is not cut, the chunk is sealed
    expect(queue.maxOffset).toBe(150)
    const next = put(queue, 80)
    expect(next).toBe(150)
    expect(held.equals(copy)).toBe(true)
    queue.commit()
    expect(onDisk(dir).equals(Buffer.concat([pattern(0, 150), pattern(150, 80)]))).toBe(true)
    queue.truncateTo(50) // inside the written part: the file is cut
    expect(onDisk(dir).length).toBe(50)
    expect(queue.readSync(0, 1000).equals(pattern(0, 50))).toBe(true)
  })

  it('buffers per file: bytes of a full file and of the next one land in their own files', () => {
    const { queue, dir } = open({ chunkSize: 1024 })
    put(queue, FILE_SIZE - 100)
    put(queue, 100) // fills the first file
    const second = put(queue, 50)
    expect(second).toBe(FILE_SIZE)
    queue.commit()
    expect(onDisk(dir).equals(pattern(0, FILE_SIZE))).toBe(true)
    expect(onDisk(dir, String(FILE_SIZE).padStart(20, '0')).equals(pattern(FILE_SIZE, 50))).toBe(true)
  })
})
