import { afterEach, describe, expect, it, vi } from 'vitest'
import { MemoryMessageStore } from './adapters/memory/index.js'

describe('MessageStore base: retention timer lifecycle', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it('close() during open() (while the first disk check runs) leaves no retention timer behind', async () => {
    const live = new Set<unknown>()
    const realSet = globalThis.setInterval
    const realClear = globalThis.clearInterval
    vi.spyOn(globalThis, 'setInterval').mockImplementation(((fn: () => void, ms?: number) => {
      const handle = realSet(fn, ms)
      live.add(handle)
      return handle
    }) as typeof setInterval)
    vi.spyOn(globalThis, 'clearInterval').mockImplementation(((handle: NodeJS.Timeout) => {
      live.delete(handle)
      realClear(handle)
    }) as typeof clearInterval)
    let release: ((ratio: number) => void) | undefined
    const store = new MemoryMessageStore({ diskUsage: () => new Promise<number>((resolve) => (release = resolve)) })
    const opening = store.open()
    await vi.waitFor(() => expect(release).toBeDefined(), { timeout: 2000 })
    const closing = store.close()
    release!(10)
    await opening
    await closing
    expect(store.status).toBe('closed')
    expect(live.size).toBe(0)
  })
})
