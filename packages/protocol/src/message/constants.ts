/**
 * RocketMQ constants used by the message format, pull requests and topic permissions.
 * Values are copied from the Java sources named on each object; never renumber them.
 */

/**
 * Stored-record SYSFLAG bits. Source: org.apache.rocketmq.common.sysflag.MessageSysFlag.
 *
 *   bit  0     COMPRESSED_FLAG            body is compressed
 *   bit  1     MULTI_TAGS_FLAG
 *   bits 2-3   transaction type           0 NOT / 0x4 PREPARED / 0x8 COMMIT / 0xC ROLLBACK
 *   bit  4     BORNHOST_V6_FLAG           BORNHOST is 16-byte IPv6 + port
 *   bit  5     STOREHOSTADDRESS_V6_FLAG   STOREHOST is 16-byte IPv6 + port
 *   bit  6     NEED_UNWRAP_FLAG (5.x)     bit 7 INNER_BATCH_FLAG (5.x)
 *   bits 8-10  compression type           0x100 LZ4 / 0x200 ZSTD / 0x300 ZLIB (0 also means ZLIB)
 */
export const MessageSysFlag = {
  COMPRESSED_FLAG: 0x1,
  MULTI_TAGS_FLAG: 0x2,
  TRANSACTION_NOT_TYPE: 0,
  TRANSACTION_PREPARED_TYPE: 0x4,
  TRANSACTION_COMMIT_TYPE: 0x8,
  TRANSACTION_ROLLBACK_TYPE: 0xc,
  BORNHOST_V6_FLAG: 0x10,
  STOREHOSTADDRESS_V6_FLAG: 0x20,
  NEED_UNWRAP_FLAG: 0x40,
  INNER_BATCH_FLAG: 0x80,
  COMPRESSION_LZ4_TYPE: 0x100,
  COMPRESSION_ZSTD_TYPE: 0x200,
  COMPRESSION_ZLIB_TYPE: 0x300,
  COMPRESSION_TYPE_COMPARATOR: 0x700,
  /** The 2-bit transaction type field (`flag & 0xC`). */
  getTransactionValue(flag: number): number {
    return flag & 0xc
  },
  /** `flag` with its transaction type replaced by `type` (one of the TRANSACTION_* values). */
  resetTransactionValue(flag: number, type: number): number {
    return (flag & ~0xc) | type
  },
  /** `flag` with COMPRESSED_FLAG cleared. */
  clearCompressedFlag(flag: number): number {
    return flag & ~0x1
  },
} as const

/**
 * PULL_MESSAGE request header `sysFlag` bits. Source: org.apache.rocketmq.common.sysflag.PullSysFlag.
 *   bit 0 FLAG_COMMIT_OFFSET · bit 1 FLAG_SUSPEND · bit 2 FLAG_SUBSCRIPTION · bit 3 FLAG_CLASS_FILTER · bit 4 FLAG_LITE_PULL_MESSAGE
 */
export const PullSysFlag = {
  FLAG_COMMIT_OFFSET: 0x1,
  FLAG_SUSPEND: 0x2,
  FLAG_SUBSCRIPTION: 0x4,
  FLAG_CLASS_FILTER: 0x8,
  FLAG_LITE_PULL_MESSAGE: 0x10,
  buildSysFlag(commitOffset: boolean, suspend: boolean, subscription: boolean, classFilter: boolean, litePull = false): number {
    return (commitOffset ? 0x1 : 0) | (suspend ? 0x2 : 0) | (subscription ? 0x4 : 0) | (classFilter ? 0x8 : 0) | (litePull ? 0x10 : 0)
  },
  clearCommitOffsetFlag(sysFlag: number): number {
    return sysFlag & ~0x1
  },
  hasCommitOffsetFlag: (sysFlag: number): boolean => (sysFlag & 0x1) !== 0,
  hasSuspendFlag: (sysFlag: number): boolean => (sysFlag & 0x2) !== 0,
  hasSubscriptionFlag: (sysFlag: number): boolean => (sysFlag & 0x4) !== 0,
  hasClassFilterFlag: (sysFlag: number): boolean => (sysFlag & 0x8) !== 0,
  hasLitePullFlag: (sysFlag: number): boolean => (sysFlag & 0x10) !== 0,
} as const

/**
 * Topic / queue permission bits (`perm` in TopicConfig, QueueData). Source: org.apache.rocketmq.common.constant.PermName.
 * Normal topics are 6 (READ|WRITE); TBW102 is 7 (INHERIT marks the auto-create template).
 */
export const PermName = {
  PERM_PRIORITY: 8,
  PERM_READ: 4,
  PERM_WRITE: 2,
  PERM_INHERIT: 1,
  isReadable: (perm: number): boolean => (perm & 4) === 4,
  isWriteable: (perm: number): boolean => (perm & 2) === 2,
  isInherited: (perm: number): boolean => (perm & 1) === 1,
  isPriority: (perm: number): boolean => (perm & 8) === 8,
  /** `RWX`-style text as Java's PermName.perm2String: e.g. 6 → "RW-", 7 → "RWX". */
  perm2String(perm: number): string {
    return `${perm & 4 ? 'R' : '-'}${perm & 2 ? 'W' : '-'}${perm & 1 ? 'X' : '-'}`
  },
} as const

/**
 * Message property keys: each member's value is the wire name (== the member name unless noted).
 * Source: org.apache.rocketmq.common.message.MessageConst (Java name in each comment).
 */
export const MessageConst = {
  /** PROPERTY_KEYS: space-separated business keys (indexed). */ KEYS: 'KEYS',
  /** PROPERTY_TAGS: the single tag; hashed into the ConsumeQueue tagsCode. */ TAGS: 'TAGS',
  /** PROPERTY_WAIT_STORE_MSG_OK: "true" ⇒ sync flush/replication wait; the broker strips it before storing. */ WAIT: 'WAIT',
  /** PROPERTY_DELAY_TIME_LEVEL: delay level (decimal string). */ DELAY: 'DELAY',
  /** PROPERTY_RETRY_TOPIC: original topic of a message in %RETRY%group. */ RETRY_TOPIC: 'RETRY_TOPIC',
  /** PROPERTY_REAL_TOPIC: original topic while parked in SCHEDULE_TOPIC_XXXX / the half topic. */ REAL_TOPIC: 'REAL_TOPIC',
  /** PROPERTY_REAL_QUEUE_ID. */ REAL_QID: 'REAL_QID',
  /** PROPERTY_TRANSACTION_PREPARED: "true" ⇒ half message. */ TRAN_MSG: 'TRAN_MSG',
  /** PROPERTY_PRODUCER_GROUP. */ PGROUP: 'PGROUP',
  /** PROPERTY_MIN_OFFSET (client-side, from the pull response). */ MIN_OFFSET: 'MIN_OFFSET',
  /** PROPERTY_MAX_OFFSET (client-side). */ MAX_OFFSET: 'MAX_OFFSET',
  /** PROPERTY_BUYER_ID. */ BUYER_ID: 'BUYER_ID',
  /** PROPERTY_ORIGIN_MESSAGE_ID: msgId of the first delivery, kept across retries. */ ORIGIN_MESSAGE_ID: 'ORIGIN_MESSAGE_ID',
  /** PROPERTY_TRANSFER_FLAG. */ TRANSFER_FLAG: 'TRANSFER_FLAG',
  /** PROPERTY_CORRECTION_FLAG. */ CORRECTION_FLAG: 'CORRECTION_FLAG',
  /** PROPERTY_MQ2_FLAG. */ MQ2_FLAG: 'MQ2_FLAG',
  /** PROPERTY_RECONSUME_TIME. */ RECONSUME_TIME: 'RECONSUME_TIME',
  /** PROPERTY_MSG_REGION. */ MSG_REGION: 'MSG_REGION',
  /** PROPERTY_TRACE_SWITCH. */ TRACE_ON: 'TRACE_ON',
  /** PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX: client message id (§6.2). */ UNIQ_KEY: 'UNIQ_KEY',
  /** PROPERTY_MAX_RECONSUME_TIMES. */ MAX_RECONSUME_TIMES: 'MAX_RECONSUME_TIMES',
  /** PROPERTY_CONSUME_START_TIMESTAMP. */ CONSUME_START_TIME: 'CONSUME_START_TIME',
  /** PROPERTY_TRANSACTION_PREPARED_QUEUE_OFFSET. */ TRAN_PREPARED_QUEUE_OFFSET: 'TRAN_PREPARED_QUEUE_OFFSET',
  /** PROPERTY_TRANSACTION_CHECK_TIMES. */ TRANSACTION_CHECK_TIMES: 'TRANSACTION_CHECK_TIMES',
  /** PROPERTY_CHECK_IMMUNITY_TIME_IN_SECONDS. */ CHECK_IMMUNITY_TIME_IN_SECONDS: 'CHECK_IMMUNITY_TIME_IN_SECONDS',
  /** PROPERTY_INSTANCE_ID (namespace). */ INSTANCE_ID: 'INSTANCE_ID',
  /** PROPERTY_CORRELATION_ID (request/reply). */ CORRELATION_ID: 'CORRELATION_ID',
  /** PROPERTY_MESSAGE_REPLY_TO_CLIENT. */ REPLY_TO_CLIENT: 'REPLY_TO_CLIENT',
  /** PROPERTY_MESSAGE_TTL. */ TTL: 'TTL',
  /** PROPERTY_REPLY_MESSAGE_ARRIVE_TIME. */ ARRIVE_TIME: 'ARRIVE_TIME',
  /** PROPERTY_PUSH_REPLY_TIME. */ PUSH_REPLY_TIME: 'PUSH_REPLY_TIME',
  /** PROPERTY_CLUSTER: broker cluster name, added on store. */ CLUSTER: 'CLUSTER',
  /** PROPERTY_MESSAGE_TYPE ("reply"). */ MSG_TYPE: 'MSG_TYPE',
  /** PROPERTY_SHARDING_KEY (5.x); wire name `__SHARDINGKEY`. */ SHARDING_KEY: '__SHARDINGKEY',
  /** PROPERTY_TRANSACTION_ID; wire name `__transactionId__`. */ TRANSACTION_ID: '__transactionId__',
  /** PROPERTY_TIMER_DELAY_SEC (5.x). */ TIMER_DELAY_SEC: 'TIMER_DELAY_SEC',
  /** PROPERTY_TIMER_DELIVER_MS (5.x). */ TIMER_DELIVER_MS: 'TIMER_DELIVER_MS',
  /** PROPERTY_TIMER_DELAY_MS (5.x). */ TIMER_DELAY_MS: 'TIMER_DELAY_MS',
  /** PROPERTY_DLQ_ORIGIN_TOPIC (5.x). */ DLQ_ORIGIN_TOPIC: 'DLQ_ORIGIN_TOPIC',
  /** PROPERTY_DLQ_ORIGIN_MESSAGE_ID (5.x). */ DLQ_ORIGIN_MESSAGE_ID: 'DLQ_ORIGIN_MESSAGE_ID',
  /** PROPERTY_BORN_HOST (5.x); wire name `__BORNHOST`. */ BORN_HOST: '__BORNHOST',
  /** PROPERTY_BORN_TIMESTAMP (5.x). */ BORN_TIMESTAMP: 'BORN_TIMESTAMP',
  /** ali-ons / Aliyun timed delivery; open-source brokers ignore it. */ STARTDELIVERTIME: '__STARTDELIVERTIME',
  /** MessageConst.KEY_SEPARATOR: separates words in KEYS. */ KEY_SEPARATOR: ' ',
} as const

const RETRY_GROUP_TOPIC_PREFIX = '%RETRY%'
const DLQ_GROUP_TOPIC_PREFIX = '%DLQ%'

/**
 * Well-known names. Sources: org.apache.rocketmq.common.MixAll and common.topic.TopicValidator (system topics).
 */
export const MixAll = {
  RETRY_GROUP_TOPIC_PREFIX,
  DLQ_GROUP_TOPIC_PREFIX,
  /** TopicValidator.AUTO_CREATE_TOPIC_KEY_TOPIC: the auto-create template topic. */
  DEFAULT_TOPIC: 'TBW102',
  BENCHMARK_TOPIC: 'BenchmarkTest',
  SELF_TEST_TOPIC: 'SELF_TEST_TOPIC',
  OFFSET_MOVED_EVENT: 'OFFSET_MOVED_EVENT',
  /** TopicValidator.RMQ_SYS_SCHEDULE_TOPIC: delayed messages wait here (queueId = level − 1). */
  SCHEDULE_TOPIC: 'SCHEDULE_TOPIC_XXXX',
  RMQ_SYS_TRANS_HALF_TOPIC: 'RMQ_SYS_TRANS_HALF_TOPIC',
  RMQ_SYS_TRANS_OP_HALF_TOPIC: 'RMQ_SYS_TRANS_OP_HALF_TOPIC',
  RMQ_SYS_TRACE_TOPIC: 'RMQ_SYS_TRACE_TOPIC',
  DEFAULT_PRODUCER_GROUP: 'DEFAULT_PRODUCER',
  DEFAULT_CONSUMER_GROUP: 'DEFAULT_CONSUMER',
  TOOLS_CONSUMER_GROUP: 'TOOLS_CONSUMER',
  /** Producer group the client uses internally (e.g. sending to %RETRY% when CONSUMER_SEND_MSG_BACK fails). */
  CLIENT_INNER_PRODUCER_GROUP: 'CLIENT_INNER_PRODUCER',
  SELF_TEST_PRODUCER_GROUP: 'SELF_TEST_P_GROUP',
  SELF_TEST_CONSUMER_GROUP: 'SELF_TEST_C_GROUP',
  CID_RMQ_SYS_PREFIX: 'CID_RMQ_SYS_',
  /** QUERY_MESSAGE extField that asks for a UNIQ_KEY lookup. */
  UNIQUE_MSG_QUERY_FLAG: '_UNIQUE_KEY_QUERY',
  /** brokerId of a master. */
  MASTER_ID: 0,
  FIRST_SLAVE_ID: 1,
  /** `%RETRY%<group>`. */
  getRetryTopic: (consumerGroup: string): string => RETRY_GROUP_TOPIC_PREFIX + consumerGroup,
  /** `%DLQ%<group>`. */
  getDLQTopic: (consumerGroup: string): string => DLQ_GROUP_TOPIC_PREFIX + consumerGroup,
  isRetryTopic: (topic: string): boolean => topic.startsWith(RETRY_GROUP_TOPIC_PREFIX),
  isDLQTopic: (topic: string): boolean => topic.startsWith(DLQ_GROUP_TOPIC_PREFIX),
  /** Consumer group of a retry/DLQ topic, or undefined for other topics. */
  getGroupOfRetryOrDLQTopic(topic: string): string | undefined {
    if (topic.startsWith(RETRY_GROUP_TOPIC_PREFIX)) return topic.slice(RETRY_GROUP_TOPIC_PREFIX.length)
    if (topic.startsWith(DLQ_GROUP_TOPIC_PREFIX)) return topic.slice(DLQ_GROUP_TOPIC_PREFIX.length)
    return undefined
  },
  /**
   * TopicValidator.isSystemTopic (static part): built-in topics and anything starting with `rmq_sys_`.
   * Java also treats cluster and broker names as system topics; callers that know them must check those themselves.
   */
  isSysTopic(topic: string): boolean {
    return SYSTEM_TOPICS.has(topic) || topic.startsWith('rmq_sys_')
  },
  /** Group names starting with CID_RMQ_SYS_ (MixAll.isSysConsumerGroup). */
  isSysConsumerGroup: (group: string): boolean => group.startsWith('CID_RMQ_SYS_'),
} as const

const SYSTEM_TOPICS: ReadonlySet<string> = new Set([
  'TBW102',
  'SCHEDULE_TOPIC_XXXX',
  'BenchmarkTest',
  'RMQ_SYS_TRANS_HALF_TOPIC',
  'RMQ_SYS_TRACE_TOPIC',
  'RMQ_SYS_TRANS_OP_HALF_TOPIC',
  'TRANS_CHECK_MAX_TIME_TOPIC',
  'SELF_TEST_TOPIC',
  'OFFSET_MOVED_EVENT',
])
