import type { DataVersion } from '@cometmq/protocol'

/** Shapes of RouteInfoManager inputs and outputs (RocketMQ `RouteInfoManager.registerBroker` arguments). */

/** One topic as a broker registers it. Source: RocketMQ `TopicConfig` (only the fields namesrv uses). */
export interface RegisteredTopicConfig {
  topicName: string
  readQueueNums: number
  writeQueueNums: number
  perm: number
  topicSysFlag: number
}

/** Everything one REGISTER_BROKER call carries (header + decoded body). */
export interface RegisterBrokerInput {
  clusterName: string
  brokerAddr: string
  brokerName: string
  /** 0 = master, > 0 = slave */
  brokerId: number
  haServerAddr: string
  /**
   * The broker's topic-config version; `null` = no topic data to consider (the REGISTER_BROKER processor passes
   * `{counter: 0, timestamp: 0}` for a request without body, as RocketMQ does).
   */
  dataVersion: DataVersion | null
  topicConfigs: RegisteredTopicConfig[]
  filterServerList: string[]
  /** The registering connection; its close removes the broker. `null` for in-process registrations. */
  channel: BrokerChannel | null
  /** 5.x per-broker expiry (ms); undefined = the manager default. */
  heartbeatTimeoutMillis?: number
}

/** What a registering slave learns: its master's addresses, when the master (id 0) is alive. */
export interface RegisterBrokerResult {
  masterAddr?: string
  haServerAddr?: string
}

/** The part of a connection the manager needs (RemotingChannel satisfies it). */
export interface BrokerChannel {
  readonly id: string
  close(): void
}
