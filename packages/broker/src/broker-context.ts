/**
 * What processors see of the broker: config, store, managers and a few live values. Implemented by BrokerController.
 * Processors never hold sockets of their own; they answer through the RemotingServer.
 */
import type { Logger, SocketAddress } from '@cometmq/protocol'
import type { MessageStore } from '@cometmq/store'
import type { ConsumerManager } from './client/consumer-manager.js'
import type { ProducerManager } from './client/producer-manager.js'
import type { BrokerConfig } from './config/broker-config-schema.js'
import type { PullRequestHoldService } from './longpolling/pull-request-hold-service.js'
import type { ConsumerOffsetManager } from './offset/consumer-offset-manager.js'
import type { SubscriptionGroupManager } from './subscription/subscription-group-manager.js'
import type { TopicConfigManager } from './topic/topic-config-manager.js'

/** Cheap in-process counters for GET_BROKER_RUNTIME_INFO (messages, not bytes). */
export interface BrokerStats {
  /** Messages stored by SEND_MESSAGE(_V2)/SEND_BATCH_MESSAGE/CONSUMER_SEND_MSG_BACK since start. */
  putMessages: number
  /** Messages returned by PULL_MESSAGE since start. */
  getMessages: number
}

export interface BrokerContext {
  readonly config: Readonly<BrokerConfig>
  readonly store: MessageStore
  /** The `broker` logger; processors take children of it. */
  readonly logger: Logger
  readonly topicConfigManager: TopicConfigManager
  readonly consumerOffsetManager: ConsumerOffsetManager
  readonly subscriptionGroupManager: SubscriptionGroupManager
  readonly consumerManager: ConsumerManager
  readonly producerManager: ProducerManager
  readonly pullRequestHoldService: PullRequestHoldService
  readonly stats: BrokerStats
  /** `brokerIP1` + the actual listen port: STOREHOST of every record and the address inside offset msgIds. */
  readonly storeHost: SocketAddress
  /** `${brokerIP1}:${port}`. */
  readonly brokerAddr: string
  /** Broker start time, ms since epoch. */
  readonly bootTimestamp: number
  /** Schedules a coalesced REGISTER_BROKER to every namesrv (after topic create/update/delete). */
  registerBrokerAllSoon(): void
}
