/**
 * Converting a namesrv TopicRouteData into the producer's publish list and the consumer's subscribe list (§7.1).
 * Source: RocketMQ `MQClientInstance.topicRouteData2TopicPublishInfo` / `topicRouteData2TopicSubscribeInfo`.
 */
import { MixAll, PermName } from '@cometmq/protocol'
import type { BrokerData, QueueData, TopicRouteData } from '@cometmq/protocol'
import type { MessageQueue } from './types.js'

/** brokerId (decimal string, "0" = master) → `ip:port`. */
export type BrokerAddrs = Readonly<Record<string, string>>

/** Master address (`brokerAddrs["0"]`) of a BrokerData, if any. */
export function masterAddrOf(brokerData: BrokerData | undefined): string | undefined {
  return brokerData?.brokerAddrs[String(MixAll.MASTER_ID)]
}

/**
 * The writable queues of a topic, round-robin selection state included (RocketMQ `TopicPublishInfo`).
 * Publish list rule: QueueData with the WRITE bit whose broker has a master (id 0), queues 0..writeQueueNums−1,
 * QueueData sorted by brokerName. With `orderTopicConf` (`brokerA:4;brokerB:4`) that list is used instead.
 */
export class TopicPublishInfo {
  /** Rotating index for round-robin queue choice; starts at a random position like Java's ThreadLocalIndex. */
  #index = Math.floor(Math.random() * 0x7fffffff)

  constructor(
    readonly topic: string,
    readonly messageQueues: readonly MessageQueue[],
    readonly orderTopic: boolean,
  ) {}

  /** True when at least one writable queue is known. */
  get ok(): boolean {
    return this.messageQueues.length > 0
  }

  /**
   * Next queue in round-robin order. With `lastBrokerName` (a retry) the first queue on a different broker
   * is preferred; if every queue is on that broker the plain next queue is returned.
   * @returns undefined only when the list is empty.
   */
  selectOneMessageQueue(lastBrokerName?: string): MessageQueue | undefined {
    const queues = this.messageQueues
    const size = queues.length
    if (size === 0) return undefined
    if (lastBrokerName !== undefined) {
      for (let i = 0; i < size; i++) {
        const mq = queues[this.#next() % size]
        if (mq && mq.brokerName !== lastBrokerName) return mq
      }
    }
    return queues[this.#next() % size]
  }

  #next(): number {
    this.#index = (this.#index + 1) & 0x7fffffff
    return this.#index
  }
}

/** Builds the publish list of `topic` from its route (see TopicPublishInfo for the rules). */
export function toTopicPublishInfo(topic: string, route: TopicRouteData): TopicPublishInfo {
  const queues: MessageQueue[] = []
  const orderConf = route.orderTopicConf
  if (orderConf) {
    for (const item of orderConf.split(';')) {
      const [brokerName, nums] = item.split(':')
      const count = Number(nums)
      if (!brokerName || !Number.isInteger(count)) continue
      for (let queueId = 0; queueId < count; queueId++) queues.push({ topic, brokerName, queueId })
    }
    return new TopicPublishInfo(topic, queues, true)
  }
  const brokers = new Map<string, BrokerData>()
  for (const brokerData of route.brokerDatas ?? []) brokers.set(brokerData.brokerName, brokerData)
  const queueDatas = [...(route.queueDatas ?? [])].sort(compareQueueData)
  for (const queueData of queueDatas) {
    if (!PermName.isWriteable(queueData.perm)) continue
    if (masterAddrOf(brokers.get(queueData.brokerName)) === undefined) continue
    for (let queueId = 0; queueId < queueData.writeQueueNums; queueId++) {
      queues.push({ topic, brokerName: queueData.brokerName, queueId })
    }
  }
  return new TopicPublishInfo(topic, queues, false)
}

/** Subscribe list: QueueData with the READ bit, queues 0..readQueueNums−1 (not sorted; rebalance sorts). */
export function toSubscribeQueues(topic: string, route: TopicRouteData): MessageQueue[] {
  const queues: MessageQueue[] = []
  for (const queueData of route.queueDatas ?? []) {
    if (!PermName.isReadable(queueData.perm)) continue
    for (let queueId = 0; queueId < queueData.readQueueNums; queueId++) {
      queues.push({ topic, brokerName: queueData.brokerName, queueId })
    }
  }
  return queues
}

/**
 * The route of the auto-create template topic (TBW102) adapted for a topic that does not exist yet:
 * every QueueData's read/write queue count becomes min(defaultTopicQueueNums, readQueueNums).
 * Source: `MQClientInstance.updateTopicRouteInfoFromNameServer(topic, isDefault=true, producer)`.
 */
export function adaptDefaultTopicRoute(route: TopicRouteData, defaultTopicQueueNums: number): TopicRouteData {
  return {
    ...route,
    queueDatas: (route.queueDatas ?? []).map((queueData) => {
      const nums = Math.min(defaultTopicQueueNums, queueData.readQueueNums)
      return { ...queueData, readQueueNums: nums, writeQueueNums: nums }
    }),
  }
}

function compareQueueData(a: QueueData, b: QueueData): number {
  return a.brokerName < b.brokerName ? -1 : a.brokerName > b.brokerName ? 1 : 0
}

/**
 * Order-insensitive equality of two routes (RocketMQ `topicRouteDataIsChange` compares sorted copies).
 * Only the fields that affect routing are compared.
 */
export function sameTopicRoute(a: TopicRouteData | undefined, b: TopicRouteData): boolean {
  if (!a) return false
  if ((a.orderTopicConf ?? '') !== (b.orderTopicConf ?? '')) return false
  return routeSignature(a) === routeSignature(b)
}

function routeSignature(route: TopicRouteData): string {
  const queues = (route.queueDatas ?? [])
    .map((q) => `${q.brokerName}/${q.readQueueNums}/${q.writeQueueNums}/${q.perm}/${q.topicSysFlag ?? 0}`)
    .sort()
  const brokers = (route.brokerDatas ?? [])
    .map((b) => `${b.brokerName}/${b.cluster}/${Object.entries(b.brokerAddrs ?? {}).map(([id, addr]) => `${id}=${addr}`).sort().join(',')}`)
    .sort()
  return `${queues.join(';')}|${brokers.join(';')}`
}
