/**
 * @cometmq/client — a RocketMQ client for TypeScript: Producer, PushConsumer (CLUSTERING, concurrent),
 * PullConsumer and Admin. Works against CometMQ and Apache RocketMQ 4.x/5.x brokers (remoting protocol).
 * The only public entry point; everything else in src/ is internal.
 */
export { Producer } from './producer.js'
export type { ProducerOptions } from './producer.js'
export { PushConsumer } from './push-consumer.js'
export type { PushConsumerOptions } from './push-consumer.js'
export { PullConsumer } from './pull-consumer.js'
export type { PullConsumerOptions, PullOptions } from './pull-consumer.js'
export { Admin } from './admin.js'
export type { CreateTopicOptions, QueryMessageByUniqKeyOptions, QueryMessageOptions, ViewMessageOptions } from './admin.js'
export { MQClientInstance } from './mq-client-instance.js'
export { allocateMessageQueueAveragely, allocateMessageQueueAveragelyByCircle } from './allocate.js'
export type { AllocateMessageQueueStrategy } from './allocate.js'
export type {
  ClientOptions,
  MessageInput,
  MessageQueue,
  SendStatus,
  SendResult,
  SendOptions,
  MessageQueueSelector,
  ConsumeFromWhere,
  ConsumeConcurrentlyStatus,
  ConsumedMessage,
  ViewedMessage,
  ConsumeContext,
  MessageListener,
  PullStatus,
  PullResult,
} from './types.js'
// Error classes come from @cometmq/protocol; re-exported so applications can `instanceof`-check without a second import.
export { MQError, MQBrokerError, MQClientError, RemotingConnectError, RemotingTimeoutError, RemotingSendRequestError, ResponseCode } from '@cometmq/protocol'
export { PermName } from '@cometmq/protocol'
export type { Logger, TopicConfig } from '@cometmq/protocol'
