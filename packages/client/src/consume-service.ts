/**
 * Concurrent consumption (RocketMQ `ConsumeMessageConcurrentlyService`, CLUSTERING):
 * listener calls run on a bounded executor; CONSUME_SUCCESS (or no return value) acknowledges the batch;
 * RECONSUME_LATER (or a throw) sends every message back with CONSUMER_SEND_MSG_BACK (36) to the broker that holds
 * it, falling back to a resend to `%RETRY%<group>` via the internal producer (RETRY_TOPIC, ORIGIN_MESSAGE_ID,
 * RECONSUME_TIME, MAX_RECONSUME_TIMES, DELAY = 3 + reconsumeTimes). Messages that could not be sent back at all
 * stay in the process queue and are consumed again locally after `consumeRetryLaterMillis`.
 * After each batch the queue's consume offset becomes its smallest in-flight offset (or max + 1).
 */
import { MessageConst } from '@cometmq/protocol'
import { BoundedExecutor } from './bounded-executor.js'
import { copyMessageQueue } from './message-queue.js'
import type { ProcessQueue } from './process-queue.js'
import type { ProducerCore } from './producer-core.js'
import type { PushContext } from './push-context.js'
import type { ConsumeConcurrentlyStatus, ConsumeContext, ConsumedMessage, MessageQueue } from './types.js'

export class ConsumeService {
  readonly #executor: BoundedExecutor
  readonly #retryTimers = new Set<NodeJS.Timeout>()
  #stopped = false

  constructor(
    readonly ctx: PushContext,
    readonly retryProducer: ProducerCore,
  ) {
    this.#executor = new BoundedExecutor(ctx.config.consumeConcurrency)
  }

  /** Listener calls in flight plus those waiting for a slot. */
  get backlog(): number {
    return this.#executor.activeCount + this.#executor.pendingCount
  }

  /** Splits `messages` into batches of consumeMessageBatchMaxSize and queues them. */
  submit(messages: ConsumedMessage[], pq: ProcessQueue, mq: MessageQueue): void {
    if (this.#stopped) return
    const size = this.ctx.config.consumeMessageBatchMaxSize
    if (messages.length <= size) {
      this.#executor.submit(() => this.#consume(messages, pq, mq))
      return
    }
    for (let i = 0; i < messages.length; i += size) {
      const batch = messages.slice(i, i + size)
      this.#executor.submit(() => this.#consume(batch, pq, mq))
    }
  }

  /**
   * Stops accepting work, discards batches that have not started, cancels local retries and waits for the
   * listener calls in flight (their results still update offsets).
   */
  async shutdown(): Promise<void> {
    this.#stopped = true
    for (const timer of this.#retryTimers) clearTimeout(timer)
    this.#retryTimers.clear()
    this.#executor.clearPending()
    await this.#executor.whenIdle()
  }

  async #consume(messages: ConsumedMessage[], pq: ProcessQueue, mq: MessageQueue): Promise<void> {
    if (pq.dropped || this.#stopped) return
    const { ctx } = this
    const listener = ctx.listener
    const context: ConsumeContext = { messageQueue: copyMessageQueue(mq), delayLevelWhenNextConsume: 0 }
    let status: ConsumeConcurrentlyStatus = 'RECONSUME_LATER'
    try {
      if (!listener) throw new Error('no message listener')
      const result = await listener(messages, context)
      if (result === undefined || result === 'CONSUME_SUCCESS') status = 'CONSUME_SUCCESS'
      else if (result !== 'RECONSUME_LATER') ctx.logger.warn('listener returned an unknown status, treating it as RECONSUME_LATER', { status: String(result) })
    } catch (error) {
      ctx.logger.warn('listener threw, messages will be redelivered', {
        consumerGroup: ctx.config.consumerGroup, topic: mq.topic, queueId: mq.queueId, error: String(error),
      })
    }
    if (pq.dropped) {
      ctx.logger.debug('queue dropped while consuming, result not applied', { topic: mq.topic, brokerName: mq.brokerName, queueId: mq.queueId })
      return
    }
    let done = messages
    if (status === 'RECONSUME_LATER') {
      const failed: ConsumedMessage[] = []
      await Promise.all(
        messages.map(async (message) => {
          if (!(await this.#sendMessageBack(message, context.delayLevelWhenNextConsume, mq))) failed.push(message)
        }),
      )
      if (failed.length > 0) {
        done = messages.filter((message) => !failed.includes(message))
        for (const message of failed) message.reconsumeTimes++
        this.#consumeLater(failed, pq, mq)
      }
    }
    const offset = pq.removeMessages(done)
    if (offset >= 0 && !pq.dropped) ctx.offsetStore.updateOffset(mq, offset, true)
  }

  #consumeLater(messages: ConsumedMessage[], pq: ProcessQueue, mq: MessageQueue): void {
    if (this.#stopped) return
    const timer = setTimeout(() => {
      this.#retryTimers.delete(timer)
      if (!pq.dropped && !this.#stopped) this.submit(messages, pq, mq)
    }, this.ctx.config.consumeRetryLaterMillis)
    timer.unref()
    this.#retryTimers.add(timer)
  }

  /** @returns true when the broker (or the retry topic) took the message. Never throws. */
  async #sendMessageBack(message: ConsumedMessage, delayLevel: number, mq: MessageQueue): Promise<boolean> {
    const { ctx } = this
    const { instance, config } = ctx
    const addr = instance.findBrokerAddressInPublish(mq.brokerName) ?? `${message.storeHost.host}:${message.storeHost.port}`
    try {
      await instance.api.consumerSendMessageBack(addr, {
        offset: message.commitLogOffset,
        group: config.consumerGroup,
        delayLevel,
        originMsgId: message.msgId,
        originTopic: message.topic,
        unitMode: false,
        maxReconsumeTimes: config.maxReconsumeTimes,
      })
      return true
    } catch (error) {
      ctx.logger.warn('CONSUMER_SEND_MSG_BACK failed, resending to the retry topic', { remoteAddr: addr, msgId: message.msgId, error: String(error) })
    }
    try {
      const properties: Record<string, string> = { ...message.properties }
      delete properties[MessageConst.TRAN_MSG]
      delete properties[MessageConst.DELAY]
      properties[MessageConst.ORIGIN_MESSAGE_ID] = message.properties[MessageConst.ORIGIN_MESSAGE_ID] || message.msgId
      properties[MessageConst.RETRY_TOPIC] = message.topic
      properties[MessageConst.RECONSUME_TIME] = String(message.reconsumeTimes + 1)
      properties[MessageConst.MAX_RECONSUME_TIMES] = String(config.maxReconsumeTimes)
      await this.retryProducer.send({
        topic: ctx.retryTopic,
        body: message.body,
        flag: message.flag,
        properties,
        delayTimeLevel: delayLevel > 0 ? delayLevel : 3 + message.reconsumeTimes,
      })
      return true
    } catch (error) {
      ctx.logger.warn('resend to the retry topic failed, consuming again later', { msgId: message.msgId, error: String(error) })
      return false
    }
  }
}
