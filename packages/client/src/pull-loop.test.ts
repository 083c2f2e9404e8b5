import { describe, expect, it } from 'vitest'
import { PullSysFlag, encodeMessageRecord, noopLogger } from '@cometmq/protocol'
import type { SubscriptionData } from '@cometmq/protocol'
import { allocateMessageQueueAveragely } from './allocate.js'
import type { PullRequestFields, RawPullResult } from './client-api.js'
import { ProcessQueue } from './process-queue.js'
import { runPullLoop } from './pull-loop.js'
import type { PushConsumerConfig, PushContext } from './push-context.js'
import type { ConsumedMessage, MessageQueue } from './types.js'

const mq: MessageQueue = { topic: 'T', brokerName: 'broker-a', queueId: 0 }

const config: PushConsumerConfig = {
  consumerGroup: 'CG', consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET', consumeTimestamp: '20240101000000', pullBatchSize: 32,
  consumeMessageBatchMaxSize: 1, maxReconsumeTimes: 16, consumeConcurrency: 1, persistConsumerOffsetInterval: 5000,
  rebalanceInterval: 20_000, pullThresholdForQueue: 1000, pullThresholdSizeForQueue: 100, suspendTimeoutMillis: 15_000,
  pullTimeoutMs: 30_000, pullTimeDelayMillsWhenException: 3000, consumeRetryLaterMillis: 5000,
  allocateMessageQueueStrategy: allocateMessageQueueAveragely,
}

const subscription: SubscriptionData = { topic: 'T', subString: '*', tagsSet: [], codeSet: [], subVersion: 1, expressionType: 'TAG', classFilterMode: false }

function body(offsets: number[]): Buffer {
  return Buffer.concat(
    offsets.map((queueOffset) =>
      encodeMessageRecord({
        topic: 'T', queueId: 0, flag: 0, body: Buffer.from(`m${queueOffset}`), propertiesString: '', sysFlag: 0,
        bornTimestamp: 1, bornHost: { host: '127.0.0.1', port: 1 }, storeHost: { host: '127.0.0.1', port: 2 },
        reconsumeTimes: 0, preparedTransactionOffset: 0, queueOffset, commitLogOffset: 100 * queueOffset, storeTimestamp: 2,
      }),
    ),
  )
}

const result = (pullStatus: RawPullResult['pullStatus'], nextBeginOffset: number, offsets: number[] = []): RawPullResult => ({
  pullStatus, nextBeginOffset, minOffset: 0, maxOffset: nextBeginOffset, suggestWhichBrokerId: 0, body: offsets.length > 0 ? body(offsets) : null,
})

/** A PushContext whose PULL_MESSAGE is `pull` and whose offset store is a plain variable. */
function context(pull: (fields: PullRequestFields, signal: AbortSignal | undefined) => Promise<RawPullResult>, initialOffset = -1) {
  const state = { offset: initialOffset, updates: [] as number[], submitted: [] as ConsumedMessage[] }
  const ctx = {
    instance: {
      findBrokerAddressInSubscribe: () => ({ addr: '127.0.0.1:10911', brokerId: 0 }),
      updateTopicRoute: async () => null,
      api: { pullMessage: (_addr: string, fields: PullRequestFields, options?: { signal?: AbortSignal }) => pull(fields, options?.signal) },
    },
    config,
    logger: noopLogger,
    offsetStore: {
      readOffset: () => state.offset,
      updateOffset: (_mq: MessageQueue, offset: number) => {
        state.updates.push(offset)
        state.offset = offset
      },
      persist: async () => undefined,
    },
    subscriptions: new Map([['T', subscription]]),
    retryTopic: '%RETRY%CG',
    submitConsume: (messages: ConsumedMessage[]) => {
      state.submitted.push(...messages)
    },
    listener: undefined,
  } as unknown as PushContext
  return { ctx, state }
}

const shutdownReason = (): DOMException => new DOMException('consumer shutting down', 'AbortError')

describe('runPullLoop', () => {
  it('discards a FOUND response that completes in the same tick as the shutdown abort', async () => {
    const pq = new ProcessQueue()
    const { ctx, state } = context(
      () =>
        new Promise((resolve) => {
          setImmediate(() => {
            // The response is processed, then (same tick, before the loop resumes) shutdown aborts the queue.
            resolve(result('FOUND', 2, [0, 1]))
            pq.abortController.abort(shutdownReason())
          })
        }),
    )
    await runPullLoop(ctx, mq, pq, 0)
    expect(pq.messageCount).toBe(0)
    expect(pq.maxOffset).toBe(-1)
    expect(state.submitted).toEqual([])
    expect(state.updates).toEqual([])
  })

  it('moves no offset for a NO_NEW_MSG that completes together with the abort', async () => {
    const pq = new ProcessQueue()
    const { ctx, state } = context(
      () =>
        new Promise((resolve) => {
          setImmediate(() => {
            resolve(result('NO_NEW_MSG', 40))
            pq.abortController.abort(shutdownReason())
          })
        }),
      7,
    )
    await runPullLoop(ctx, mq, pq, 7)
    expect(state.updates).toEqual([])
    expect(state.offset).toBe(7)
  })

  it('sends COMMIT_OFFSET only while no pulled message of the queue is unconsumed', async () => {
    const pq = new ProcessQueue()
    const sent: PullRequestFields[] = []
    const { ctx, state } = context(async (fields, signal) => {
      sent.push(fields)
      await new Promise((resolve) => setImmediate(resolve))
      switch (sent.length) {
        case 1:
          return result('FOUND', 7, [5, 6])
        case 2:
          // Still holding 5 and 6 when this pull was sent. Now they are consumed.
          state.offset = pq.removeMessages(state.submitted)
          return result('NO_NEW_MSG', 7)
        default:
          pq.abortController.abort(shutdownReason())
          throw signal?.reason
      }
    }, 5)
    await runPullLoop(ctx, mq, pq, 5)
    expect(sent.map((f) => [f.queueOffset, PullSysFlag.hasCommitOffsetFlag(f.sysFlag), f.commitOffset])).toEqual([
      [5, true, 5],
      [7, false, 0], // two messages in flight: a commit offset sent now could land after the final commit
      [7, true, 7],
    ])
    expect(state.submitted.map((m) => m.queueOffset)).toEqual([5, 6])
  })
})
