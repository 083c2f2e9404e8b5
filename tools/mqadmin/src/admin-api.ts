/**
 * The part of `@cometmq/client`'s `Admin` that mqadmin commands use. Commands take this interface, so unit tests
 * pass a fake and `main.ts` passes a real, started `Admin`.
 */
import type { Admin, CreateTopicOptions, MessageQueue, QueryMessageOptions, ViewedMessage } from '@cometmq/client'

export type { QueryMessageOptions, ViewedMessage }

/** GET_ROUTEINFO_BY_TOPIC body (the protocol's TopicRouteData, as Admin returns it). */
export type TopicRouteData = Awaited<ReturnType<Admin['getTopicRoute']>>
/** GET_BROKER_CLUSTER_INFO body (the protocol's ClusterInfo). */
export type ClusterInfo = Awaited<ReturnType<Admin['getClusterInfo']>>

export interface AdminApi {
  createTopic(options: CreateTopicOptions): Promise<string[]>
  getTopicRoute(topic: string): Promise<TopicRouteData>
  getClusterInfo(): Promise<ClusterInfo>
  getTopicList(): Promise<string[]>
  getMaxOffset(mq: MessageQueue): Promise<number>
  getMinOffset(mq: MessageQueue): Promise<number>
  queryConsumerOffset(consumerGroup: string, mq: MessageQueue): Promise<number>
  viewMessage(offsetMsgId: string): Promise<ViewedMessage>
  /** QUERY_MESSAGE to every broker of the topic, merged and re-checked; [] when nothing matched. */
  queryMessage(options: QueryMessageOptions): Promise<ViewedMessage[]>
}

/** Readable queues of a route, sorted (brokerName, queueId). */
export function readQueuesOf(topic: string, route: TopicRouteData): MessageQueue[] {
  const queues: MessageQueue[] = []
  for (const queueData of route.queueDatas) {
    for (let queueId = 0; queueId < queueData.readQueueNums; queueId++) queues.push({ topic, brokerName: queueData.brokerName, queueId })
  }
  return queues.sort((a, b) => (a.brokerName < b.brokerName ? -1 : a.brokerName > b.brokerName ? 1 : a.queueId - b.queueId))
}
