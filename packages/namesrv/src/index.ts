/**
 * @cometmq/namesrv — a RocketMQ-compatible name server as a library (route registry + broker liveness).
 * See README.md for the served request codes and config keys.
 */
export { NamesrvController } from './namesrv-controller.js'
export {
  NamesrvConfigError,
  defaultNamesrvSettings,
  formatNamesrvSettings,
  namesrvConfigSchema,
  parseNamesrvConfig,
} from './config/namesrv-config.js'
export type { NamesrvConfig, NamesrvSettings } from './config/namesrv-config.js'
export { RouteInfoManager, MASTER_ID, PERM_WRITE } from './route-info-manager.js'
export type { RouteInfoManagerOptions } from './route-info-manager.js'
export type { BrokerChannel, RegisterBrokerInput, RegisterBrokerResult, RegisteredTopicConfig } from './route-types.js'
export { KvConfigManager, NAMESPACE_ORDER_TOPIC_CONFIG } from './kv-config-manager.js'
export { NamesrvEvents } from './namesrv-events.js'
export type {
  BrokerRemovedReason,
  NamesrvEvent,
  NamesrvEventListener,
  NamesrvEventPayloads,
  NamesrvEventType,
} from './namesrv-events.js'
export {
  decodeRegisterBrokerBody,
  encodeCompressedRegisterBrokerBody,
  registerBodyCrc32,
} from './register-broker-body.js'
export type { DecodedRegisterBrokerBody } from './register-broker-body.js'
export { NAMESRV_REQUEST_CODES } from './processors/register-processors.js'
export { APPLY_TOPIC_FAQ_SUFFIX } from './processors/route-processors.js'
