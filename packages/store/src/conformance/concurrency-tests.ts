import { decodeMessageRecord } from '@cometmq/protocol'
import { describe, expect, it } from 'vitest'
import type { MessageStore } from '../message-store.js'
import { TOPIC, message, useHarness } from './harness.js'
import type { ConformanceOptions } from './harness.js'

async function readAll(store: MessageStore, queueId: number): Promise<Array<{ producer: number; seq: number; queueOffset: number }>> {
  const out: Array<{ producer: number; seq: number; queueOffset: number }> = []
  let offset = 0
  for (;;) {
    const got = await store.getMessage({ topic: TOPIC, queueId, offset, maxMsgNums: 64 })
    if (got.status !== 'FOUND') return out
    for (const m of got.messages) {
      const decoded = decodeMessageRecord(m)
      const [producer, seq] = decoded.body.toString().split(':').map(Number) as [number, number]
      out.push({ producer, seq, queueOffset: decoded.queueOffset })
    }
    offset = got.nextBeginOffset
  }
}

export function concurrencyTests(options: ConformanceOptions): void {
  describe('concurrent producers', () => {
    const h = useHarness(options)

    for (const flushDiskType of ['ASYNC_FLUSH', 'SYNC_FLUSH'] as const) {
      it(`many producers on one queue keep each producer's order, offsets dense (${flushDiskType})`, async () => {
        const store = await h.open(h.config({ flushDiskType }))
        const producers = 10
        const perProducer = 30
        await Promise.all(
          Array.from({ length: producers }, async (_, p) => {
            for (let seq = 0; seq < perProducer; seq++) {
              const result = await store.putMessage(message({ body: Buffer.from(`${p}:${seq}`) }))
              expect(result.status).toBe('PUT_OK')
            }
          }),
        )
        const all = await readAll(store, 0)
        expect(all.map((m) => m.queueOffset)).toEqual(Array.from({ length: producers * perProducer }, (_, i) => i))
        for (let p = 0; p < producers; p++) {
          expect(all.filter((m) => m.producer === p).map((m) => m.seq)).toEqual(Array.from({ length: perProducer }, (_, i) => i))
        }
      })
    }

    it('puts fired without awaiting get unique dense offsets per queue', async () => {
      const store = await h.open()
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => store.putMessage(message({ queueId: i % 4, body: Buffer.from(`${i}:${i}`) }))),
      )
      for (let q = 0; q < 4; q++) {
        const offsets = results.filter((_, i) => i % 4 === q).map((r) => r.appendResult!.queueOffset)
        expect([...offsets].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i))
        expect(store.getMaxOffsetInQueue(TOPIC, q)).toBe(50)
        expect((await readAll(store, q)).map((m) => m.queueOffset)).toEqual(Array.from({ length: 50 }, (_, i) => i))
      }
    })
  })
}
