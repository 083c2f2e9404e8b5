/**
 * Shared settings of the quickstart demo, the same names and defaults as RocketMQ's
 * `org.apache.rocketmq.example.quickstart.Producer` / `Consumer`.
 * The namesrv address comes from NAMESRV_ADDR (RocketMQ's variable), default 127.0.0.1:9876.
 */
export const namesrvAddr = process.env.NAMESRV_ADDR ?? '127.0.0.1:9876'
export const topic = process.env.DEMO_TOPIC ?? 'TopicTest'
export const tag = 'TagA'
export const producerGroup = 'please_rename_unique_group_name'
export const consumerGroup = 'please_rename_unique_group_name_4'
/** Number of messages the quickstart producer sends (RocketMQ's quickstart: 1000). */
export const messageCount = Number(process.env.DEMO_MESSAGE_COUNT ?? 1000)
