import { MessageConst, NAME_VALUE_SEPARATOR, PROPERTY_SEPARATOR, decodeMessageRecord } from '@cometmq/protocol'

/**
 * The index keys of a message (RocketMQ IndexService.buildIndex): every non-empty space-separated word of
 * `KEYS`, plus `UNIQ_KEY` when present; duplicates removed, in that order. Adapters index `topic` + each key.
 * @param propertiesString the record's encoded properties (§4.1 PROPERTIES)
 */
export function indexKeysOf(propertiesString: string): string[] {
  if (propertiesString.length === 0) return []
  // Hot path (every put): pick the two properties out without decoding the whole string.
  const keysProperty = propertyValue(propertiesString, MessageConst.KEYS)
  const uniqKey = propertyValue(propertiesString, MessageConst.UNIQ_KEY)
  if (keysProperty === undefined) return uniqKey ? [uniqKey] : []
  return indexKeysOfProperties({ [MessageConst.KEYS]: keysProperty, ...(uniqKey === undefined ? {} : { [MessageConst.UNIQ_KEY]: uniqKey }) })
}

/** Value of property `name` in an encoded properties string (`name\u0001value\u0002…`), or undefined. */
function propertyValue(text: string, name: string): string | undefined {
  const needle = name + NAME_VALUE_SEPARATOR
  let at = text.startsWith(needle) ? 0 : -1
  if (at < 0) {
    const found = text.indexOf(PROPERTY_SEPARATOR + needle)
    if (found < 0) return undefined
    at = found + 1
  }
  const start = at + needle.length
  const end = text.indexOf(PROPERTY_SEPARATOR, start)
  return text.slice(start, end < 0 ? text.length : end)
}

/** `indexKeysOf` for already-decoded properties. */
export function indexKeysOfProperties(properties: Readonly<Record<string, string>>): string[] {
  const keys: string[] = []
  const keysProperty = properties[MessageConst.KEYS]
  if (keysProperty) {
    for (const word of keysProperty.split(MessageConst.KEY_SEPARATOR)) if (word.length > 0 && !keys.includes(word)) keys.push(word)
  }
  const uniqKey = properties[MessageConst.UNIQ_KEY]
  if (uniqKey && !keys.includes(uniqKey)) keys.push(uniqKey)
  return keys
}

/**
 * Exact re-check of an index hit: true when the stored record is in `topic`, carries `key` (KEYS word or
 * UNIQ_KEY) and was stored within [beginTimestamp, endTimestamp] (ms). Index hash collisions fail it.
 */
export function recordMatchesKey(record: Buffer, topic: string, key: string, beginTimestamp: number, endTimestamp: number): boolean {
  const message = decodeMessageRecord(record, 0, { copyBody: false })
  if (message.topic !== topic) return false
  if (message.storeTimestamp < beginTimestamp || message.storeTimestamp > endTimestamp) return false
  return indexKeysOfProperties(message.properties).includes(key)
}
