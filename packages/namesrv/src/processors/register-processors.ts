import { RequestCode } from '@cometmq/protocol'
import type { RemotingServer, RequestProcessor } from '@cometmq/protocol'
import { brokerHeartbeat, queryDataVersion, registerBroker, unregisterBroker } from './broker-processors.js'
import { deleteKVConfig, getKVConfig, getKVListByNamespace, putKVConfig } from './kv-config-processors.js'
import type { NamesrvContext } from './namesrv-context.js'
import {
  addWritePermOfBroker,
  deleteTopicInNamesrv,
  getAllTopicList,
  getBrokerClusterInfo,
  getRouteInfoByTopic,
  getSystemTopicList,
  getTopicsByCluster,
  wipeWritePermOfBroker,
} from './route-processors.js'

/**
 * Request codes the name server answers, and their handlers. Every other code gets the server's
 * REQUEST_CODE_NOT_SUPPORTED (3) response. Source: RocketMQ `DefaultRequestProcessor.processRequest` /
 * `ClientRequestProcessor` (4.9 + the 5.x BROKER_HEARTBEAT).
 */
export const NAMESRV_REQUEST_CODES = [
  RequestCode.PUT_KV_CONFIG,
  RequestCode.GET_KV_CONFIG,
  RequestCode.DELETE_KV_CONFIG,
  RequestCode.REGISTER_BROKER,
  RequestCode.UNREGISTER_BROKER,
  RequestCode.GET_ROUTEINFO_BY_TOPIC,
  RequestCode.GET_BROKER_CLUSTER_INFO,
  RequestCode.WIPE_WRITE_PERM_OF_BROKER,
  RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER,
  RequestCode.DELETE_TOPIC_IN_NAMESRV,
  RequestCode.GET_KVLIST_BY_NAMESPACE,
  RequestCode.GET_TOPICS_BY_CLUSTER,
  RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_NS,
  RequestCode.QUERY_DATA_VERSION,
  RequestCode.ADD_WRITE_PERM_OF_BROKER,
  RequestCode.BROKER_HEARTBEAT,
] as const

/** Registers every namesrv processor on `server`. */
export function registerNamesrvProcessors(server: RemotingServer, context: NamesrvContext): void {
  const table: Array<readonly [number, RequestProcessor]> = [
    [RequestCode.PUT_KV_CONFIG, (request) => putKVConfig(context, request)],
    [RequestCode.GET_KV_CONFIG, (request) => getKVConfig(context, request)],
    [RequestCode.DELETE_KV_CONFIG, (request) => deleteKVConfig(context, request)],
    [RequestCode.REGISTER_BROKER, (request, channel) => registerBroker(context, request, channel)],
    [RequestCode.UNREGISTER_BROKER, (request) => unregisterBroker(context, request)],
    [RequestCode.GET_ROUTEINFO_BY_TOPIC, (request) => getRouteInfoByTopic(context, request)],
    [RequestCode.GET_BROKER_CLUSTER_INFO, (request) => getBrokerClusterInfo(context, request)],
    [RequestCode.WIPE_WRITE_PERM_OF_BROKER, (request) => wipeWritePermOfBroker(context, request)],
    [RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER, (request) => getAllTopicList(context, request)],
    [RequestCode.DELETE_TOPIC_IN_NAMESRV, (request) => deleteTopicInNamesrv(context, request)],
    [RequestCode.GET_KVLIST_BY_NAMESPACE, (request) => getKVListByNamespace(context, request)],
    [RequestCode.GET_TOPICS_BY_CLUSTER, (request) => getTopicsByCluster(context, request)],
    [RequestCode.GET_SYSTEM_TOPIC_LIST_FROM_NS, (request) => getSystemTopicList(context, request)],
    [RequestCode.QUERY_DATA_VERSION, (request) => queryDataVersion(context, request)],
    [RequestCode.ADD_WRITE_PERM_OF_BROKER, (request) => addWritePermOfBroker(context, request)],
    [RequestCode.BROKER_HEARTBEAT, (request) => brokerHeartbeat(context, request)],
  ]
  for (const [code, processor] of table) server.registerProcessor(code, processor)
}
