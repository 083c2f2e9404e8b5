/**
 * JSON bodies (remoting-protocol.md §3.1, §3.3, §3.10). Field names are fastjson's (Java getter names).
 * Parse bodies with `parseJsonLenient` (Java may send unquoted integer map keys) and emit them with
 * `stringifyJson` (quoted keys, accepted by every client).
 * Sources: RocketMQ `remoting/.../protocol/route/*.java`, `body/*.java`, `heartbeat/*.java`,
 * `common/.../common/TopicConfig.java`, `remoting/.../protocol/DataVersion.java`.
 */

/** Source: MessageQueue.java. */
export interface MessageQueue {
  topic: string
  brokerName: string
  queueId: number
}

/** Source: route/QueueData.java. `perm` PermName bits; `topicSysFlag` TopicSysFlag bits. */
export interface QueueData {
  brokerName: string
  readQueueNums: number
  writeQueueNums: number
  perm: number
  topicSysFlag: number
}

/**
 * Source: route/BrokerData.java. `brokerAddrs` is keyed by decimal brokerId ("0" = master) → 'ip:port'.
 * `zoneName`, `enableActingMaster` are 5.x.
 */
export interface BrokerData {
  cluster: string
  brokerName: string
  brokerAddrs: Record<string, string>
  zoneName?: string
  enableActingMaster?: boolean
}

/**
 * GET_ROUTEINFO_BY_TOPIC (105) response body. Source: route/TopicRouteData.java.
 * `filterServerTable` broker addr → filter server addrs (send `{}`); `orderTopicConf` 'brokerA:4;brokerB:4'.
 */
export interface TopicRouteData {
  orderTopicConf?: string
  queueDatas: QueueData[]
  brokerDatas: BrokerData[]
  filterServerTable: Record<string, string[]>
  topicQueueMappingByBroker?: Record<string, unknown>
}

/** GET_BROKER_CLUSTER_INFO (106) body. Source: body/ClusterInfo.java. */
export interface ClusterInfo {
  /** brokerName → BrokerData */
  brokerAddrTable: Record<string, BrokerData>
  /** clusterName → brokerNames */
  clusterAddrTable: Record<string, string[]>
}

/** Source: DataVersion.java. `timestamp` ms; `stateVersion` 5.x. */
export interface DataVersion {
  timestamp: number
  counter: number
  stateVersion?: number
}

/**
 * Source: common/TopicConfig.java. `perm` PermName bits (normal topics 6, TBW102 7);
 * `topicFilterType` 'SINGLE_TAG' | 'MULTI_TAG'; `attributes` 5.x.
 */
export interface TopicConfig {
  topicName: string
  readQueueNums: number
  writeQueueNums: number
  perm: number
  topicFilterType: string
  topicSysFlag: number
  order: boolean
  attributes?: Record<string, string>
}

/** GET_ALL_TOPIC_CONFIG (21) body and part of RegisterBrokerBody. Source: body/TopicConfigSerializeWrapper.java. */
export interface TopicConfigSerializeWrapper {
  topicConfigTable: Record<string, TopicConfig>
  dataVersion: DataVersion
}

/** REGISTER_BROKER (103) uncompressed body. Source: body/RegisterBrokerBody.java. */
export interface RegisterBrokerBody {
  topicConfigSerializeWrapper: TopicConfigSerializeWrapper
  filterServerList: string[]
}

/** Source: heartbeat/ProducerData.java. */
export interface ProducerData {
  groupName: string
}

/**
 * Source: heartbeat/SubscriptionData.java. `subString` '*' or 'tagA || tagB' (or SQL92); `codeSet` Java
 * String.hashCode of each tag; `subVersion` ms timestamp; `expressionType` 'TAG' (default) | 'SQL92'.
 */
export interface SubscriptionData {
  topic: string
  subString: string
  tagsSet: string[]
  codeSet: number[]
  subVersion: number
  expressionType?: string
  classFilterMode?: boolean
}

/**
 * Source: heartbeat/ConsumerData.java. `consumeType` 'CONSUME_ACTIVELY' (pull) | 'CONSUME_PASSIVELY' (push);
 * `messageModel` 'CLUSTERING' | 'BROADCASTING'; `consumeFromWhere` e.g. 'CONSUME_FROM_LAST_OFFSET'.
 */
export interface ConsumerData {
  groupName: string
  consumeType: string
  messageModel: string
  consumeFromWhere: string
  subscriptionDataSet: SubscriptionData[]
  unitMode: boolean
}

/**
 * HEART_BEAT (34) body. Source: heartbeat/HeartbeatData.java. Note the capital `clientID`.
 * `heartbeatFingerprint`, `withoutSub` are 5.x (heartbeat v2).
 */
export interface HeartbeatData {
  clientID: string
  producerDataSet: ProducerData[]
  consumerDataSet: ConsumerData[]
  heartbeatFingerprint?: number
  withoutSub?: boolean
}

/** GET_CONSUMER_LIST_BY_GROUP (38) response body. Source: body/GetConsumerListByGroupResponseBody.java. */
export interface ConsumerListBody {
  consumerIdList: string[]
}

/** GET_ALL_TOPIC_LIST_FROM_NAMESERVER (206) etc. body. Source: body/TopicList.java. */
export interface TopicList {
  topicList: string[]
  brokerAddr?: string
}
