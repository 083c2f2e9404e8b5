import { decodeMessageRecord } from '@cometmq/protocol'
import { describe, expect, it } from 'vitest'
import type { MessageStore } from '../message-store.js'
import { TEST_MAX_MESSAGE_SIZE, batch, message, useHarness } from './harness.js'
import type { ConformanceOptions } from './harness.js'

interface Snapshot {
  maxOffsets: Record<string, number>
  records: Record<string, string[]>
  maxPhyOffset: number
  minPhyOffset: number
}

const QUEUES: Array<[string, number]> = [
  ['ReopenA', 0],
  ['ReopenA', 1],
  ['ReopenB', 0],
]

async function snapshot(store: MessageStore): Promise<Snapshot> {
  const snap: Snapshot = { maxOffsets: {}, records: {}, maxPhyOffset: store.getMaxPhyOffset(), minPhyOffset: store.getMinPhyOffset() }
  for (const [topic, queueId] of QUEUES) {
    const key = `${topic}/${queueId}`
    snap.maxOffsets[key] = store.getMaxOffsetInQueue(topic, queueId)
    const records: string[] = []
    let offset = 0
    for (;;) {
      const got = await store.getMessage({ topic, queueId, offset, maxMsgNums: 64 })
      if (got.status !== 'FOUND') break
      records.push(...got.messages.map((m) => m.toString('hex')))
      offset = got.nextBeginOffset
    }
    snap.records[key] = records
  }
  return snap
}

async function fill(store: MessageStore): Promise<void> {
  let i = 0
  for (const [topic, queueId] of QUEUES) {
    for (let n = 0; n < 15; n++, i++) {
      const body = i % 5 === 0 ? Buffer.alloc(TEST_MAX_MESSAGE_SIZE, i) : Buffer.from(`msg-${i}`)
      expect((await store.putMessage(message({ topic, queueId, body, tags: `T${i % 3}` }))).status).toBe('PUT_OK')
    }
    expect((await store.putMessages(batch(['b0', 'b1', 'b2'], { topic, queueId }))).status).toBe('PUT_OK')
  }
}

export function reopenTests(options: ConformanceOptions): void {
  describe('reopen (supports.permanence)', () => {
    const h = useHarness(options)

    it('a new store on the same directory sees every message, byte-identical', async () => {
      const config = h.config()
      const first = await h.open(config)
      await fill(first)
      const before = await snapshot(first)
      await first.close()
      const second = await h.open(config)
      expect(await snapshot(second)).toEqual(before)
      const look = await second.lookMessageByOffset(0)
      expect(look).not.toBeNull()
    })

    it('puts after reopening continue queue and commit-log offsets', async () => {
      const config = h.config()
      const first = await h.open(config)
      await fill(first)
      const maxPhy = first.getMaxPhyOffset()
      await first.close()
      const second = await h.open(config)
      const result = await second.putMessage(message({ topic: 'ReopenA', queueId: 1, body: Buffer.from('after') }))
      expect(result.appendResult!.queueOffset).toBe(18)
      expect(result.appendResult!.wroteOffset).toBeGreaterThanOrEqual(maxPhy)
      const got = await second.getMessage({ topic: 'ReopenA', queueId: 1, offset: 18, maxMsgNums: 1 })
      expect(decodeMessageRecord(got.messages[0]!).body.toString()).toBe('after')
    })

    it('the same instance keeps its data across close() and open(), repeatedly', async () => {
      const store = await h.open()
      await fill(store)
      const before = await snapshot(store)
      for (let i = 0; i < 2; i++) {
        await store.close()
        await store.open()
        expect(await snapshot(store)).toEqual(before)
      }
    })
  })
}
