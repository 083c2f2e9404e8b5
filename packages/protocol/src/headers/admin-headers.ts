/**
 * Offset, query and admin headers (remoting-protocol.md §3.4, §3.7, §3.9).
 * Source: RocketMQ `remoting/.../protocol/header/*.java` (class name = export name).
 */
import { defineHeader, field } from './define-header.js'

/**
 * UPDATE_AND_CREATE_TOPIC (17) request. Source: CreateTopicRequestHeader.java.
 * `perm` PermName bits (READ 4, WRITE 2, INHERIT 1); `topicFilterType` 'SINGLE_TAG' | 'MULTI_TAG';
 * `attributes` 5.x '+k=v,…'.
 */
export const CreateTopicRequestHeader = defineHeader({
  topic: field.string(),
  defaultTopic: field.string(),
  readQueueNums: field.int(),
  writeQueueNums: field.int(),
  perm: field.int(),
  topicFilterType: field.string(),
  topicSysFlag: field.int({ optional: true }),
  order: field.boolean(),
  attributes: field.string({ optional: true }),
  force: field.boolean({ optional: true }),
})

/** GET_MAX_OFFSET (30) request; `committed` 5.x (default true). */
export const GetMaxOffsetRequestHeader = defineHeader({
  topic: field.string(),
  queueId: field.int(),
  committed: field.boolean({ optional: true }),
})

/** GET_MAX_OFFSET response: next logical offset to be assigned (0 for an empty queue). */
export const GetMaxOffsetResponseHeader = defineHeader({
  offset: field.long(),
})

/** GET_MIN_OFFSET (31) request. */
export const GetMinOffsetRequestHeader = defineHeader({
  topic: field.string(),
  queueId: field.int(),
})

/** GET_MIN_OFFSET response: smallest logical offset still stored. */
export const GetMinOffsetResponseHeader = defineHeader({
  offset: field.long(),
})

/** SEARCH_OFFSET_BY_TIMESTAMP (29) request; `timestamp` ms; `boundaryType` 5.x 'lower' | 'upper'. */
export const SearchOffsetRequestHeader = defineHeader({
  topic: field.string(),
  queueId: field.int(),
  timestamp: field.long(),
  boundaryType: field.string({ optional: true }),
})

/** SEARCH_OFFSET_BY_TIMESTAMP response: logical offset. */
export const SearchOffsetResponseHeader = defineHeader({
  offset: field.long(),
})

/** GET_EARLIEST_MSG_STORETIME (32) request. */
export const GetEarliestMsgStoretimeRequestHeader = defineHeader({
  topic: field.string(),
  queueId: field.int(),
})

/** GET_EARLIEST_MSG_STORETIME response: store time (ms) of the message at the min offset. */
export const GetEarliestMsgStoretimeResponseHeader = defineHeader({
  timestamp: field.long(),
})

/** VIEW_MESSAGE_BY_ID (33) request: `offset` is a commit-log (physical) offset; `topic` 5.x. */
export const ViewMessageRequestHeader = defineHeader({
  offset: field.long(),
  topic: field.string({ optional: true }),
})

/**
 * QUERY_MESSAGE (12) request; timestamps in ms. With extField `_UNIQUE_KEY_QUERY=true` the key is a UNIQ_KEY
 * and the broker uses its defaultQueryMaxNum.
 */
export const QueryMessageRequestHeader = defineHeader({
  topic: field.string(),
  key: field.string(),
  maxNum: field.int(),
  beginTimestamp: field.long(),
  endTimestamp: field.long(),
})

/** QUERY_MESSAGE response. */
export const QueryMessageResponseHeader = defineHeader({
  indexLastUpdateTimestamp: field.long(),
  indexLastUpdatePhyoffset: field.long(),
})
