import crypto from 'node:crypto'
import fs from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { SegmentFile } from './segment-file.js'

/** Keeps every libuv thread-pool thread busy for a while, so a read issued next waits in the pool's queue. */
function occupyThreadPool(): Promise<unknown> {
  const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4)
  return Promise.all(Array.from({ length: threads }, () => new Promise((resolve) => crypto.pbkdf2('p', 's', 50_000, 32, 'sha256', resolve))))
}

describe('SegmentFile deletion (retention)', () => {
  let dirs: string[] = []
  afterEach(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true })
    dirs = []
  })

  it('destroyWhenIdle closes and unlinks only after pending async reads and fsyncs; later reads find nothing', async () => {
    const dir = fs.mkdtempSync(join(tmpdir(), 'cometmq-segment-'))
    dirs.push(dir)
    const segment = SegmentFile.create(dir, 0, 4096)
    segment.appended(11)
    segment.write(Buffer.from('hello world'), 0, 11)
    const busy = occupyThreadPool()
    const out = Buffer.alloc(11)
    const reading = segment.readInto(out, 0, 0, 11) // queued behind the busy pool
    let fsyncs = 0
    const syncing = segment.sync(async (fd) => {
      fsyncs++
      await new Promise<void>((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())))
    })
    const destroying = segment.destroyWhenIdle()
    expect(fs.existsSync(segment.path)).toBe(true)
    expect(await reading).toBe(11)
    expect(out.toString()).toBe('hello world')
    await syncing
    expect(fsyncs).toBe(1)
    await destroying
    expect(fs.existsSync(segment.path)).toBe(false)
    expect(await segment.readInto(out, 0, 0, 11)).toBe(0)
    expect(await segment.sync(async () => {
      throw new Error('a deleted file is not fsynced')
    })).toBe(false)
    await busy
  })
})
