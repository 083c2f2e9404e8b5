/**
 * @cometmq/protocol — RocketMQ remoting protocol: frames, header codecs, codes, typed headers, message format,
 * TCP server/client. The contract is docs/architecture.md; wire facts are remoting-protocol.md.
 */
export type { Logger } from './logger.js'
export { noopLogger } from './logger.js'
export {
  MQError,
  RemotingConnectError,
  RemotingTimeoutError,
  RemotingSendRequestError,
  RemotingProtocolError,
  HeaderError,
  MQBrokerError,
  MQClientError,
  isRetriableResponseCode,
} from './errors.js'
export type { MQErrorCode } from './errors.js'
export { RequestCode, requestCodeName } from './request-code.js'
export { ResponseCode, responseCodeName } from './response-code.js'
export { LanguageCode, SerializeType, languageName, languageValue } from './language-code.js'
export type { LanguageName, SerializeTypeValue } from './language-code.js'
export {
  createRequest,
  createResponse,
  isResponse,
  isOneway,
  encodeCommand,
  decodeCommand,
  toExtFields,
  DEFAULT_MAX_FRAME_SIZE,
  DEFAULT_VERSION,
  RPC_TYPE_RESPONSE,
  RPC_ONEWAY,
} from './remoting-command.js'
export type { RemotingCommand, ExtFieldValue } from './remoting-command.js'
export { FrameDecoder } from './frame-decoder.js'
export { raceAbort } from './abort.js'
export { parseJsonLenient, stringifyJson } from './json.js'
export { defineHeader, field } from './headers/define-header.js'
export type { FieldKind, FieldSpec, FieldFactory, HeaderOf, HeaderSchema, HeaderShape } from './headers/define-header.js'
export {
  RegisterBrokerRequestHeader,
  RegisterBrokerResponseHeader,
  UnregisterBrokerRequestHeader,
  GetRouteInfoRequestHeader,
  DeleteTopicRequestHeader,
} from './headers/namesrv-headers.js'
export {
  SendMessageRequestHeader,
  SendMessageRequestHeaderV2,
  SendMessageResponseHeader,
  toSendMessageRequestHeader,
  toSendMessageRequestHeaderV2,
} from './headers/send-message-headers.js'
export type { SendMessageRequestHeaderType, SendMessageRequestHeaderV2Type } from './headers/send-message-headers.js'
export {
  PullMessageRequestHeader,
  PullMessageResponseHeader,
  QueryConsumerOffsetRequestHeader,
  QueryConsumerOffsetResponseHeader,
  UpdateConsumerOffsetRequestHeader,
  UnregisterClientRequestHeader,
  GetConsumerListByGroupRequestHeader,
  NotifyConsumerIdsChangedRequestHeader,
  ConsumerSendMsgBackRequestHeader,
} from './headers/consumer-headers.js'
export {
  CreateTopicRequestHeader,
  GetMaxOffsetRequestHeader,
  GetMaxOffsetResponseHeader,
  GetMinOffsetRequestHeader,
  GetMinOffsetResponseHeader,
  SearchOffsetRequestHeader,
  SearchOffsetResponseHeader,
  GetEarliestMsgStoretimeRequestHeader,
  GetEarliestMsgStoretimeResponseHeader,
  ViewMessageRequestHeader,
  QueryMessageRequestHeader,
  QueryMessageResponseHeader,
} from './headers/admin-headers.js'
export type {
  MessageQueue,
  QueueData,
  BrokerData,
  TopicRouteData,
  ClusterInfo,
  DataVersion,
  TopicConfig,
  TopicConfigSerializeWrapper,
  RegisterBrokerBody,
  ProducerData,
  SubscriptionData,
  ConsumerData,
  HeartbeatData,
  ConsumerListBody,
  TopicList,
} from './headers/bodies.js'
export { RemotingServer, DEFAULT_IDLE_TIMEOUT_MS } from './remoting/remoting-server.js'
export type { RemotingServerOptions } from './remoting/remoting-server.js'
export { RemotingClient, DEFAULT_CONNECT_TIMEOUT_MS, parseAddress } from './remoting/remoting-client.js'
export type { RemotingClientOptions } from './remoting/remoting-client.js'
export { DEFAULT_INVOKE_TIMEOUT_MS } from './remoting/connection.js'
export type { RemotingChannel, RequestProcessor } from './remoting/types.js'
export {
  MessageDecodeError,
  MESSAGE_MAGIC_CODE_V1,
  MESSAGE_MAGIC_CODE_V2,
  BLANK_MAGIC_CODE,
  RecordLayout,
  encodeMessageRecord,
  decodeMessageRecord,
  decodeMessages,
  messageRecordSize,
  encodeProperties,
  decodeProperties,
  NAME_VALUE_SEPARATOR,
  PROPERTY_SEPARATOR,
  encodeBatchMessages,
  decodeBatchMessages,
  createOffsetMsgId,
  decodeOffsetMsgId,
  createUniqId,
  createUniqIdGenerator,
  javaStringHashCode,
  tagsStringToTagsCode,
  filterSubscription,
  SUB_ALL,
  validateTopic,
  TOPIC_MAX_LENGTH,
  MessageSysFlag,
  PullSysFlag,
  PermName,
  MessageConst,
  MixAll,
  crc32,
} from './message/index.js'
export type {
  SocketAddress,
  MessageExt,
  MessageRecordInput,
  MessageRecordEncodeInput,
  DecodeMessageOptions,
  BatchMessage,
  UniqIdSource,
  SubscriptionFilter,
} from './message/index.js'
