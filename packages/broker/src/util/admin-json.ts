/**
 * JSON for admin bodies whose Java maps are keyed by MessageQueue objects (TopicStatsTable, ConsumeStats, §3.12):
 * fastjson writes such keys as JSON objects, `{{"brokerName":"b","queueId":0,"topic":"T"}:{…}}`. Java admin tools
 * parse that form; it is not RFC JSON, so only admin responses use it.
 */
import { RecordLayout, stringifyJson } from '@cometmq/protocol'
import type { MessageQueue } from '@cometmq/protocol'
import type { MessageStore } from '@cometmq/store'

/** `{<MessageQueue JSON>:<value JSON>,…}` with the MessageQueue keys in fastjson's (alphabetical) field order. */
export function stringifyMessageQueueMap(entries: ReadonlyArray<readonly [MessageQueue, unknown]>): string {
  const parts = entries.map(([mq, value]) => `${stringifyJson({ brokerName: mq.brokerName, queueId: mq.queueId, topic: mq.topic })}:${stringifyJson(value)}`)
  return `{${parts.join(',')}}`
}

/** Store time (ms) of the message at logical `offset` of a queue, or 0 when it cannot be read. */
export async function storeTimestampAt(store: MessageStore, topic: string, queueId: number, offset: number): Promise<number> {
  if (offset < 0) return 0
  const result = await store.getMessage({ topic, queueId, offset, maxMsgNums: 1 })
  const record = result.status === 'FOUND' ? result.messages[0] : undefined
  if (record === undefined || record.length < 76) return 0
  const sysFlag = record.readInt32BE(RecordLayout.SYS_FLAG_POSITION)
  return Number(record.readBigInt64BE(RecordLayout.storeTimestampPosition(sysFlag)))
}
