import { decodeMessageRecord, MessageSysFlag, tagsStringToTagsCode } from '@cometmq/protocol'
import { describe, expect, it } from 'vitest'
import type { GetMessageResult, MessageArrivedEvent } from '../types.js'
import { TOPIC, batch, message, useHarness } from './harness.js'
import type { ConformanceOptions } from './harness.js'

export function messageArrivedTests(options: ConformanceOptions): void {
  describe('onMessageArrived', () => {
    const h = useHarness(options)

    it('fires once per message, in order, with queue, offset, tagsCode and store time', async () => {
      const store = await h.open()
      const events: MessageArrivedEvent[] = []
      store.onMessageArrived((e) => events.push(e))
      const one = (await store.putMessage(message({ queueId: 2, tags: 'TagA' }))).appendResult!
      const many = (await store.putMessages(batch(['x', 'y'], { queueId: 2 }, 'TagB'))).appendResult!
      expect(events).toEqual([
        { topic: TOPIC, queueId: 2, queueOffset: 0, tagsCode: tagsStringToTagsCode('TagA'), storeTimestamp: one.storeTimestamp },
        { topic: TOPIC, queueId: 2, queueOffset: 1, tagsCode: tagsStringToTagsCode('TagB'), storeTimestamp: many.storeTimestamp },
        { topic: TOPIC, queueId: 2, queueOffset: 2, tagsCode: tagsStringToTagsCode('TagB'), storeTimestamp: many.storeTimestamp },
      ])
    })

    it('the message is visible to getMessage when the listener runs', async () => {
      const store = await h.open()
      const reads: Array<Promise<GetMessageResult>> = []
      store.onMessageArrived((e) => {
        reads.push(store.getMessage({ topic: e.topic, queueId: e.queueId, offset: e.queueOffset, maxMsgNums: 1 }))
      })
      await store.putMessage(message({ body: Buffer.from('first') }))
      await store.putMessage(message({ body: Buffer.from('second') }))
      const results = await Promise.all(reads)
      expect(results.map((r) => r.status)).toEqual(['FOUND', 'FOUND'])
      expect(results.map((r) => decodeMessageRecord(r.messages[0]!).body.toString())).toEqual(['first', 'second'])
    })

    it('a throwing or rejecting listener breaks neither the put nor other listeners', async () => {
      const store = await h.open()
      const seen: number[] = []
      store.onMessageArrived(() => {
        throw new Error('listener bug')
      })
      store.onMessageArrived(async () => {
        throw new Error('async listener bug')
      })
      store.onMessageArrived((e) => seen.push(e.queueOffset))
      expect((await store.putMessage(message())).status).toBe('PUT_OK')
      expect((await store.putMessage(message())).status).toBe('PUT_OK')
      expect(seen).toEqual([0, 1])
    })

    it('unsubscribing stops events; PREPARED records fire none', async () => {
      const store = await h.open()
      const seen: number[] = []
      const off = store.onMessageArrived((e) => seen.push(e.queueOffset))
      await store.putMessage(message({ sysFlag: MessageSysFlag.TRANSACTION_PREPARED_TYPE }))
      await store.putMessage(message())
      off()
      await store.putMessage(message())
      expect(seen).toEqual([0])
    })
  })
}
