import { stringifyJson } from '@cometmq/protocol'
import type { Logger } from '@cometmq/protocol'
import type { KvConfigManager } from '../kv-config-manager.js'
import type { RouteInfoManager } from '../route-info-manager.js'

/** What every namesrv request processor works on. */
export interface NamesrvContext {
  readonly routeInfoManager: RouteInfoManager
  readonly kvConfigManager: KvConfigManager
  /** Attach `orderTopicConf` (KV namespace ORDER_TOPIC_CONFIG) to routes. RocketMQ `NamesrvConfig.orderMessageEnable`. */
  readonly orderMessageEnable: boolean
  /** Put the ORDER_TOPIC_CONFIG KVTable in the REGISTER_BROKER response body. RocketMQ `returnOrderTopicConfigToBroker`. */
  readonly returnOrderTopicConfigToBroker: boolean
  readonly logger: Logger
}

/** UTF-8 JSON body with quoted keys (remoting-protocol.md §3.12 recommendation), compact (no spaces). */
export function jsonBody(value: unknown): Buffer {
  return Buffer.from(stringifyJson(value), 'utf8')
}
