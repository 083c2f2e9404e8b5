/**
 * `bench consumer`: consumes a topic from its first offset and reports Consume TPS.
 * - `push` (default): a PushConsumer with CONSUME_FROM_FIRST_OFFSET and a fresh group, like RocketMQ's benchmark
 *   Consumer; the listener only counts.
 * - `pull`: one PullConsumer loop per queue from offset 0 (measures the broker's pull path with less client work).
 * Stops after `durationSec`, after `count` messages, or on the abort signal.
 */
import { setMaxListeners } from 'node:events'
import { PullConsumer, PushConsumer } from '@cometmq/client'
import type { MessageQueue } from '@cometmq/client'
import type { ConsumerBenchOptions } from './cli.js'
import { formatConsumeLine, formatConsumeSummary } from './format.js'
import { sleepUnlessAborted, startTicker, wallClock } from './run-context.js'
import type { RunContext } from './run-context.js'
import { ConsumeStats } from './stats.js'
import type { ConsumeTotals } from './stats.js'

export type ConsumeLoadOptions = ConsumerBenchOptions

/** A stop signal that fires on the run's signal, at the deadline, or when `finish()` is called. */
class Stopper {
  readonly controller = new AbortController()
  readonly #timer: NodeJS.Timeout | undefined
  readonly #onAbort = (): void => this.finish()
  readonly #parent: AbortSignal

  constructor(parent: AbortSignal, durationSec: number | undefined) {
    this.#parent = parent
    setMaxListeners(0, this.controller.signal)
    if (parent.aborted) this.finish()
    parent.addEventListener('abort', this.#onAbort, { once: true })
    if (durationSec !== undefined) this.#timer = setTimeout(() => this.finish(), durationSec * 1000)
  }

  get signal(): AbortSignal {
    return this.controller.signal
  }

  finish(): void {
    if (!this.controller.signal.aborted) this.controller.abort(new DOMException('benchmark finished', 'AbortError'))
  }

  dispose(): void {
    clearTimeout(this.#timer)
    this.#parent.removeEventListener('abort', this.#onAbort)
  }

  /** Resolves when the stop signal fires. */
  done(): Promise<void> {
    const signal = this.signal
    if (signal.aborted) return Promise.resolve()
    return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
  }
}

async function consumeWithPush(options: ConsumeLoadOptions, stats: ConsumeStats, stopper: Stopper): Promise<void> {
  const consumer = new PushConsumer({
    namesrvAddr: options.namesrvAddr,
    consumerGroup: options.group,
    consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
    pullBatchSize: options.pullBatchSize,
    consumeMessageBatchMaxSize: options.consumeBatchSize,
    consumeConcurrency: options.consumeConcurrency,
    instanceName: `bench-consumer-${process.pid}`,
  })
  consumer.subscribe(options.topic, '*')
  consumer.onMessage((messages) => {
    stats.record(messages)
    if (options.count !== undefined && stats.totalConsumed >= options.count) stopper.finish()
    return 'CONSUME_SUCCESS'
  })
  await consumer.start()
  try {
    await stopper.done()
  } finally {
    await consumer.shutdown()
  }
}

async function pullQueue(consumer: PullConsumer, mq: MessageQueue, options: ConsumeLoadOptions, stats: ConsumeStats, stopper: Stopper): Promise<void> {
  let offset = 0
  while (!stopper.signal.aborted) {
    try {
      const result = await consumer.pull(mq, '*', offset, options.pullBatchSize, { signal: stopper.signal, suspendTimeoutMillis: 1000 })
      if (result.pullStatus === 'FOUND') {
        stats.record(result.messages)
        if (options.count !== undefined && stats.totalConsumed >= options.count) stopper.finish()
      }
      offset = result.nextBeginOffset
    } catch {
      if (stopper.signal.aborted) return
      // broker restart or timeout: back off briefly and continue from the same offset
      await sleepUnlessAborted(200, stopper.signal)
    }
  }
}

async function consumeWithPull(options: ConsumeLoadOptions, stats: ConsumeStats, stopper: Stopper): Promise<void> {
  const consumer = new PullConsumer({ namesrvAddr: options.namesrvAddr, consumerGroup: options.group, instanceName: `bench-pull-${process.pid}` })
  await consumer.start()
  try {
    const queues = await consumer.fetchSubscribeMessageQueues(options.topic)
    await Promise.all(queues.map((mq) => pullQueue(consumer, mq, options, stats, stopper)))
  } finally {
    await consumer.shutdown()
  }
}

/**
 * Consumes and reports; the summary's TPS is computed from the consumer's start to its last message.
 * @returns the totals (also printed).
 */
export async function runConsumeLoad(options: ConsumeLoadOptions, ctx: RunContext, stats = new ConsumeStats()): Promise<ConsumeTotals> {
  const stopper = new Stopper(ctx.signal, options.durationSec)
  stats.restart()
  const stopTicker = startTicker(options.reportIntervalSec * 1000, ctx, () => ctx.out(formatConsumeLine(stats.snapshot(), wallClock(ctx))))
  try {
    if (options.mode === 'pull') await consumeWithPull(options, stats, stopper)
    else await consumeWithPush(options, stats, stopper)
  } finally {
    stopper.dispose()
    await stopTicker()
  }
  const totals = stats.totals()
  ctx.out(formatConsumeSummary(totals, wallClock(ctx)))
  return totals
}

/** `bench consumer`. */
export async function runConsumerBench(options: ConsumerBenchOptions, ctx: RunContext): Promise<ConsumeTotals> {
  ctx.out(
    `bench consumer: topic=${options.topic} group=${options.group} mode=${options.mode} pullBatchSize=${options.pullBatchSize} ` +
      `${options.durationSec === undefined ? '' : `duration=${options.durationSec}s `}${options.count === undefined ? '' : `count=${options.count} `}namesrv=${options.namesrvAddr}`,
  )
  return runConsumeLoad(options, ctx)
}
