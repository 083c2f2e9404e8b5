/**
 * An in-memory AdminApi for unit tests: topics with routes, per-queue offsets, consumer offsets and messages by offset
 * id; queryMessage answers from the same messages with the client's matching rule (KEYS word / msgId, topic, window).
 */
import type { CreateTopicOptions, MessageQueue } from '@cometmq/client'
import type { AdminApi, ClusterInfo, QueryMessageOptions, TopicRouteData, ViewedMessage } from '../admin-api.js'

const key = (mq: MessageQueue): string => `${mq.topic}@${mq.brokerName}@${mq.queueId}`

export class FakeAdmin implements AdminApi {
  readonly routes = new Map<string, TopicRouteData>()
  readonly maxOffsets = new Map<string, number>()
  readonly minOffsets = new Map<string, number>()
  /** `${group}|${queue key}` → offset */
  readonly consumerOffsets = new Map<string, number>()
  readonly created: CreateTopicOptions[] = []
  /** offset msgId (upper case) → message */
  readonly messages = new Map<string, ViewedMessage>()
  /** Every queryMessage call, in order. */
  readonly queries: QueryMessageOptions[] = []
  cluster: ClusterInfo = {
    clusterAddrTable: { DefaultCluster: ['broker-b', 'broker-a'] },
    brokerAddrTable: {
      'broker-a': { cluster: 'DefaultCluster', brokerName: 'broker-a', brokerAddrs: { '1': '127.0.0.1:10921', '0': '127.0.0.1:10911' } },
      'broker-b': { cluster: 'DefaultCluster', brokerName: 'broker-b', brokerAddrs: { '0': '127.0.0.1:10915' } },
    },
  }

  addTopic(topic: string, brokers: Record<string, number>): void {
    this.routes.set(topic, {
      queueDatas: Object.entries(brokers).map(([brokerName, n]) => ({ brokerName, readQueueNums: n, writeQueueNums: n, perm: 6, topicSysFlag: 0 })),
      brokerDatas: Object.keys(brokers).map((brokerName) => this.cluster.brokerAddrTable[brokerName] ?? { cluster: 'DefaultCluster', brokerName, brokerAddrs: {} }),
      filterServerTable: {},
    })
  }

  setOffsets(mq: MessageQueue, min: number, max: number): void {
    this.minOffsets.set(key(mq), min)
    this.maxOffsets.set(key(mq), max)
  }

  setConsumerOffset(group: string, mq: MessageQueue, offset: number): void {
    this.consumerOffsets.set(`${group}|${key(mq)}`, offset)
  }

  async createTopic(options: CreateTopicOptions): Promise<string[]> {
    this.created.push(options)
    if (options.brokerAddr !== undefined) return [options.brokerAddr]
    const names = this.cluster.clusterAddrTable[options.clusterName ?? ''] ?? []
    return names.map((name) => this.cluster.brokerAddrTable[name]?.brokerAddrs['0'] ?? '')
  }

  async getTopicRoute(topic: string): Promise<TopicRouteData> {
    const route = this.routes.get(topic)
    if (!route) throw new Error(`No topic route info in name server for the topic: ${topic}`)
    return route
  }

  async getClusterInfo(): Promise<ClusterInfo> {
    return this.cluster
  }

  async getTopicList(): Promise<string[]> {
    return [...this.routes.keys()]
  }

  async getMaxOffset(mq: MessageQueue): Promise<number> {
    return this.maxOffsets.get(key(mq)) ?? 0
  }

  async getMinOffset(mq: MessageQueue): Promise<number> {
    return this.minOffsets.get(key(mq)) ?? 0
  }

  async queryConsumerOffset(group: string, mq: MessageQueue): Promise<number> {
    return this.consumerOffsets.get(`${group}|${key(mq)}`) ?? -1
  }

  async viewMessage(offsetMsgId: string): Promise<ViewedMessage> {
    const message = this.messages.get(offsetMsgId.toUpperCase())
    if (!message) throw new Error(`CODE: 1  DESC: can not find message by the offset, ${offsetMsgId}`)
    return message
  }

  async queryMessage(options: QueryMessageOptions): Promise<ViewedMessage[]> {
    this.queries.push(options)
    if (!this.routes.has(options.topic)) throw new Error(`The topic[${options.topic}] not matched route info`)
    const begin = options.beginTimestamp ?? 0
    const end = options.endTimestamp ?? Number.MAX_SAFE_INTEGER
    return [...this.messages.values()]
      .filter((m) => m.topic === options.topic && m.storeTimestamp >= begin && m.storeTimestamp <= end)
      .filter((m) => (options.uniqueKey ? m.msgId === options.key : (m.keys ?? []).includes(options.key)))
      .sort((a, b) => b.storeTimestamp - a.storeTimestamp)
  }
}
