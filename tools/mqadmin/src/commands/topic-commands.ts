/**
 * Topic commands: updateTopic, topicList, topicRoute, topicStatus (RocketMQ `UpdateTopicSubCommand`,
 * `TopicListSubCommand`, `TopicRouteSubCommand`, `TopicStatusSubCommand`). Each returns the lines to print.
 */
import { readQueuesOf } from '../admin-api.js'
import type { AdminApi } from '../admin-api.js'
import { compareStrings, formatTopicConfig, prettyJson, table } from '../format.js'

export interface UpdateTopicOptions {
  topic: string
  /** Exactly one of brokerAddr / clusterName. */
  brokerAddr?: string
  clusterName?: string
  readQueueNums: number
  writeQueueNums: number
  perm: number
  order: boolean
}

/**
 * UPDATE_AND_CREATE_TOPIC on one broker (`-b`) or every master of a cluster (`-c`).
 * Output: `create topic to <addr> success.` per broker, then the TopicConfig.
 */
export async function updateTopic(admin: AdminApi, options: UpdateTopicOptions): Promise<string[]> {
  const target = options.brokerAddr !== undefined ? { brokerAddr: options.brokerAddr } : { clusterName: options.clusterName as string }
  const addrs = await admin.createTopic({
    topic: options.topic,
    ...target,
    readQueueNums: options.readQueueNums,
    writeQueueNums: options.writeQueueNums,
    perm: options.perm,
    order: options.order,
  })
  const lines = addrs.map((addr) => `create topic to ${addr} success.`)
  lines.push(
    formatTopicConfig({
      topicName: options.topic,
      readQueueNums: options.readQueueNums,
      writeQueueNums: options.writeQueueNums,
      perm: options.perm,
      topicFilterType: 'SINGLE_TAG',
      topicSysFlag: 0,
      order: options.order,
    }),
  )
  return lines
}

/** Every topic the name server knows, one per line, sorted. */
export async function topicList(admin: AdminApi): Promise<string[]> {
  return (await admin.getTopicList()).sort(compareStrings)
}

const routeRow = table([{ width: 45 }, { width: 32 }, { width: 50 }, { width: 10 }, { width: 11 }, { width: 5 }], [' ', ' ', ' ', ' ', ' '])

/** Java `Map.toString()` of brokerAddrs: `{0=127.0.0.1:10911, 1=…}`. */
export function formatBrokerAddrs(addrs: Record<string, string>): string {
  const entries = Object.keys(addrs)
    .sort((a, b) => Number(a) - Number(b))
    .map((id) => `${id}=${addrs[id]}`)
  return `{${entries.join(', ')}}`
}

/** The topic's route as pretty JSON, or with `list` as RocketMQ 5.x's `-l` table. */
export async function topicRoute(admin: AdminApi, options: { topic: string; list: boolean }): Promise<string[]> {
  const route = await admin.getTopicRoute(options.topic)
  if (!options.list) return [prettyJson(route)]
  const brokers = new Map(route.brokerDatas.map((broker) => [broker.brokerName, broker]))
  const lines = [routeRow(['#ClusterName', '#BrokerName', '#BrokerAddrs', '#ReadQueue', '#WriteQueue', '#Perm'])]
  let totalRead = 0
  let totalWrite = 0
  const queueDatas = [...route.queueDatas].sort((a, b) => compareStrings(a.brokerName, b.brokerName))
  for (const queueData of queueDatas) {
    const broker = brokers.get(queueData.brokerName)
    totalRead += queueData.readQueueNums
    totalWrite += queueData.writeQueueNums
    lines.push(routeRow([broker?.cluster ?? '', queueData.brokerName, formatBrokerAddrs(broker?.brokerAddrs ?? {}), queueData.readQueueNums, queueData.writeQueueNums, queueData.perm]))
  }
  lines.push('-'.repeat(158))
  lines.push(routeRow(['Total:', brokers.size, '', totalRead, totalWrite, '']))
  return lines
}

const statusRow = table([{ width: 32 }, { width: 4 }, { width: 20 }, { width: 20 }])

/** Min/max logical offset of every readable queue of the topic. */
export async function topicStatus(admin: AdminApi, options: { topic: string }): Promise<string[]> {
  const route = await admin.getTopicRoute(options.topic)
  const queues = readQueuesOf(options.topic, route)
  const offsets = await Promise.all(queues.map(async (mq) => ({ mq, min: await admin.getMinOffset(mq), max: await admin.getMaxOffset(mq) })))
  const lines = [statusRow(['#Broker Name', '#QID', '#Min Offset', '#Max Offset'])]
  for (const { mq, min, max } of offsets) lines.push(statusRow([mq.brokerName, mq.queueId, min, max]))
  return lines
}
