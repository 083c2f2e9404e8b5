/**
 * `bench producer`: `concurrency` async senders, each awaiting its own synchronous send (RocketMQ's benchmark
 * Producer with `-w` threads), for `durationSec` seconds or until `count` messages were attempted.
 */
import { MQBrokerError, Producer } from '@cometmq/client'
import type { MessageInput } from '@cometmq/client'
import type { ProducerBenchOptions } from './cli.js'
import { formatSendLine, formatSendSummary } from './format.js'
import { startTicker, wallClock } from './run-context.js'
import type { RunContext } from './run-context.js'
import { SendStats } from './stats.js'
import type { SendTotals } from './stats.js'

/** The part of Producer the load loop uses (a fake in tests). */
export interface SendTarget {
  send(message: MessageInput, options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<unknown>
  sendBatch(messages: MessageInput[], options?: { signal?: AbortSignal; timeoutMs?: number }): Promise<unknown>
}

export type SendLoadOptions = Pick<ProducerBenchOptions, 'topic' | 'concurrency' | 'messageSize' | 'count' | 'batchSize' | 'tag' | 'sendTimeoutMs' | 'durationSec' | 'reportIntervalSec'>

/** The message every sender sends: a body of `messageSize` bytes of 'a'. */
export function benchMessage(options: Pick<SendLoadOptions, 'topic' | 'messageSize' | 'tag'>): MessageInput {
  const message: MessageInput = { topic: options.topic, body: Buffer.alloc(options.messageSize, 0x61) }
  if (options.tag !== undefined) message.tags = options.tag
  return message
}

/**
 * Runs the send load against `target`, printing a line every interval and a summary at the end.
 * Count mode: `count` messages are attempted (failures are counted, not retried), so the run always ends.
 * @returns the totals (also printed).
 */
export async function runSendLoad(target: SendTarget, options: SendLoadOptions, ctx: RunContext, stats = new SendStats()): Promise<SendTotals> {
  const message = benchMessage(options)
  const batch = options.batchSize > 1 ? Array.from({ length: options.batchSize }, () => message) : undefined
  const deadline = options.durationSec === undefined ? Number.POSITIVE_INFINITY : performance.now() + options.durationSec * 1000
  const count = options.count
  let claimed = 0
  const sendOptions = { signal: ctx.signal, timeoutMs: options.sendTimeoutMs }
  const more = (): boolean => !ctx.signal.aborted && performance.now() < deadline && (count === undefined || claimed < count)

  const sender = async (): Promise<void> => {
    while (more()) {
      const n = count === undefined ? options.batchSize : Math.min(options.batchSize, count - claimed)
      claimed += n
      const started = performance.now()
      try {
        if (n === 1) await target.send(message, sendOptions)
        else await target.sendBatch(batch && n === batch.length ? batch : Array.from({ length: n }, () => message), sendOptions)
        stats.recordSuccess(performance.now() - started, n)
      } catch (error) {
        if (ctx.signal.aborted) return
        if (error instanceof MQBrokerError) stats.recordResponseFailed()
        else stats.recordSendFailed()
      }
    }
  }

  stats.restart()
  const stopTicker = startTicker(options.reportIntervalSec * 1000, ctx, () => ctx.out(formatSendLine(stats.snapshot(), wallClock(ctx))))
  try {
    await Promise.all(Array.from({ length: options.concurrency }, sender))
  } finally {
    await stopTicker()
  }
  const totals = stats.totals()
  ctx.out(formatSendSummary(totals, wallClock(ctx)))
  return totals
}

/** Starts a Producer, runs the load, shuts the producer down. */
export async function runProducerBench(options: ProducerBenchOptions, ctx: RunContext): Promise<SendTotals> {
  const producer = new Producer({
    namesrvAddr: options.namesrvAddr,
    producerGroup: options.producerGroup,
    sendMsgTimeout: options.sendTimeoutMs,
    instanceName: `bench-producer-${process.pid}`,
  })
  await producer.start()
  ctx.out(
    `bench producer: topic=${options.topic} concurrency=${options.concurrency} messageSize=${options.messageSize} batch=${options.batchSize} ` +
      (options.durationSec === undefined ? `count=${options.count}` : `duration=${options.durationSec}s${options.count === undefined ? '' : ` count=${options.count}`}`) +
      ` namesrv=${options.namesrvAddr}`,
  )
  try {
    return await runSendLoad(producer, options, ctx)
  } finally {
    await producer.shutdown()
  }
}
