import { decodeMessageRecord } from '@cometmq/protocol'
import { describe, expect, it } from 'vitest'
import { message, useHarness, errorCodeOf } from './harness.js'
import type { ConformanceOptions } from './harness.js'

export function commitLogReadTests(options: ConformanceOptions, supported: boolean): void {
  describe('readCommitLog', () => {
    const h = useHarness(options)
    if (!supported) {
      it('throws STORE_NOT_SUPPORTED when supports.commitLogRead is false', async () => {
        const store = await h.open()
        expect(await errorCodeOf(() => store.readCommitLog(0, 10))).toBe('STORE_NOT_SUPPORTED')
      })
      return
    }

    it('returns raw records from an offset, and nothing at the end', async () => {
      const store = await h.open()
      const first = (await store.putMessage(message({ body: Buffer.from('r0') }))).appendResult!
      const second = (await store.putMessage(message({ body: Buffer.from('r1') }))).appendResult!
      const bytes = await store.readCommitLog(first.wroteOffset, 1 << 20)
      expect(decodeMessageRecord(bytes, 0).body.toString()).toBe('r0')
      expect(decodeMessageRecord(bytes, second.wroteOffset - first.wroteOffset).body.toString()).toBe('r1')
      expect((await store.readCommitLog(second.wroteOffset, 10)).length).toBe(10)
      expect((await store.readCommitLog(store.getMaxPhyOffset(), 10)).length).toBe(0)
    })

    it('rejects offsets outside [minPhyOffset, maxPhyOffset] with BAD_ARGUMENT', async () => {
      const store = await h.open()
      await store.putMessage(message())
      expect(await errorCodeOf(() => store.readCommitLog(store.getMaxPhyOffset() + 1, 10))).toBe('BAD_ARGUMENT')
      expect(await errorCodeOf(() => store.readCommitLog(0, 0))).toBe('BAD_ARGUMENT')
    })
  })
}
