/**
 * Sender language of a command (`language` header field).
 *
 * Source: `org.apache.rocketmq.remoting.protocol.LanguageCode` (remoting-protocol.md §1.2). The JSON codec carries
 * the name, the ROCKETMQ binary codec the byte value. 4.9.x stops at RUST=12; NODE_JS=13 exists only in recent 5.x.
 */
export const LanguageCode = {
  JAVA: 0,
  CPP: 1,
  DOTNET: 2,
  PYTHON: 3,
  DELPHI: 4,
  ERLANG: 5,
  RUBY: 6,
  OTHER: 7,
  HTTP: 8,
  GO: 9,
  PHP: 10,
  OMS: 11,
  RUST: 12,
  NODE_JS: 13,
} as const

/** A LanguageCode name such as `'JAVA'`. */
export type LanguageName = keyof typeof LanguageCode

const LANGUAGE_NAMES: readonly string[] = Object.keys(LanguageCode)

/** Name for a LanguageCode byte value; `'OTHER'` for values outside the table. */
export function languageName(value: number): string {
  return LANGUAGE_NAMES[value] ?? 'OTHER'
}

/** Byte value for a language name; OTHER (7) for unknown names. */
export function languageValue(name: string): number {
  return (LanguageCode as Record<string, number>)[name] ?? LanguageCode.OTHER
}

/**
 * Header codec, stored in the top byte of the frame's second int32 (`serializeType << 24 | headerLength`).
 * Source: `org.apache.rocketmq.remoting.protocol.SerializeType` (JSON=0, ROCKETMQ=1), remoting-protocol.md §1.1.
 */
export const SerializeType = {
  JSON: 0,
  ROCKETMQ: 1,
} as const

/** 0 (JSON) or 1 (ROCKETMQ binary). */
export type SerializeTypeValue = (typeof SerializeType)[keyof typeof SerializeType]
