/**
 * MessageQueue helpers: a stable map key and RocketMQ's ordering (topic, brokerName, queueId).
 */
import type { MessageQueue } from './types.js'

/** Stable map key `topic@brokerName@queueId` (RocketMQ MessageQueue.hashCode/equals equivalent). */
export function mqKey(mq: MessageQueue): string {
  return `${mq.topic}@${mq.brokerName}@${mq.queueId}`
}

/** RocketMQ `MessageQueue.compareTo`: by topic, then brokerName, then queueId. */
export function compareMessageQueue(a: MessageQueue, b: MessageQueue): number {
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1
  if (a.brokerName !== b.brokerName) return a.brokerName < b.brokerName ? -1 : 1
  return a.queueId - b.queueId
}

/** A sorted copy (never mutates the input). */
export function sortMessageQueues(queues: Iterable<MessageQueue>): MessageQueue[] {
  return [...queues].sort(compareMessageQueue)
}

/** Plain copy so callers cannot mutate internal queue objects. */
export function copyMessageQueue(mq: MessageQueue): MessageQueue {
  return { topic: mq.topic, brokerName: mq.brokerName, queueId: mq.queueId }
}
