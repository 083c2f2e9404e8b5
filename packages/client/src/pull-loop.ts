/**
 * The long-poll pull loop of one owned queue (RocketMQ `DefaultMQPushConsumerImpl.pullMessage` + `PullCallback`).
 *
 * Each round: wait for flow-control capacity → PULL_MESSAGE (sysFlag COMMIT_OFFSET when an offset > 0 is known, the
 * target is the master and no pulled message of the queue is still unconsumed, + SUSPEND + SUBSCRIPTION;
 * suspendTimeoutMillis 15000; RPC timeout 30000)
 * → FOUND: cache + hand to the consume service; NO_NEW_MSG / NO_MATCHED_MSG: move on to nextBeginOffset;
 * OFFSET_ILLEGAL: adopt nextBeginOffset and commit it; errors: back off 3 s. Ends when the queue is dropped or
 * its AbortSignal fires (an in-flight long poll is aborted).
 */
import { MQClientError, MixAll, PullSysFlag } from '@cometmq/protocol'
import { delay } from './abort.js'
import type { ProcessQueue } from './process-queue.js'
import { processPullBody } from './pull-result.js'
import type { PushContext } from './push-context.js'
import type { MessageQueue } from './types.js'

/** Runs until `pq` is dropped or aborted. Never rejects. */
export async function runPullLoop(ctx: PushContext, mq: MessageQueue, pq: ProcessQueue, startOffset: number): Promise<void> {
  const { config, instance, logger } = ctx
  const signal = pq.abortController.signal
  const maxBytes = config.pullThresholdSizeForQueue * 1024 * 1024
  let nextOffset = startOffset
  let suggestBrokerId: number = MixAll.MASTER_ID
  logger.debug('pull loop started', { topic: mq.topic, brokerName: mq.brokerName, queueId: mq.queueId, queueOffset: nextOffset })
  while (!pq.dropped && !signal.aborted) {
    const wait = pq.waitForCapacity(config.pullThresholdForQueue, maxBytes)
    if (wait) {
      await wait
      continue
    }
    const subscription = ctx.subscriptions.get(mq.topic)
    try {
      if (!subscription) throw new MQClientError('NO_SUBSCRIPTION', `no subscription for topic ${mq.topic}`)
      let target = instance.findBrokerAddressInSubscribe(mq.brokerName, suggestBrokerId, false)
      if (!target) {
        await instance.updateTopicRoute(mq.topic)
        target = instance.findBrokerAddressInSubscribe(mq.brokerName, suggestBrokerId, false)
      }
      if (!target) throw new MQClientError('BROKER_NOT_FOUND', `The broker[${mq.brokerName}] not exist`, true)
      // COMMIT_OFFSET only while nothing pulled from this queue is still unconsumed. The broker evaluates a pull's
      // commitOffset when it gets round to the pull (CometMQ: after an asynchronous store read; Java: on another
      // executor than UPDATE_CONSUMER_OFFSET), possibly after a later UPDATE_CONSUMER_OFFSET on the same connection.
      // A pull sent right after a FOUND carries the offset from before that batch; if the batch is consumed and the
      // consumer shuts down (or releases the queue) at once, that stale value would overwrite the final commit and
      // rewind the group by a whole batch. With nothing in flight the in-memory offset cannot move before this pull
      // is answered, so the value sent can never be older than a later commit.
      const commitOffset = target.brokerId === MixAll.MASTER_ID && pq.messageCount === 0 ? ctx.offsetStore.readOffset(mq) : -1
      const result = await instance.api.pullMessage(
        target.addr,
        {
          consumerGroup: config.consumerGroup,
          topic: mq.topic,
          queueId: mq.queueId,
          queueOffset: nextOffset,
          maxMsgNums: config.pullBatchSize,
          sysFlag: PullSysFlag.buildSysFlag(commitOffset > 0, true, true, false),
          commitOffset: Math.max(commitOffset, 0),
          suspendTimeoutMillis: config.suspendTimeoutMillis,
          subscription: subscription.subString,
          subVersion: subscription.subVersion,
          expressionType: subscription.expressionType ?? 'TAG',
        },
        { timeoutMs: config.pullTimeoutMs, signal },
      )
      suggestBrokerId = result.suggestWhichBrokerId
      // A response that arrives together with the abort (shutdown / queue released) is discarded: no messages are
      // added or handed to the listener and no offset moves once stopping has begun.
      if (pq.dropped || signal.aborted) break
      switch (result.pullStatus) {
        case 'FOUND': {
          const messages = processPullBody(result.body, mq.brokerName, subscription, logger, ctx.retryTopic)
          nextOffset = result.nextBeginOffset
          if (messages.length === 0) {
            if (pq.messageCount === 0) ctx.offsetStore.updateOffset(mq, nextOffset, true)
            break
          }
          pq.putMessages(messages)
          ctx.submitConsume(messages, pq, mq)
          break
        }
        case 'NO_NEW_MSG':
        case 'NO_MATCHED_MSG':
          nextOffset = result.nextBeginOffset
          // Nothing in flight: the filtered/empty range is consumed (Java correctTagsOffset).
          if (pq.messageCount === 0) ctx.offsetStore.updateOffset(mq, nextOffset, true)
          break
        case 'OFFSET_ILLEGAL':
          logger.warn('pull offset illegal, adopting nextBeginOffset', {
            topic: mq.topic, brokerName: mq.brokerName, queueId: mq.queueId, queueOffset: nextOffset, nextBeginOffset: result.nextBeginOffset,
          })
          nextOffset = result.nextBeginOffset
          ctx.offsetStore.updateOffset(mq, nextOffset, false)
          await ctx.offsetStore.persist(mq).catch((error: unknown) => logger.warn('persist offset failed', { topic: mq.topic, error: String(error) }))
          break
      }
    } catch (error) {
      if (pq.dropped || signal.aborted) break
      logger.warn('pull failed, retrying later', {
        topic: mq.topic, brokerName: mq.brokerName, queueId: mq.queueId, queueOffset: nextOffset, error: String(error),
      })
      await delay(config.pullTimeDelayMillsWhenException, signal).catch(() => undefined)
    }
  }
  logger.debug('pull loop stopped', { topic: mq.topic, brokerName: mq.brokerName, queueId: mq.queueId, queueOffset: nextOffset })
}
