/**
 * The broker.conf schema: every key of remoting-protocol.md §9.2 with its RocketMQ name, type, default, unit, doc and
 * source class. Sources: RocketMQ `common/BrokerConfig.java` (5.x `BrokerIdentity.java` for name/cluster/id),
 * `store/config/MessageStoreConfig.java`, `remoting/netty/NettyServerConfig.java` (4.9 values unless noted).
 *
 * Keys marked `ignored` are accepted so that stock RocketMQ files load without warnings, but have no effect here.
 */
import { homedir, hostname } from 'node:os'
import { join } from 'node:path'
import { bool, int, long, oneOf, optionalStr, str } from './config-schema.js'
import type { ConfigValues } from './config-schema.js'
import { detectLocalIPv4 } from './local-address.js'

const B = 'BrokerConfig' as const
const S = 'MessageStoreConfig' as const
const N = 'NettyServerConfig' as const
const C = 'CometMQ' as const

/** Schema of every broker.conf key (see README for the rendered table). Frozen. */
export const brokerConfigSchema = Object.freeze({
  // ---- identity and addressing
  brokerClusterName: str({ default: 'DefaultCluster', doc: 'Cluster name; registered with namesrv and also a topic name.', source: B }),
  brokerName: str({ default: () => hostname(), defaultDoc: 'os.hostname()', doc: 'Broker (replica-set) name; master and slaves share it.', source: B }),
  brokerId: long({ default: 0, min: 0, doc: '0 = master, >0 = slave. Forced to 0 when brokerRole is a MASTER role.', source: B }),
  brokerRole: oneOf(['ASYNC_MASTER', 'SYNC_MASTER', 'SLAVE'] as const, { default: 'ASYNC_MASTER', doc: 'Replication role. CometMQ serves as a master; SLAVE is accepted but replication is not implemented.', source: S }),
  listenPort: int({ default: 10911, min: 0, max: 65535, doc: 'Main remoting port (0 = any free port, for tests). VIP port = listenPort − 2.', source: N }),
  bindAddress: str({ default: '0.0.0.0', doc: 'Interface the remoting server binds to (5.x NettyServerConfig.bindAddress).', source: N }),
  namesrvAddr: optionalStr({ doc: "Name servers, 'host:port;host:port'. Unset = do not register.", defaultDoc: 'unset', source: B }),
  brokerIP1: str({ default: () => detectLocalIPv4(), defaultDoc: 'first non-internal IPv4 address, else 127.0.0.1', doc: 'Advertised address: brokerAddr, message store host, offset msgIds. Must be reachable by clients.', source: B }),
  brokerIP2: optionalStr({ defaultDoc: 'brokerIP1', doc: 'Advertised HA address (haServerAddr).', source: B }),
  haListenPort: int({ default: 0, min: 0, max: 65535, unit: 'port', defaultDoc: 'listenPort + 1', doc: 'HA port advertised as haServerAddr; 0 = listenPort + 1 (5.x rule).', source: S }),
  haMasterAddress: optionalStr({ doc: 'Static master HA address for a slave.', source: S, ignored: true }),
  vipChannelEnabled: bool({ default: false, doc: 'Also listen on listenPort − 2 (the 4.x "VIP" channel; every code except PULL). Only when listenPort ≠ 0.', source: C }),

  // ---- store
  storeType: oneOf(['default', 'level', 'memory'] as const, { default: 'default', doc: "Store adapter: 'default' = FileMessageStore (RocketMQ layout: CommitLog, ConsumeQueue, IndexFile under storePathRootDir), 'level' = LevelMessageStore (classic-level/LevelDB under storePathRootDir), 'memory' = MemoryMessageStore (not durable, bounded by memoryStoreMaxBytes). RocketMQ's key, with CometMQ values.", source: C }),
  storePathRootDir: str({ default: () => join(homedir(), 'store'), defaultDoc: '~/store', doc: 'Root of commitlog/, consumequeue/, config/ (topics.json, consumerOffset.json, subscriptionGroup.json).', source: S }),
  storePathCommitLog: optionalStr({ defaultDoc: '<storePathRootDir>/commitlog', doc: 'CommitLog directory.', source: S }),
  mappedFileSizeCommitLog: long({ default: 1073741824, min: 4096, unit: 'bytes', doc: "CommitLog file size. Also accepted as 'mapedFileSizeCommitLog' (≤ 4.5.1 spelling).", source: S }),
  mappedFileSizeConsumeQueue: long({ default: 6000000, min: 20, unit: 'bytes', doc: "ConsumeQueue file size (300000 × 20). Also accepted as 'mapedFileSizeConsumeQueue'.", source: S }),
  flushDiskType: oneOf(['ASYNC_FLUSH', 'SYNC_FLUSH'] as const, { default: 'ASYNC_FLUSH', doc: 'SYNC_FLUSH makes sends with WAIT=true wait for fsync.', source: S }),
  flushIntervalCommitLog: int({ default: 500, min: 1, unit: 'ms', doc: 'Async flush cadence of the CommitLog.', source: S }),
  flushIntervalConsumeQueue: int({ default: 1000, min: 1, unit: 'ms', doc: 'Async flush cadence of ConsumeQueues.', source: S }),
  syncFlushTimeout: long({ default: 5000, min: 1, unit: 'ms', doc: 'SYNC_FLUSH wait before answering FLUSH_DISK_TIMEOUT (10).', source: S }),
  maxMessageSize: int({ default: 4194304, min: 1, unit: 'bytes', doc: 'Largest accepted message body (batch: whole body); larger → MESSAGE_ILLEGAL (13).', source: S }),
  deleteWhen: str({ default: '04', doc: "Hour(s) of day (local time, 0–23, ';'-separated, e.g. '01;04') at which expired CommitLog segments are deleted.", source: S }),
  fileReservedTime: int({ default: 72, min: 0, unit: 'hours', doc: 'A CommitLog segment is deleted (at a deleteWhen hour) once its newest message is older than this. Every storeType keeps segments of mappedFileSizeCommitLog bytes; the newest segment is never deleted.', source: S }),
  diskMaxUsedSpaceRatio: int({ default: 75, min: 10, max: 95, unit: 'percent', doc: 'Disk usage of the store filesystem above which the oldest segments are deleted at any hour, expired or not (with cleanFileForciblyEnable).', source: S }),
  diskSpaceWarningLevelRatio: int({ default: 90, min: 1, max: 100, unit: 'percent', doc: 'Disk usage above which sends are refused with SERVICE_NOT_AVAILABLE (14) until retention frees space (RocketMQ 5 key; 4.9: system property rocketmq.broker.diskSpaceWarningLevelRatio).', source: S }),
  cleanFileForciblyEnable: bool({ default: true, doc: 'Delete unexpired segments when disk usage is above diskMaxUsedSpaceRatio.', source: S }),
  cleanResourceInterval: int({ default: 10000, min: 1, unit: 'ms', doc: 'Cadence of the disk-usage check and retention run.', source: S }),
  memoryStoreMaxBytes: long({ default: 268435456, min: 4096, unit: 'bytes', doc: "storeType=memory: byte budget of stored records; a put that would exceed it drops the oldest segments (queue min offsets advance).", source: C }),
  messageDelayLevel: str({ default: '1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h', doc: 'Delay levels (§7.8). No schedule service yet: delayed messages are stored immediately consumable.', source: S }),
  flushDelayOffsetInterval: long({ default: 10000, min: 1, unit: 'ms', doc: 'delayOffset.json flush cadence.', source: S, ignored: true }),
  accessMessageInMemoryMaxRatio: int({ default: 40, min: 0, max: 100, unit: 'percent', doc: 'Hot window: the newest CommitLog bytes worth this % of RAM are read synchronously from the OS page cache (0 = always async reads).', source: S }),
  maxTransferBytesOnMessageInMemory: int({ default: 262144, min: 1, unit: 'bytes', doc: 'Pull batch byte cap (passed to the store as maxTotalBytes).', source: S }),
  maxTransferCountOnMessageInMemory: int({ default: 32, min: 1, unit: 'count', doc: 'Pull batch message cap (caps maxMsgNums).', source: S }),
  maxTransferBytesOnMessageInDisk: int({ default: 65536, min: 1, unit: 'bytes', doc: 'Cold-data pull byte cap.', source: S, ignored: true }),
  maxTransferCountOnMessageInDisk: int({ default: 8, min: 1, unit: 'count', doc: 'Cold-data pull message cap.', source: S, ignored: true }),
  messageIndexEnable: bool({ default: true, doc: 'Index messages by topic + KEYS words + UNIQ_KEY for QUERY_MESSAGE (12); false = queries find nothing.', source: S }),
  maxHashSlotNum: int({ default: 5000000, min: 1, unit: 'count', doc: 'Hash slots per IndexFile (storeType=default).', source: S }),
  maxIndexNum: int({ default: 20000000, min: 2, unit: 'count', doc: 'Entries per IndexFile (storeType=default).', source: S }),
  defaultQueryMaxNum: int({ default: 32, min: 1, unit: 'count', doc: 'maxNum of a QUERY_MESSAGE with _UNIQUE_KEY_QUERY=true (the request maxNum is replaced). The store caps every query at 64.', source: S }),
  haSendHeartbeatInterval: int({ default: 5000, min: 1, unit: 'ms', doc: 'HA heartbeat (§8).', source: S, ignored: true }),
  haHousekeepingInterval: int({ default: 20000, min: 1, unit: 'ms', doc: 'HA idle close (§8).', source: S, ignored: true }),
  haTransferBatchSize: int({ default: 32768, min: 1, unit: 'bytes', doc: 'HA chunk size (§8).', source: S, ignored: true }),
  haSlaveFallbehindMax: long({ default: 268435456, min: 0, unit: 'bytes', doc: 'SYNC_MASTER "slave OK" lag threshold.', source: S, ignored: true }),
  enableDLegerCommitLog: bool({ default: false, doc: 'DLedger mode (not supported).', source: S, ignored: true }),
  transientStorePoolEnable: bool({ default: false, doc: 'Off-heap write buffer (Java only).', source: S, ignored: true }),
  timerWheelEnable: bool({ default: true, doc: '5.x timer wheel.', source: S, ignored: true }),
  timerPrecisionMs: long({ default: 1000, min: 1, unit: 'ms', doc: '5.x timer precision.', source: S, ignored: true }),
  timerMaxDelaySec: int({ default: 259200, min: 1, unit: 's', doc: '5.x longest timer delay.', source: S, ignored: true }),
  enabledAppendPropCRC: bool({ default: false, doc: '5.x CRC property.', source: S, ignored: true }),

  // ---- topics, groups, behaviour
  autoCreateTopicEnable: bool({ default: true, doc: 'Keep TBW102 (perm 7) and auto-create unknown topics on send (§7.1).', source: B }),
  defaultTopicQueueNums: int({ default: 8, min: 1, unit: 'count', doc: 'Queue count of TBW102 and cap for auto-created topics.', source: B }),
  autoCreateSubscriptionGroup: bool({ default: true, doc: 'Create subscription groups on heartbeat/pull/send-back.', source: B }),
  clusterTopicEnable: bool({ default: true, doc: 'Register the cluster-name topic with READ|WRITE.', source: B }),
  brokerTopicEnable: bool({ default: true, doc: 'Register the broker-name topic with READ|WRITE.', source: B }),
  brokerPermission: int({ default: 6, min: 0, max: 7, doc: 'Broker-wide perm bits (READ 4 | WRITE 2); 4 = write wiped.', source: B }),
  traceTopicEnable: bool({ default: false, doc: 'Create the message-trace topic.', source: B }),
  msgTraceTopicName: str({ default: 'RMQ_SYS_TRACE_TOPIC', doc: 'Name of the trace topic.', source: B }),
  traceOn: bool({ default: true, doc: 'Value of TRACE_ON in send responses.', source: B }),
  regionId: str({ default: 'DefaultRegion', doc: 'Value of MSG_REGION in send responses.', source: B }),
  enablePropertyFilter: bool({ default: false, doc: 'Allow SQL92 subscriptions (SQL92 filtering is not implemented: pulls answer SYSTEM_ERROR).', source: B }),
  filterSupportRetry: bool({ default: false, doc: 'Apply filters on retry topics too.', source: B, ignored: true }),
  longPollingEnable: bool({ default: true, doc: 'Hold PULL requests up to suspendTimeoutMillis; false = hold shortPollingTimeMills.', source: B }),
  shortPollingTimeMills: long({ default: 1000, min: 0, unit: 'ms', doc: 'Hold time when long polling is off.', source: B }),
  notifyConsumerIdsChangedEnable: bool({ default: true, doc: 'Send NOTIFY_CONSUMER_IDS_CHANGED (40) on group membership changes.', source: B }),
  slaveReadEnable: bool({ default: false, doc: 'Suggest slaves for cold reads.', source: B, ignored: true }),
  offsetCheckInSlave: bool({ default: false, doc: 'Correct offsets on slaves.', source: B, ignored: true }),
  rejectTransactionMessage: bool({ default: false, doc: 'Reject half messages (transactions are not implemented: always rejected).', source: B }),
  transactionTimeOut: long({ default: 6000, min: 0, unit: 'ms', doc: 'Check-back grace.', source: B, ignored: true }),
  transactionCheckMax: int({ default: 15, min: 0, unit: 'count', doc: 'Check-back limit.', source: B, ignored: true }),
  transactionCheckInterval: long({ default: 60000, min: 1, unit: 'ms', doc: 'Check-back cadence.', source: B, ignored: true }),
  aclEnable: bool({ default: false, doc: '4.x plain ACL (not supported).', source: B, ignored: true }),
  channelExpiredTimeout: long({ default: 120000, min: 1, unit: 'ms', doc: 'Clients not heard from (heartbeat) for this long are removed (5.x key; 4.9 fixed 120 s).', source: B }),

  // ---- namesrv registration
  registerNameServerPeriod: int({ default: 30000, min: 1, unit: 'ms', doc: 'Periodic REGISTER_BROKER; clamped to 10 000–60 000 like Java.', source: B }),
  registerBrokerTimeoutMills: int({ default: 6000, min: 1, unit: 'ms', doc: 'REGISTER_BROKER / UNREGISTER_BROKER RPC timeout.', source: B }),
  forceRegister: bool({ default: true, doc: 'Always register (QUERY_DATA_VERSION pre-check is not implemented).', source: B }),
  compressedRegister: bool({ default: false, doc: 'Compressed RegisterBrokerBody (not implemented; always JSON).', source: B, ignored: true }),
  flushConsumerOffsetInterval: int({ default: 5000, min: 1, unit: 'ms', doc: 'consumerOffset.json flush cadence (also flushed on shutdown).', source: B }),

  // ---- flow control and netty tuning (accepted, no effect)
  brokerFastFailureEnable: bool({ default: true, doc: 'Reject requests that queued too long.', source: B, ignored: true }),
  waitTimeMillsInSendQueue: long({ default: 200, min: 0, unit: 'ms', doc: 'Send queue wait cap.', source: B, ignored: true }),
  waitTimeMillsInPullQueue: long({ default: 5000, min: 0, unit: 'ms', doc: 'Pull queue wait cap.', source: B, ignored: true }),
  waitTimeMillsInHeartbeatQueue: long({ default: 31000, min: 0, unit: 'ms', doc: 'Heartbeat queue wait cap.', source: B, ignored: true }),
  waitTimeMillsInTransactionQueue: long({ default: 3000, min: 0, unit: 'ms', doc: 'Transaction queue wait cap.', source: B, ignored: true }),
  sendMessageThreadPoolNums: int({ default: 1, min: 1, unit: 'count', doc: 'Java thread pool size.', source: B, ignored: true }),
  pullMessageThreadPoolNums: int({ default: 16, min: 1, unit: 'count', doc: 'Java thread pool size.', source: B, ignored: true }),
  useReentrantLockWhenPutMessage: bool({ default: false, doc: 'Java put lock kind.', source: S, ignored: true }),
  enableControllerMode: bool({ default: false, doc: '5.x controller mode.', source: B, ignored: true }),
  enableSlaveActingMaster: bool({ default: false, doc: '5.x acting master.', source: B, ignored: true }),
  serverChannelMaxIdleTimeSeconds: int({ default: 120, min: 0, unit: 's', doc: 'Close client connections idle this long.', source: N }),
  serverWorkerThreads: int({ default: 8, min: 1, unit: 'count', doc: 'Netty tuning.', source: N, ignored: true }),
  serverSelectorThreads: int({ default: 3, min: 1, unit: 'count', doc: 'Netty tuning.', source: N, ignored: true }),
  serverCallbackExecutorThreads: int({ default: 0, min: 0, unit: 'count', doc: 'Netty tuning.', source: N, ignored: true }),
  serverOnewaySemaphoreValue: int({ default: 256, min: 1, unit: 'count', doc: 'Netty tuning.', source: N, ignored: true }),
  serverAsyncSemaphoreValue: int({ default: 64, min: 1, unit: 'count', doc: 'Netty tuning.', source: N, ignored: true }),
  serverSocketSndBufSize: int({ default: 65535, min: 0, unit: 'bytes', doc: 'Netty tuning.', source: N, ignored: true }),
  serverSocketRcvBufSize: int({ default: 65535, min: 0, unit: 'bytes', doc: 'Netty tuning.', source: N, ignored: true }),
  serverPooledByteBufAllocatorEnable: bool({ default: true, doc: 'Netty tuning.', source: N, ignored: true }),
  useEpollNativeSelector: bool({ default: false, doc: 'Netty tuning.', source: N, ignored: true }),
})

/** Old spellings accepted for compatibility (§9.1): ≤ 4.5.1 wrote `maped…` with one p. */
export const BROKER_CONFIG_KEY_ALIASES: Readonly<Record<string, BrokerConfigKey>> = Object.freeze({
  mapedFileSizeCommitLog: 'mappedFileSizeCommitLog',
  mapedFileSizeConsumeQueue: 'mappedFileSizeConsumeQueue',
})

/** A broker.conf key. */
export type BrokerConfigKey = keyof typeof brokerConfigSchema

/**
 * Every broker.conf key with its typed value; defaults in `brokerConfigSchema` (RocketMQ names, §9.2).
 * Units: see the schema (`*Interval`/`*Timeout`/`*Mills` in ms, `fileReservedTime` in hours, sizes in bytes).
 */
export interface BrokerConfig extends ConfigValues<typeof brokerConfigSchema> {}
