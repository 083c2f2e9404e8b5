import { noopLogger } from '@cometmq/protocol'
import { describe, expect, it } from 'vitest'
import { CommitScheduler } from './commit-scheduler.js'
import type { SegmentFileQueue } from './segment-file-queue.js'

/** A stand-in queue counting commits; `failures` commits throw first. */
function fakeQueue(failures = 0) {
  const queue = {
    dir: '/fake',
    pendingBytes: 1,
    commits: 0,
    commit(): number {
      queue.commits++
      if (queue.commits <= failures) throw new Error('EIO: i/o error, write')
      return 1
    },
  }
  return queue
}

describe('CommitScheduler', () => {
  it('runs once per turn for every queue added during it, then resolves written()', async () => {
    const tasks: Array<() => void> = []
    const scheduler = new CommitScheduler(noopLogger, (task) => tasks.push(task))
    const a = fakeQueue()
    const b = fakeQueue()
    expect(await scheduler.written()).toBe(true) // nothing pending
    scheduler.add(a as unknown as SegmentFileQueue)
    scheduler.add(b as unknown as SegmentFileQueue)
    scheduler.add(a as unknown as SegmentFileQueue)
    expect(tasks).toHaveLength(1)
    let resolved: boolean | undefined
    void scheduler.written().then((ok) => (resolved = ok))
    await Promise.resolve()
    expect(resolved).toBeUndefined()
    tasks[0]!()
    await Promise.resolve()
    expect(resolved).toBe(true)
    expect([a.commits, b.commits]).toEqual([1, 1])
  })

  it('keeps a queue whose write failed, reports failing, and retries with the next run', async () => {
    const tasks: Array<() => void> = []
    const scheduler = new CommitScheduler(noopLogger, (task) => tasks.push(task))
    const queue = fakeQueue(1)
    scheduler.add(queue as unknown as SegmentFileQueue)
    const written = scheduler.written()
    tasks.shift()!()
    expect(await written).toBe(false)
    expect(scheduler.failing).toBe(true)
    expect(await scheduler.written()).toBe(false)
    expect(scheduler.run()).toBe(true) // retried: the queue stayed registered
    expect(queue.commits).toBe(2)
    expect(scheduler.failing).toBe(false)
    expect(await scheduler.written()).toBe(true)
  })

  it('after stop() schedules nothing and a pending run writes nothing', async () => {
    const tasks: Array<() => void> = []
    const scheduler = new CommitScheduler(noopLogger, (task) => tasks.push(task))
    const queue = fakeQueue()
    scheduler.add(queue as unknown as SegmentFileQueue)
    scheduler.stop()
    tasks.shift()!()
    scheduler.add(queue as unknown as SegmentFileQueue)
    expect(tasks).toHaveLength(0)
    expect(queue.commits).toBe(0)
  })

  it('defaults to setImmediate: one write after the I/O of this turn', async () => {
    const scheduler = new CommitScheduler(noopLogger)
    const queue = fakeQueue()
    scheduler.add(queue as unknown as SegmentFileQueue)
    expect(queue.commits).toBe(0)
    expect(await scheduler.written()).toBe(true)
    expect(queue.commits).toBe(1)
  })
})
