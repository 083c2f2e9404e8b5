/**
 * Client-side queue allocation strategies for CLUSTERING consumers (§7.12).
 * Source: RocketMQ `AllocateMessageQueueAveragely` / `AllocateMessageQueueAveragelyByCircle`.
 */
import type { MessageQueue } from './types.js'

/**
 * A strategy maps (sorted queues, sorted client ids, this client's id) to the queues this client owns.
 * Inputs must already be sorted (see `sortMessageQueues` / string sort); strategies never sort.
 */
export type AllocateMessageQueueStrategy = (
  consumerGroup: string,
  currentCID: string,
  mqAll: readonly MessageQueue[],
  cidAll: readonly string[],
) => MessageQueue[]

/**
 * AllocateMessageQueueAveragely. N = |mqAll|, M = |cidAll|, i = index of currentCID (absent ⇒ nothing):
 * mod = N mod M; size = N ≤ M ? 1 : ⌊N/M⌋ + (i < mod ? 1 : 0); start = i < mod ? i·size : i·size + mod;
 * take min(size, N − start) consecutive queues from start.
 * Examples: N=8, M=3 → c0 q0-2, c1 q3-5, c2 q6-7. N=2, M=3 → c0 q0, c1 q1, c2 none.
 */
export const allocateMessageQueueAveragely: AllocateMessageQueueStrategy = (_group, currentCID, mqAll, cidAll) => {
  const index = cidAll.indexOf(currentCID)
  if (index < 0 || mqAll.length === 0) return []
  const n = mqAll.length
  const m = cidAll.length
  const mod = n % m
  const averageSize = n <= m ? 1 : mod > 0 && index < mod ? Math.floor(n / m) + 1 : Math.floor(n / m)
  const startIndex = mod > 0 && index < mod ? index * averageSize : index * averageSize + mod
  const range = Math.min(averageSize, n - startIndex)
  const result: MessageQueue[] = []
  for (let i = 0; i < range; i++) {
    const mq = mqAll[(startIndex + i) % n]
    if (mq) result.push(mq)
  }
  return result
}

/** AllocateMessageQueueAveragelyByCircle: this client gets every queue whose index ≡ i (mod M). */
export const allocateMessageQueueAveragelyByCircle: AllocateMessageQueueStrategy = (_group, currentCID, mqAll, cidAll) => {
  const index = cidAll.indexOf(currentCID)
  if (index < 0) return []
  const result: MessageQueue[] = []
  for (let i = index; i < mqAll.length; i += cidAll.length) {
    const mq = mqAll[i]
    if (mq) result.push(mq)
  }
  return result
}
