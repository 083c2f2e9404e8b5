/**
 * Output helpers that reproduce RocketMQ mqadmin's `System.out.printf` tables (`%-16s  %-22s …`) and its
 * `toString()` renderings (PermName.perm2String, TopicConfig).
 */
import { PermName } from '@cometmq/client'
import type { TopicConfig } from '@cometmq/client'

/** A printf column: `%-Ns` (left, `width` N), `%Ns` (right), or `%s` (no padding, width 0). */
export interface Column {
  width: number
  align?: 'left' | 'right'
}

/**
 * One printf row. Like Java's `%-Ns`, a value longer than its width is printed whole and pushes the
 * following columns right. `separators[i]` goes between column i and i+1 (default two spaces).
 */
export function formatRow(columns: readonly Column[], values: readonly (string | number)[], separators: readonly string[] = []): string {
  let line = ''
  columns.forEach((column, index) => {
    const text = String(values[index] ?? '')
    line += column.align === 'right' ? text.padStart(column.width) : text.padEnd(column.width)
    if (index < columns.length - 1) line += separators[index] ?? '  '
  })
  return line.trimEnd()
}

/** A table printer bound to one column layout. */
export function table(columns: readonly Column[], separators?: readonly string[]): (values: readonly (string | number)[]) => string {
  return (values) => formatRow(columns, values, separators)
}


/** `PermName.perm2String`: 'R'/'W'/'X' or '-' per bit, e.g. 6 → 'RW-'. */
export function permToString(perm: number): string {
  return `${perm & PermName.PERM_READ ? 'R' : '-'}${perm & PermName.PERM_WRITE ? 'W' : '-'}${perm & PermName.PERM_INHERIT ? 'X' : '-'}`
}

/** The fields of a TopicConfig that `TopicConfig.toString()` prints. */
export type TopicConfigView = Omit<TopicConfig, 'attributes'>

/** `TopicConfig.toString()` of RocketMQ 4.9. */
export function formatTopicConfig(config: TopicConfigView): string {
  return (
    `TopicConfig [topicName=${config.topicName}, readQueueNums=${config.readQueueNums}, writeQueueNums=${config.writeQueueNums}, ` +
    `perm=${permToString(config.perm)}, topicFilterType=${config.topicFilterType}, topicSysFlag=${config.topicSysFlag}, order=${config.order}]`
  )
}

/** Java-style string comparison (UTF-16 code units), as `String.compareTo` sorts. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Sorts queues like RocketMQ `MessageQueue.compareTo`: topic, brokerName, queueId. */
export function compareQueues(a: { topic: string; brokerName: string; queueId: number }, b: { topic: string; brokerName: string; queueId: number }): number {
  return compareStrings(a.topic, b.topic) || compareStrings(a.brokerName, b.brokerName) || a.queueId - b.queueId
}

/**
 * JSON with tab indentation, the shape of fastjson's `toJSONString(obj, true)` that `topicRoute` prints
 * (keys sorted, as fastjson does for beans), but strictly valid JSON.
 */
export function prettyJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, '\t')
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value).sort(compareStrings)) out[key] = sortKeys((value as Record<string, unknown>)[key])
    return out
  }
  return value
}

/** `UtilAll.timeMillisToHumanString2`: local time `yyyy-MM-dd HH:mm:ss,SSS`. */
export function formatTimestamp(ms: number): string {
  const d = new Date(ms)
  const p = (n: number, width = 2): string => String(n).padStart(width, '0')
  return `${p(d.getFullYear(), 4)}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())},${p(d.getMilliseconds(), 3)}`
}

/** Java `Map.toString()` in the map's own order: `{KEY=value, KEY2=value2}` (`{}` when empty). */
export function formatJavaMap(map: Readonly<Record<string, string>>): string {
  return `{${Object.entries(map).map(([key, value]) => `${key}=${value}`).join(', ')}}`
}
