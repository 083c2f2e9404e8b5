/**
 * `bench backlog`: fills `messages` messages with many concurrent senders, then drains the topic from the first
 * offset with a fresh consumer group and reports the drain TPS. The drain target is read from the broker
 * (Σ maxOffset − minOffset over the topic's queues), so messages already in the topic are drained too.
 */
import { Admin, Producer } from '@cometmq/client'
import type { BacklogBenchOptions } from './cli.js'
import { runConsumeLoad } from './consumer-bench.js'
import { formatTime, tps } from './format.js'
import { runSendLoad } from './producer-bench.js'
import { wallClock } from './run-context.js'
import type { RunContext } from './run-context.js'
import type { ConsumeTotals, SendTotals } from './stats.js'

export interface BacklogResult {
  fill: SendTotals
  /** Messages in the topic when the drain started. */
  backlog: number
  drain: ConsumeTotals
  /** Whether every backlog message was consumed before `maxDrainSec`. */
  complete: boolean
}

/** Messages stored in `topic` (Σ over its queues of maxOffset − minOffset). */
export async function countBacklog(namesrvAddr: string, topic: string): Promise<{ messages: number; queues: number }> {
  const admin = new Admin({ namesrvAddr, instanceName: `bench-admin-${process.pid}` })
  await admin.start()
  try {
    const route = await admin.getTopicRoute(topic)
    let messages = 0
    let queues = 0
    for (const queueData of route.queueDatas) {
      for (let queueId = 0; queueId < queueData.readQueueNums; queueId++) {
        const mq = { topic, brokerName: queueData.brokerName, queueId }
        const [max, min] = await Promise.all([admin.getMaxOffset(mq), admin.getMinOffset(mq)])
        messages += Math.max(0, max - min)
        queues++
      }
    }
    return { messages, queues }
  } finally {
    await admin.shutdown()
  }
}

/** Runs fill + drain and prints both phases and a `[Complete] Backlog …` line. */
export async function runBacklogBench(options: BacklogBenchOptions, ctx: RunContext): Promise<BacklogResult> {
  ctx.out(
    `bench backlog: topic=${options.topic} messages=${options.messages} messageSize=${options.messageSize} fill concurrency=${options.concurrency} ` +
      `batch=${options.batchSize} drain mode=${options.mode} group=${options.group} namesrv=${options.namesrvAddr}`,
  )
  const producer = new Producer({
    namesrvAddr: options.namesrvAddr,
    producerGroup: options.producerGroup,
    sendMsgTimeout: options.sendTimeoutMs,
    instanceName: `bench-producer-${process.pid}`,
  })
  await producer.start()
  let fill: SendTotals
  try {
    ctx.out(`Current Time: ${formatTime(wallClock(ctx))} | [Fill] sending ${options.messages} messages`)
    fill = await runSendLoad(producer, { ...options, count: options.messages, durationSec: undefined }, ctx)
  } finally {
    await producer.shutdown()
  }
  if (ctx.signal.aborted) return { fill, backlog: 0, drain: { consumed: 0, activeMs: 0, avgS2cMs: 0, maxS2cMs: 0 }, complete: false }

  const { messages: backlog, queues } = await countBacklog(options.namesrvAddr, options.topic)
  ctx.out(`Current Time: ${formatTime(wallClock(ctx))} | [Drain] backlog ${backlog} messages in ${queues} queues, group ${options.group}`)
  const drain = await runConsumeLoad({ ...options, count: backlog, durationSec: options.maxDrainSec }, ctx)
  const complete = drain.consumed >= backlog
  ctx.out(
    `Current Time: ${formatTime(wallClock(ctx))} | [Complete] Backlog: ${backlog} | Drained: ${drain.consumed} | ` +
      `Drain TPS: ${tps(drain.consumed, drain.activeMs)} | Drain Time(s): ${(drain.activeMs / 1000).toFixed(1)} | ` +
      `Fill TPS: ${tps(fill.success, fill.elapsedMs)} | ${complete ? 'complete' : 'INCOMPLETE'}`,
  )
  return { fill, backlog, drain, complete }
}
