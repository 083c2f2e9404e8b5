/**
 * Topic name rules. Source: RocketMQ TopicValidator (validateTopic, isTopicOrGroupIllegal, TOPIC_MAX_LENGTH).
 */

/** Longest topic name in chars. RocketMQ TopicValidator.TOPIC_MAX_LENGTH. */
export const TOPIC_MAX_LENGTH = 127

const LEGAL = /^[%|a-zA-Z0-9_-]+$/

/**
 * Checks a topic name: non-blank, only `[%|a-zA-Z0-9_-]`, at most 127 chars.
 * @returns null when valid, else the reason (Java TopicValidator's wording).
 */
export function validateTopic(topic: string): string | null {
  if (topic.trim() === '') return 'The specified topic is blank.'
  if (!LEGAL.test(topic)) return 'The specified topic contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$'
  if (topic.length > TOPIC_MAX_LENGTH) return `The specified topic is longer than topic max length ${TOPIC_MAX_LENGTH}.`
  return null
}
