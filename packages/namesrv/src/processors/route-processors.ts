import { DeleteTopicRequestHeader, GetRouteInfoRequestHeader, ResponseCode, createResponse } from '@cometmq/protocol'
import type { RemotingCommand, TopicRouteData } from '@cometmq/protocol'
import { NAMESPACE_ORDER_TOPIC_CONFIG } from '../kv-config-manager.js'
import { jsonBody } from './namesrv-context.js'
import type { NamesrvContext } from './namesrv-context.js'
import { BrokerNameRequestHeader, GetTopicsByClusterRequestHeader } from './namesrv-headers.js'

/**
 * Suffix RocketMQ appends to "no route" remarks. Source: RocketMQ `FAQUrl.suggestTodo(FAQUrl.APPLY_TOPIC_URL)`,
 * seen verbatim in the 4.9.4 capture.
 */
export const APPLY_TOPIC_FAQ_SUFFIX = '\nSee http://rocketmq.apache.org/docs/faq/ for further details.'

/**
 * GET_ROUTEINFO_BY_TOPIC (105). Source: RocketMQ `ClientRequestProcessor.getRouteInfoByTopic`.
 *
 * SUCCESS + TopicRouteData JSON, always in the standard form with quoted brokerId keys (`{"0":"ip:port"}`) whatever
 * the request `version` (every client family accepts it, §3.12); `orderTopicConf` added when `orderMessageEnable`.
 * TOPIC_NOT_EXIST (17) with remark `No topic route info in name server for the topic: <t>` + FAQ suffix, no body.
 */
export function getRouteInfoByTopic(context: NamesrvContext, request: RemotingCommand): RemotingCommand {
  const { topic } = GetRouteInfoRequestHeader.decode(request.extFields)
  const route = context.routeInfoManager.pickupTopicRouteData(topic)
  if (route === null) {
    return createResponse(request, ResponseCode.TOPIC_NOT_EXIST, `No topic route info in name server for the topic: ${topic}${APPLY_TOPIC_FAQ_SUFFIX}`)
  }
  let body: TopicRouteData = route
  if (context.orderMessageEnable) {
    const orderTopicConf = context.kvConfigManager.getKVConfig(NAMESPACE_ORDER_TOPIC_CONFIG, topic)
    if (orderTopicConf !== null) {
      // keep fastjson's alphabetical key order
      body = { brokerDatas: route.brokerDatas, filterServerTable: route.filterServerTable, orderTopicConf, queueDatas: route.queueDatas }
    }
  }
  return createResponse(request, ResponseCode.SUCCESS, null, undefined, jsonBody(body))
}

/** GET_BROKER_CLUSTER_INFO (106): SUCCESS + ClusterInfo JSON `{brokerAddrTable, clusterAddrTable}` (quoted keys). */
export function getBrokerClusterInfo(context: NamesrvContext, request: RemotingCommand): RemotingCommand {
  return createResponse(request, ResponseCode.SUCCESS, null, undefined, jsonBody(context.routeInfoManager.getAllClusterInfo()))
}

/** GET_ALL_TOPIC_LIST_FROM_NAMESERVER (206): SUCCESS + TopicList `{"topicList":[...]}`. */
export function getAllTopicList(context: NamesrvContext, request: RemotingCommand): RemotingCommand {
  return createResponse(request, ResponseCode.SUCCESS, null, undefined, jsonBody({ topicList: context.routeInfoManager.getAllTopicList() }))
}

/** GET_TOPICS_BY_CLUSTER (224): header `cluster` (required); SUCCESS + TopicList of that cluster's topics. */
export function getTopicsByCluster(context: NamesrvContext, request: RemotingCommand): RemotingCommand {
  const { cluster } = GetTopicsByClusterRequestHeader.decode(request.extFields)
  return createResponse(request, ResponseCode.SUCCESS, null, undefined, jsonBody({ topicList: context.routeInfoManager.getTopicsByCluster(cluster) }))
}

/** GET_SYSTEM_TOPIC_LIST_FROM_NS (304): SUCCESS + TopicList of cluster and broker names, plus one `brokerAddr`. */
export function getSystemTopicList(context: NamesrvContext, request: RemotingCommand): RemotingCommand {
  const { topicList, brokerAddr } = context.routeInfoManager.getSystemTopicList()
  const body = brokerAddr === undefined ? { topicList } : { brokerAddr, topicList }
  return createResponse(request, ResponseCode.SUCCESS, null, undefined, jsonBody(body))
}

/** DELETE_TOPIC_IN_NAMESRV (216): header `topic` (required), `clusterName` (optional, 5.x); SUCCESS. */
export function deleteTopicInNamesrv(context: NamesrvContext, request: RemotingCommand): RemotingCommand {
  const { topic, clusterName } = DeleteTopicRequestHeader.decode(request.extFields)
  context.routeInfoManager.deleteTopic(topic, clusterName)
  return createResponse(request, ResponseCode.SUCCESS, null)
}

/** WIPE_WRITE_PERM_OF_BROKER (205): header `brokerName`; SUCCESS with extFields `wipeTopicCount`. */
export function wipeWritePermOfBroker(context: NamesrvContext, request: RemotingCommand): RemotingCommand {
  const { brokerName } = BrokerNameRequestHeader.decode(request.extFields)
  const count = context.routeInfoManager.updateWritePermOfBroker(brokerName, 'wipe')
  context.logger.info('wipe write perm of broker', { brokerName, topicCount: count })
  return createResponse(request, ResponseCode.SUCCESS, null, { wipeTopicCount: String(count) })
}

/** ADD_WRITE_PERM_OF_BROKER (327): header `brokerName`; SUCCESS with extFields `addTopicCount`. */
export function addWritePermOfBroker(context: NamesrvContext, request: RemotingCommand): RemotingCommand {
  const { brokerName } = BrokerNameRequestHeader.decode(request.extFields)
  const count = context.routeInfoManager.updateWritePermOfBroker(brokerName, 'add')
  context.logger.info('add write perm of broker', { brokerName, topicCount: count })
  return createResponse(request, ResponseCode.SUCCESS, null, { addTopicCount: String(count) })
}
