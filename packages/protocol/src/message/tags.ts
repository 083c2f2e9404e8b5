/**
 * Tag hashing and tag subscriptions. Sources: java.lang.String.hashCode, RocketMQ MessageExtBrokerInner.tagsString2tagsCode,
 * FilterAPI.buildSubscriptionData, SubscriptionData.SUB_ALL.
 */

/** Subscribe-to-everything expression. RocketMQ SubscriptionData.SUB_ALL. */
export const SUB_ALL = '*'

/**
 * Java `String.hashCode()`: h = 31·h + c over UTF-16 code units, wrapping as a signed int32.
 * Vectors: "TagA" → 2598919, "null" → 3392903, "" → 0.
 */
export function javaStringHashCode(text: string): number {
  let h = 0
  for (let i = 0; i < text.length; i++) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0
  return h
}

/** ConsumeQueue tagsCode of a TAGS property: its Java hashCode, or 0 when absent or empty. */
export function tagsStringToTagsCode(tags: string | undefined | null): number {
  return tags === undefined || tags === null || tags === '' ? 0 : javaStringHashCode(tags)
}

/** A parsed TAG subscription expression. */
export interface SubscriptionFilter {
  /** `*` for match-all, else the expression as given. */
  subString: string
  /** Distinct trimmed tags in first-seen order; empty for `*`. */
  tagsSet: string[]
  /** javaStringHashCode of each tag in tagsSet (distinct). */
  codeSet: number[]
}

/**
 * Parses a TAG expression like "TagA || TagB" (FilterAPI.buildSubscriptionData). `*`, empty, null or undefined ⇒
 * match all (`subString` "*", empty sets). Otherwise split on "||", trim, drop empties. Never throws.
 */
export function filterSubscription(subString: string | null | undefined): SubscriptionFilter {
  if (subString === null || subString === undefined || subString === '' || subString === SUB_ALL) {
    return { subString: SUB_ALL, tagsSet: [], codeSet: [] }
  }
  const tags = new Set<string>()
  for (const piece of subString.split('||')) {
    const tag = piece.trim()
    if (tag !== '') tags.add(tag)
  }
  const tagsSet = [...tags]
  return { subString, tagsSet, codeSet: [...new Set(tagsSet.map(javaStringHashCode))] }
}
