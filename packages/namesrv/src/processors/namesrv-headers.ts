import { defineHeader, field } from '@cometmq/protocol'

/**
 * Namesrv request headers that @cometmq/protocol has no schema for. Field names and nullability are the RocketMQ
 * header classes' (remoting-protocol.md §3.1); decode() throws HeaderError for a missing required field.
 */

/** PUT_KV_CONFIG (100). Source: `PutKVConfigRequestHeader`. */
export const PutKVConfigRequestHeader = defineHeader({ namespace: field.string(), key: field.string(), value: field.string() })

/** GET_KV_CONFIG (101) / DELETE_KV_CONFIG (102). Source: `GetKVConfigRequestHeader`, `DeleteKVConfigRequestHeader`. */
export const KVConfigKeyRequestHeader = defineHeader({ namespace: field.string(), key: field.string() })

/** GET_KVLIST_BY_NAMESPACE (219). Source: `GetKVListByNamespaceRequestHeader`. */
export const GetKVListByNamespaceRequestHeader = defineHeader({ namespace: field.string() })

/** QUERY_DATA_VERSION (322); body = the broker's DataVersion JSON. Source: `QueryDataVersionRequestHeader`. */
export const QueryDataVersionRequestHeader = defineHeader({
  brokerName: field.string(),
  brokerAddr: field.string(),
  clusterName: field.string(),
  brokerId: field.long(),
})

/** BROKER_HEARTBEAT (904, 5.x); only the fields namesrv needs. Source: `BrokerHeartbeatRequestHeader`. */
export const BrokerHeartbeatRequestHeader = defineHeader({
  clusterName: field.string(),
  brokerAddr: field.string(),
  brokerName: field.string(),
})

/** WIPE_WRITE_PERM_OF_BROKER (205) / ADD_WRITE_PERM_OF_BROKER (327). Source: `WipeWritePermOfBrokerRequestHeader`. */
export const BrokerNameRequestHeader = defineHeader({ brokerName: field.string() })

/** GET_TOPICS_BY_CLUSTER (224). Source: `GetTopicsByClusterRequestHeader`. */
export const GetTopicsByClusterRequestHeader = defineHeader({ cluster: field.string() })
