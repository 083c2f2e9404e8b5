import { decodeMessageRecord } from '@cometmq/protocol'
import { describe, expect, it } from 'vitest'
import { TOPIC, batch, message, useHarness } from './harness.js'
import type { ConformanceOptions } from './harness.js'
import { expectRetainedFrom, fill, retentionConfig } from './retention-tests.js'

/** Disk-full refusal (diskSpaceWarningLevelRatio, default 90 %) and clean-up under pressure (diskMaxUsedSpaceRatio, default 75 %). */
export function diskFullTests(options: ConformanceOptions): void {
  describe('disk full', () => {
    const h = useHarness(options)

    it('refuses puts with SERVICE_NOT_AVAILABLE while the disk is full, and accepts them once space is back', async () => {
      let ratio = 95
      const store = await h.open(h.config({ diskUsage: async () => ratio }))
      expect(store.diskFull).toBe(true)
      expect(store.diskUsage).toBe(95)
      const single = await store.putMessage(message())
      expect(single.status).toBe('SERVICE_NOT_AVAILABLE')
      expect(single.remark).toMatch(/disk/i)
      expect(single.appendResult).toBeUndefined()
      const many = await store.putMessages(batch(['a', 'b']))
      expect(many.status).toBe('SERVICE_NOT_AVAILABLE')
      expect(many.remark).toMatch(/disk/i)
      expect(store.getMaxOffsetInQueue(TOPIC, 0)).toBe(0)
      expect(store.getMaxPhyOffset()).toBe(0)

      ratio = 50
      await store.deleteExpiredFiles()
      expect(store.diskFull).toBe(false)
      expect(store.diskUsage).toBe(50)
      const ok = await store.putMessage(message({ body: Buffer.from('after') }))
      expect(ok.status).toBe('PUT_OK')
      expect(ok.appendResult!.queueOffset).toBe(0)
      expect((await store.putMessages(batch(['c', 'd']))).status).toBe('PUT_OK')
      expect(store.getMaxOffsetInQueue(TOPIC, 0)).toBe(3)
    })

    it('a disk that fills up while open stops puts at the next check; stored messages stay readable', async () => {
      let ratio = 40
      const store = await h.open(h.config({ diskUsage: async () => ratio }))
      expect(store.diskFull).toBe(false)
      expect((await store.putMessage(message({ body: Buffer.from('before') }))).status).toBe('PUT_OK')
      ratio = 91
      await store.deleteExpiredFiles()
      expect(store.diskFull).toBe(true)
      expect((await store.putMessage(message())).status).toBe('SERVICE_NOT_AVAILABLE')
      const got = await store.getMessage({ topic: TOPIC, queueId: 0, offset: 0, maxMsgNums: 8 })
      expect(got.status).toBe('FOUND')
      expect(got.messages.map((m) => decodeMessageRecord(m).body.toString())).toEqual(['before'])
    })

    it('under disk pressure (diskMaxUsedSpaceRatio) a run deletes old segments even if unexpired, unless cleanFileForciblyEnable is false', async () => {
      let ratio = 10
      const store = await h.open(retentionConfig(h, { diskUsage: async () => ratio }))
      const stored = await fill(store)
      ratio = 80
      const report = await store.deleteExpiredFiles()
      expect(report.deletedSegments).toBeGreaterThan(0)
      expect(store.diskFull).toBe(false)
      await expectRetainedFrom(store, stored, report.minPhyOffset)

      let otherRatio = 10
      const polite = await h.open(retentionConfig(h, { diskUsage: async () => otherRatio, cleanFileForciblyEnable: false }))
      const politeStored = await fill(polite)
      otherRatio = 80
      expect((await polite.deleteExpiredFiles()).deletedSegments).toBe(0)
      await expectRetainedFrom(polite, politeStored, 0)
    })
  })
}
