/**
 * Headers of namesrv requests (remoting-protocol.md §3.1).
 * Source: RocketMQ `remoting/.../protocol/header/namesrv/*.java` (4.x: `common/.../protocol/header/namesrv/`).
 */
import { defineHeader, field } from './define-header.js'

/**
 * REGISTER_BROKER (103) request. Source: RegisterBrokerRequestHeader.java.
 * `brokerId` 0 = master; `bodyCrc32` is CRC32 of the body masked with 0x7FFFFFFF (0 = don't check);
 * `heartbeatTimeoutMillis` (ms, 5.x, namesrv default 120000).
 */
export const RegisterBrokerRequestHeader = defineHeader({
  brokerName: field.string(),
  brokerAddr: field.string(),
  clusterName: field.string(),
  haServerAddr: field.string(),
  brokerId: field.long(),
  heartbeatTimeoutMillis: field.long({ optional: true }),
  enableActingMaster: field.boolean({ optional: true }),
  compressed: field.boolean({ optional: true }),
  bodyCrc32: field.int({ optional: true }),
})

/** REGISTER_BROKER (103) response: set only for a slave whose master is alive. Source: RegisterBrokerResponseHeader.java. */
export const RegisterBrokerResponseHeader = defineHeader({
  haServerAddr: field.string({ optional: true }),
  masterAddr: field.string({ optional: true }),
})

/** UNREGISTER_BROKER (104) request. Source: UnRegisterBrokerRequestHeader.java. */
export const UnregisterBrokerRequestHeader = defineHeader({
  brokerName: field.string(),
  brokerAddr: field.string(),
  clusterName: field.string(),
  brokerId: field.long(),
})

/**
 * GET_ROUTEINFO_BY_TOPIC (105) request. Source: GetRouteInfoRequestHeader.java.
 * `acceptStandardJsonOnly` (4.9.4+): quote integer map keys in the route body.
 */
export const GetRouteInfoRequestHeader = defineHeader({
  topic: field.string(),
  acceptStandardJsonOnly: field.boolean({ optional: true }),
})

/**
 * DELETE_TOPIC_IN_BROKER (215) / DELETE_TOPIC_IN_NAMESRV (216) request.
 * Source: DeleteTopicRequestHeader.java; `clusterName` from 5.x DeleteTopicFromNamesrvRequestHeader.java.
 */
export const DeleteTopicRequestHeader = defineHeader({
  topic: field.string(),
  clusterName: field.string({ optional: true }),
})
