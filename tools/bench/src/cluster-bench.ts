/**
 * `bench cluster`: starts namesrv + broker child processes on a temp store, creates the topic, runs the chosen
 * scenario (producer or backlog) against them, and samples the broker process's CPU% and RSS (plus this process's
 * CPU%) every report interval. Children and the temp dir are removed on exit, error and SIGINT.
 */
import { Admin } from '@cometmq/client'
import { countBacklog, runBacklogBench } from './backlog-bench.js'
import type { ClusterBenchOptions } from './cli.js'
import { formatProcessLine, formatProcessSummary, formatTime } from './format.js'
import { LocalCluster } from './local-cluster.js'
import { availableParallelism } from 'node:os'
import { ProcessSampler, SelfCpuSampler, SystemCpuSampler } from './proc-stats.js'
import { runProducerBench } from './producer-bench.js'
import { sleepUnlessAborted, wallClock } from './run-context.js'
import type { RunContext } from './run-context.js'

/** Creates `topic` on the bench broker and waits (bounded) until namesrv serves its route. */
async function createBenchTopic(cluster: LocalCluster, topic: string, queues: number, signal: AbortSignal): Promise<void> {
  const admin = new Admin({ namesrvAddr: cluster.namesrvAddr, instanceName: `bench-admin-${process.pid}` })
  await admin.start()
  try {
    await admin.createTopic({ topic, brokerAddr: cluster.brokerAddr, readQueueNums: queues, writeQueueNums: queues })
    const deadline = Date.now() + 30_000
    for (;;) {
      try {
        const route = await admin.getTopicRoute(topic)
        if (route.queueDatas.some((q) => q.writeQueueNums === queues)) return
      } catch (error) {
        if (Date.now() > deadline) throw error
      }
      if (Date.now() > deadline) throw new Error(`topic ${topic} has no route with ${queues} queues after 30 s`)
      await sleepUnlessAborted(100, signal)
      if (signal.aborted) return
    }
  } finally {
    await admin.shutdown()
  }
}

/**
 * Runs the scenario on a fresh local cluster. `onCluster` receives the cluster as soon as it exists, so the
 * caller can kill it synchronously on process exit.
 */
export async function runClusterBench(options: ClusterBenchOptions, ctx: RunContext, onCluster?: (cluster: LocalCluster) => void): Promise<void> {
  const cluster = new LocalCluster({
    storeType: options.storeType,
    flushDiskType: options.flushDiskType,
    brokerNodeArgs: options.brokerNodeArgs,
    keepStore: options.keepStore,
  })
  onCluster?.(cluster)
  try {
    ctx.out(`bench cluster: starting namesrv + broker (storeType=${options.storeType}, flushDiskType=${options.flushDiskType}) in ${cluster.dir}`)
    await cluster.start()
    const brokerPid = cluster.broker?.pid ?? -1
    ctx.out(`bench cluster: namesrv ${cluster.namesrvAddr} (pid ${cluster.namesrv?.pid}), broker ${cluster.brokerAddr} (pid ${brokerPid})`)
    const topic = options.scenario === 'producer' ? options.producer.topic : options.backlog.topic
    await createBenchTopic(cluster, topic, options.queues, ctx.signal)
    ctx.out(`bench cluster: topic ${topic} created with ${options.queues} queues`)
    if (ctx.signal.aborted) return

    const broker = new ProcessSampler(brokerPid)
    const self = new SelfCpuSampler()
    const system = new SystemCpuSampler(availableParallelism())
    await broker.start()
    await system.start()
    const selfCpu: number[] = []
    const otherCpu: number[] = []
    // backlog: the stored count each interval, and the broker RSS when it first passes 1M, 10M, 100M, …
    let nextMilestone = 1_000_000
    let lastStored = -1
    const scenarioCtx: RunContext = {
      ...ctx,
      onInterval: async () => {
        const sample = await broker.sample()
        const now = wallClock(ctx)
        ctx.out(formatProcessLine('Broker', sample, now))
        if (options.scenario === 'backlog') {
          const stored = await countBacklog(cluster.namesrvAddr, topic).then((b) => b.messages, () => -1)
          if (stored >= 0 && stored !== lastStored) {
            lastStored = stored
            const rss = sample.rssBytes === undefined ? 'n/a' : (sample.rssBytes / 1048576).toFixed(1)
            ctx.out(`Current Time: ${formatTime(now)} | Stored: ${stored} | Broker RSS(MB): ${rss}`)
            while (stored >= nextMilestone) {
              ctx.out(`[Milestone] ${nextMilestone} messages stored | Broker RSS(MB): ${rss}`)
              nextMilestone *= 10
            }
          }
        }
        const cpu = self.sample()
        selfCpu.push(cpu)
        ctx.out(`Current Time: ${formatTime(now)} | Bench pid: ${process.pid} | CPU(%): ${cpu.toFixed(1)} | RSS(MB): ${(process.memoryUsage.rss() / 1048576).toFixed(1)}`)
        const total = await system.sample()
        if (total !== undefined) {
          // what neither the broker nor this process used: namesrv, other programs (a busy machine skews results)
          const other = Math.max(0, total - cpu - (sample.cpuPercent ?? 0))
          otherCpu.push(other)
          ctx.out(`Current Time: ${formatTime(now)} | System CPU(%): ${total.toFixed(1)} of ${system.cores * 100} | Other CPU(%): ${other.toFixed(1)}`)
        }
        await ctx.onInterval?.()
      },
    }
    if (options.scenario === 'producer') {
      await runProducerBench({ ...options.producer, namesrvAddr: cluster.namesrvAddr }, scenarioCtx)
    } else {
      await runBacklogBench({ ...options.backlog, namesrvAddr: cluster.namesrvAddr }, scenarioCtx)
    }
    ctx.out(formatProcessSummary('Broker', broker.samples))
    if (selfCpu.length > 0) {
      ctx.out(`[Complete] Bench AVG CPU(%): ${(selfCpu.reduce((a, b) => a + b, 0) / selfCpu.length).toFixed(1)} | MAX CPU(%): ${Math.max(...selfCpu).toFixed(1)}`)
    }
    if (otherCpu.length > 0) {
      ctx.out(`[Complete] Other AVG CPU(%): ${(otherCpu.reduce((a, b) => a + b, 0) / otherCpu.length).toFixed(1)} | MAX CPU(%): ${Math.max(...otherCpu).toFixed(1)} (load outside broker and bench)`)
    }
  } catch (error) {
    const tail = [cluster.namesrv, cluster.broker].filter((app) => app !== undefined).map((app) => `--- ${app.name} output:\n${app.lines.slice(-15).join('\n')}`)
    ctx.out(`bench cluster failed: ${error instanceof Error ? error.message : String(error)}\n${tail.join('\n')}`)
    throw error
  } finally {
    ctx.out('bench cluster: stopping broker and namesrv')
    await cluster.stop()
    ctx.out(options.keepStore ? `bench cluster: store kept in ${cluster.dir}` : 'bench cluster: temp dir removed')
  }
}
