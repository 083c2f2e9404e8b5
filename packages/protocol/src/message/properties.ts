/**
 * Message properties string codec (RocketMQ MessageDecoder.messageProperties2String / string2messageProperties).
 *
 *   name \x01 value \x02 name \x01 value        (UTF-8 in records; 4.x writers drop the final \x02, 5.x keep it)
 */

/** Separates a name from its value. RocketMQ MessageDecoder.NAME_VALUE_SEPARATOR (U+0001). */
export const NAME_VALUE_SEPARATOR = '\u0001'
/** Separates properties. RocketMQ MessageDecoder.PROPERTY_SEPARATOR (U+0002). */
export const PROPERTY_SEPARATOR = '\u0002'

/**
 * Serialises properties as `name\x01value\x02…` with no trailing `\x02` (the 4.x broker's stored form, §4.2).
 * Entries with an empty name or empty value are skipped (Java's parser would drop them anyway).
 * Order is the object's insertion order.
 * @throws TypeError if a name contains \x01 or \x02, or a value contains \x02 (they would corrupt the string).
 */
export function encodeProperties(props: Record<string, string>): string {
  let out = ''
  for (const name in props) {
    const value = props[name]
    if (name === '' || value === undefined || value === null || value === '') continue
    if (name.includes(NAME_VALUE_SEPARATOR) || name.includes(PROPERTY_SEPARATOR)) {
      throw new TypeError(`property name ${JSON.stringify(name)} contains a separator character`)
    }
    const text = String(value)
    if (text.includes(PROPERTY_SEPARATOR)) throw new TypeError(`value of property ${name} contains \\x02`)
    out += out === '' ? `${name}${NAME_VALUE_SEPARATOR}${text}` : `${PROPERTY_SEPARATOR}${name}${NAME_VALUE_SEPARATOR}${text}`
  }
  return out
}

/**
 * Parses a properties string with the RocketMQ 5.x rules: split on \x02 (a trailing \x02 is fine); pieces shorter
 * than 3 chars are ignored; the name ends at the first \x01 (the value may contain further \x01); pieces with an
 * empty name or empty value are skipped; later duplicates overwrite earlier ones. Never throws.
 * @returns a null-prototype object (so a `__proto__` property is an ordinary key).
 */
export function decodeProperties(text: string): Record<string, string> {
  const map = Object.create(null) as Record<string, string>
  const len = text.length
  let index = 0
  while (index < len) {
    let end = text.indexOf(PROPERTY_SEPARATOR, index)
    if (end < 0) end = len
    if (end - index >= 3) {
      const sep = text.indexOf(NAME_VALUE_SEPARATOR, index)
      if (sep > index && sep < end - 1) map[text.slice(index, sep)] = text.slice(sep + 1, end)
    }
    index = end + 1
  }
  return map
}
