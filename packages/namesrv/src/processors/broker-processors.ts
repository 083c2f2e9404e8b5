import {
  RegisterBrokerRequestHeader,
  ResponseCode,
  UnregisterBrokerRequestHeader,
  createResponse,
  parseJsonLenient,
} from '@cometmq/protocol'
import type { DataVersion, RemotingChannel, RemotingCommand } from '@cometmq/protocol'
import { NAMESPACE_ORDER_TOPIC_CONFIG } from '../kv-config-manager.js'
import { decodeRegisterBrokerBody, registerBodyCrc32 } from '../register-broker-body.js'
import type { DecodedRegisterBrokerBody } from '../register-broker-body.js'
import { jsonBody } from './namesrv-context.js'
import type { NamesrvContext } from './namesrv-context.js'
import { BrokerHeartbeatRequestHeader, QueryDataVersionRequestHeader } from './namesrv-headers.js'

/**
 * REGISTER_BROKER (103). Source: RocketMQ `DefaultRequestProcessor.registerBrokerWithFilterServer` (remoting-protocol.md §3.1, §7.2).
 *
 * - `bodyCrc32` ≠ 0 and ≠ CRC-32(body) & 0x7FFFFFFF → SYSTEM_ERROR `crc32 not match`.
 * - Body: JSON RegisterBrokerBody, or the zlib form when `compressed=true`; no body → DataVersion {0,0}, no topics.
 * - Response: SUCCESS; extFields `masterAddr`/`haServerAddr` for a slave whose master is alive (else `{}`);
 *   body = KVTable `{"table":{...}}` of namespace ORDER_TOPIC_CONFIG when non-empty.
 * @throws HeaderError for a missing required header field (→ SYSTEM_ERROR by the server).
 */
export function registerBroker(context: NamesrvContext, request: RemotingCommand, channel: RemotingChannel): RemotingCommand {
  const header = RegisterBrokerRequestHeader.decode(request.extFields)
  const bodyCrc32 = header.bodyCrc32 ?? 0
  if (bodyCrc32 !== 0 && bodyCrc32 !== registerBodyCrc32(request.body)) {
    context.logger.warn('receive registerBroker request, crc32 not match', { remoteAddr: channel.remoteAddress, brokerName: header.brokerName })
    return createResponse(request, ResponseCode.SYSTEM_ERROR, 'crc32 not match')
  }
  const body: DecodedRegisterBrokerBody | null =
    request.body !== null && request.body.length > 0 ? decodeRegisterBrokerBody(request.body, header.compressed === true) : null

  const result = context.routeInfoManager.registerBroker({
    clusterName: header.clusterName,
    brokerAddr: header.brokerAddr,
    brokerName: header.brokerName,
    brokerId: Number(header.brokerId),
    haServerAddr: header.haServerAddr,
    dataVersion: body?.dataVersion ?? { counter: 0, timestamp: 0 },
    topicConfigs: body?.topicConfigs ?? [],
    filterServerList: body?.filterServerList ?? [],
    channel,
    ...(header.heartbeatTimeoutMillis != null ? { heartbeatTimeoutMillis: Number(header.heartbeatTimeoutMillis) } : {}),
  })
  context.logger.debug('broker registered', {
    brokerName: header.brokerName,
    brokerAddr: header.brokerAddr,
    brokerId: header.brokerId,
    remoteAddr: channel.remoteAddress,
  })

  const extFields: Record<string, string> = {}
  if (result.haServerAddr !== undefined) extFields['haServerAddr'] = result.haServerAddr
  if (result.masterAddr !== undefined) extFields['masterAddr'] = result.masterAddr
  const orderTopicConfig = context.returnOrderTopicConfigToBroker
    ? context.kvConfigManager.getKVListByNamespace(NAMESPACE_ORDER_TOPIC_CONFIG)
    : null
  return createResponse(request, ResponseCode.SUCCESS, null, extFields, orderTopicConfig === null ? null : jsonBody({ table: orderTopicConfig }))
}

/**
 * UNREGISTER_BROKER (104): removes the broker address; the last address of a brokerName takes its queues with it.
 * Source: RocketMQ `DefaultRequestProcessor.unregisterBroker`. Response SUCCESS, no body.
 */
export function unregisterBroker(context: NamesrvContext, request: RemotingCommand): RemotingCommand {
  const header = UnregisterBrokerRequestHeader.decode(request.extFields)
  context.routeInfoManager.unregisterBroker(header.clusterName, header.brokerAddr, header.brokerName, Number(header.brokerId))
  return createResponse(request, ResponseCode.SUCCESS, null)
}

/**
 * QUERY_DATA_VERSION (322): header brokerName, brokerAddr, clusterName, brokerId (all required); body the broker's
 * DataVersion JSON. Response SUCCESS, extFields `changed` ("true"/"false"), body namesrv's stored DataVersion JSON
 * (absent when none). An unchanged version refreshes the broker's liveness.
 * Source: RocketMQ `DefaultRequestProcessor.queryBrokerTopicConfig`.
 */
export function queryDataVersion(context: NamesrvContext, request: RemotingCommand): RemotingCommand {
  const { brokerAddr } = QueryDataVersionRequestHeader.decode(request.extFields)
  const dataVersion = parseDataVersion(request.body)
  const manager = context.routeInfoManager
  const changed = manager.isBrokerTopicConfigChanged(brokerAddr, dataVersion)
  if (!changed) manager.updateBrokerInfoUpdateTimestamp(brokerAddr)
  const stored = manager.queryBrokerTopicConfig(brokerAddr)
  return createResponse(request, ResponseCode.SUCCESS, null, { changed: String(changed) }, stored === null ? null : jsonBody(stored))
}

/**
 * BROKER_HEARTBEAT (904, 5.x): header clusterName, brokerAddr, brokerName (required); refreshes liveness only.
 * Source: RocketMQ 5.x `DefaultRequestProcessor.brokerHeartbeat`.
 */
export function brokerHeartbeat(context: NamesrvContext, request: RemotingCommand): RemotingCommand {
  const { brokerAddr } = BrokerHeartbeatRequestHeader.decode(request.extFields)
  context.routeInfoManager.updateBrokerInfoUpdateTimestamp(brokerAddr)
  return createResponse(request, ResponseCode.SUCCESS, null)
}

function parseDataVersion(body: Buffer | null): DataVersion {
  if (body === null || body.length === 0) return { counter: 0, timestamp: 0 }
  const value = parseJsonLenient(body.toString('utf8'))
  if (typeof value !== 'object' || value === null) return { counter: 0, timestamp: 0 }
  const v = value as Record<string, unknown>
  const version: DataVersion = { counter: Number(v['counter'] ?? 0), timestamp: Number(v['timestamp'] ?? 0) }
  if (v['stateVersion'] !== undefined) version.stateVersion = Number(v['stateVersion'])
  return version
}
