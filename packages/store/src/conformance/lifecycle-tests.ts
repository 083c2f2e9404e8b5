import { MQError } from '@cometmq/protocol'
import { describe, expect, it } from 'vitest'
import type { MessageStore } from '../message-store.js'
import { StoreError } from '../store-error.js'
import { TOPIC, batch, errorCodeOf, message, useHarness } from './harness.js'
import type { ConformanceOptions } from './harness.js'

/** Every public operation except onMessageArrived (allowed in any state). */
const OPERATIONS: Array<[string, (store: MessageStore) => unknown]> = [
  ['putMessage', (s) => s.putMessage(message())],
  ['putMessages', (s) => s.putMessages(batch(['a', 'b']))],
  ['getMessage', (s) => s.getMessage({ topic: TOPIC, queueId: 0, offset: 0, maxMsgNums: 1 })],
  ['getMaxOffsetInQueue', (s) => s.getMaxOffsetInQueue(TOPIC, 0)],
  ['getMinOffsetInQueue', (s) => s.getMinOffsetInQueue(TOPIC, 0)],
  ['getOffsetInQueueByTime', (s) => s.getOffsetInQueueByTime(TOPIC, 0, Date.now())],
  ['getEarliestMessageTime', (s) => s.getEarliestMessageTime(TOPIC, 0)],
  ['lookMessageByOffset', (s) => s.lookMessageByOffset(0)],
  ['selectOneMessageByOffset', (s) => s.selectOneMessageByOffset(0)],
  ['getMaxPhyOffset', (s) => s.getMaxPhyOffset()],
  ['getMinPhyOffset', (s) => s.getMinPhyOffset()],
  ['readCommitLog', (s) => s.readCommitLog(0, 16)],
]

export function lifecycleTests(options: ConformanceOptions): void {
  describe('lifecycle', () => {
    const h = useHarness(options)

    it.each(OPERATIONS)('%s on a never-opened store throws STORE_NOT_OPEN', async (_name, op) => {
      const store = h.create()
      expect(await errorCodeOf(() => op(store))).toBe('STORE_NOT_OPEN')
    })

    it.each(OPERATIONS)('%s on a closed store throws STORE_CLOSED', async (_name, op) => {
      const store = await h.open()
      await store.close()
      expect(await errorCodeOf(() => op(store))).toBe('STORE_CLOSED')
    })

    it('state errors are StoreErrors (MQError, stable code, not retriable)', async () => {
      const store = h.create()
      const err = await store.getMessage({ topic: TOPIC, queueId: 0, offset: 0, maxMsgNums: 1 }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(StoreError)
      expect(MQError.isInstance(err)).toBe(true)
      expect(StoreError.isStoreError(err, 'STORE_NOT_OPEN')).toBe(true)
      expect((err as StoreError).retriable).toBe(false)
      expect(() => store.getMaxPhyOffset()).toThrow(StoreError)
    })

    it('open() and close() are idempotent; close() on a never-opened store is a no-op', async () => {
      const never = h.create()
      await never.close()
      expect(await errorCodeOf(() => never.getMaxPhyOffset())).toBe('STORE_NOT_OPEN')
      const store = h.create()
      await Promise.all([store.open(), store.open()])
      await store.open()
      expect(store.getMaxOffsetInQueue(TOPIC, 0)).toBe(0)
      await Promise.all([store.close(), store.close()])
      await store.close()
    })

    it('a closed store can be opened again', async () => {
      const store = await h.open()
      await store.close()
      await store.open()
      const result = await store.putMessage(message())
      expect(result.status).toBe('PUT_OK')
    })

    it('supports never changes across open and close', async () => {
      const store = h.create()
      const before = { ...store.supports }
      expect(typeof before.permanence).toBe('boolean')
      expect(typeof before.commitLogRead).toBe('boolean')
      await store.open()
      expect({ ...store.supports }).toEqual(before)
      await store.close()
      expect({ ...store.supports }).toEqual(before)
      expect(Object.isFrozen(store.supports)).toBe(true)
    })

    it('close() waits for in-flight puts, which all complete', async () => {
      const store = await h.open()
      const puts = Array.from({ length: 20 }, (_, i) => store.putMessage(message({ body: Buffer.from(`m${i}`) })))
      await store.close()
      const results = await Promise.all(puts)
      expect(results.map((r) => r.status)).toEqual(Array(20).fill('PUT_OK'))
    })

    it('onMessageArrived may be registered before open()', async () => {
      const store = h.create()
      const seen: number[] = []
      store.onMessageArrived((e) => seen.push(e.queueOffset))
      await store.open()
      await store.putMessage(message())
      expect(seen).toEqual([0])
    })

    it('wrong argument types throw BAD_ARGUMENT', async () => {
      const store = await h.open()
      const bad = (v: unknown): never => v as never
      const cases: Array<() => unknown> = [
        () => store.putMessage(message({ queueId: -1 })),
        () => store.putMessage(message({ queueId: 1.5 })),
        () => store.putMessage(message({ topic: '' })),
        () => store.putMessage(message({ body: bad('not a buffer') })),
        () => store.putMessage(message({ bornHost: bad({ host: 'not-an-ip', port: 1 }) })),
        () => store.putMessage(bad(null)),
        () => store.putMessages(batch([])),
        () => store.getMessage({ topic: TOPIC, queueId: 0, offset: 0, maxMsgNums: 0 }),
        () => store.getMessage({ topic: TOPIC, queueId: 0, offset: 0.5, maxMsgNums: 1 }),
        () => store.getMessage({ topic: TOPIC, queueId: 0, offset: 0, maxMsgNums: 1, maxTotalBytes: 0 }),
        () => store.getMaxOffsetInQueue(TOPIC, -1),
        () => store.getOffsetInQueueByTime(TOPIC, 0, Number.NaN),
        () => store.lookMessageByOffset(bad('0')),
      ]
      for (const fn of cases) expect(await errorCodeOf(fn)).toBe('BAD_ARGUMENT')
      expect(store.getMaxOffsetInQueue(TOPIC, 0)).toBe(0)
    })
  })
}
