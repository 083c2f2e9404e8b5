/**
 * clusterList and consumerProgress (RocketMQ `ClusterListSubCommand`, `ConsumerProgressSubCommand`).
 * Both print only what the client Admin can fetch: clusterList without the runtime-stats columns
 * (GET_BROKER_RUNTIME_INFO), consumerProgress from per-queue QUERY_CONSUMER_OFFSET / GET_MAX_OFFSET
 * (no client IP, last time or TPS, which need GET_CONSUME_STATS / GET_CONSUMER_RUNNING_INFO).
 */
import type { MessageQueue } from '@cometmq/client'
import { readQueuesOf } from '../admin-api.js'
import type { AdminApi } from '../admin-api.js'
import { compareQueues, compareStrings, table } from '../format.js'

const clusterRow = table([{ width: 16 }, { width: 22 }, { width: 4 }, { width: 22 }])

/** Every broker of every cluster: cluster, broker name, broker id, address. */
export async function clusterList(admin: AdminApi, options: { clusterName?: string } = {}): Promise<string[]> {
  const info = await admin.getClusterInfo()
  const lines = [clusterRow(['#Cluster Name', '#Broker Name', '#BID', '#Addr'])]
  const clusters = Object.keys(info.clusterAddrTable).sort(compareStrings)
  for (const cluster of clusters) {
    if (options.clusterName !== undefined && cluster !== options.clusterName) continue
    const brokerNames = [...(info.clusterAddrTable[cluster] ?? [])].sort(compareStrings)
    for (const brokerName of brokerNames) {
      const addrs = info.brokerAddrTable[brokerName]?.brokerAddrs ?? {}
      for (const id of Object.keys(addrs).sort((a, b) => Number(a) - Number(b))) {
        lines.push(clusterRow([cluster, brokerName, id, addrs[id] ?? '']))
      }
    }
  }
  return lines
}

const RETRY_PREFIX = '%RETRY%'
const DLQ_PREFIX = '%DLQ%'

/** Topics worth asking about for `group`: all but other groups' retry/DLQ topics; with `topic`, it and the group's retry topic. */
export function candidateTopics(allTopics: readonly string[], group: string, topic?: string): string[] {
  const retry = `${RETRY_PREFIX}${group}`
  if (topic !== undefined) return topic === retry ? [topic] : [topic, retry]
  return allTopics.filter((t) => t === retry || (!t.startsWith(RETRY_PREFIX) && !t.startsWith(DLQ_PREFIX))).sort(compareStrings)
}

export interface ProgressRow {
  mq: MessageQueue
  brokerOffset: number
  consumerOffset: number
}

/**
 * Rows of one topic. A broker answers QUERY_CONSUMER_OFFSET for a group it has no offset for with 0 when the
 * queue's min offset is 0 and offset 0 is not on disk (RocketMQ `ConsumerManageProcessor`), i.e. for an empty
 * queue; with `keepEmpty` false a topic whose rows are all 0/0 is therefore left out.
 */
async function progressOfTopic(admin: AdminApi, group: string, topic: string, keepEmpty: boolean): Promise<ProgressRow[]> {
  let queues: MessageQueue[]
  try {
    queues = readQueuesOf(topic, await admin.getTopicRoute(topic))
  } catch {
    return [] // no route (e.g. no retry topic yet)
  }
  const rows = await Promise.all(
    queues.map(async (mq): Promise<ProgressRow | undefined> => {
      const consumerOffset = await admin.queryConsumerOffset(group, mq)
      if (consumerOffset < 0) return undefined
      return { mq, brokerOffset: await admin.getMaxOffset(mq), consumerOffset }
    }),
  )
  const found = rows.filter((row): row is ProgressRow => row !== undefined)
  if (!keepEmpty && found.every((row) => row.brokerOffset === 0 && row.consumerOffset === 0)) return []
  return found
}

const progressRow = table([{ width: 64 }, { width: 32 }, { width: 4 }, { width: 20 }, { width: 20 }, { width: 20 }])

/** Rows of a consumer-progress table plus the diff total (RocketMQ prints `Consume Diff Total`). */
export function formatProgress(rows: readonly ProgressRow[]): string[] {
  const sorted = [...rows].sort((a, b) => compareQueues(a.mq, b.mq))
  const lines = [progressRow(['#Topic', '#Broker Name', '#QID', '#Broker Offset', '#Consumer Offset', '#Diff'])]
  let diffTotal = 0
  for (const row of sorted) {
    const diff = Math.max(0, row.brokerOffset - row.consumerOffset)
    diffTotal += diff
    lines.push(progressRow([row.mq.topic, row.mq.brokerName, row.mq.queueId, row.brokerOffset, row.consumerOffset, diff]))
  }
  lines.push('')
  lines.push(`Consume Diff Total: ${diffTotal}`)
  return lines
}

/**
 * Committed offset vs. broker max offset for every queue the group has an offset on.
 * @throws Error when no queue has an offset (RocketMQ: "offset table is empty").
 */
export async function consumerProgress(admin: AdminApi, options: { group: string; topic?: string }): Promise<string[]> {
  const topics = candidateTopics(options.topic === undefined ? await admin.getTopicList() : [], options.group, options.topic)
  const rows = (await Promise.all(topics.map((topic) => progressOfTopic(admin, options.group, topic, topic === options.topic)))).flat()
  if (rows.length === 0) {
    throw new Error(`Not found the consumer group consume stats, because return offset table is empty, maybe the consumer not consume any message (group ${options.group})`)
  }
  return formatProgress(rows)
}
