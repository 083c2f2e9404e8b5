/**
 * Minimal typings for the parts of ali-ons 3.12.0 (plain CommonJS, no bundled types) the interop tests
 * use. Read from node_modules/ali-ons/lib (producer/mq_producer.js, consumer/mq_push_consumer.js,
 * message/message.js, client_config.js).
 */
declare module 'ali-ons' {
  import type { EventEmitter } from 'node:events'

  interface OnsLogger {
    info(...args: unknown[]): void
    warn(...args: unknown[]): void
    error(...args: unknown[]): void
    debug(...args: unknown[]): void
  }

  interface OnsClientOptions {
    nameSrv?: string | string[]
    onsAddr?: string
    /** asserted to exist by RemotingClient even when nameSrv is given */
    httpclient: { request(url: string, options?: unknown): Promise<{ status: number; data: Buffer }> }
    logger?: OnsLogger
    instanceName?: string
    clientIP?: string
    pollNameServerInteval?: number
    heartbeatBrokerInterval?: number
    persistConsumerOffsetInterval?: number
    rebalanceInterval?: number
    responseTimeout?: number
    [key: string]: unknown
  }

  interface SendResult {
    sendStatus: string
    msgId: string
    messageQueue: { topic: string; brokerName: string; queueId: number }
    queueOffset: number
  }

  class Message {
    constructor(topic: string, tags: string | null, body: string | Buffer)
    constructor(topic: string, body: string | Buffer)
    topic: string
    body: Buffer
    flag: number
    properties: Record<string, string | null>
    msgId: string
    queueId: number
    queueOffset: number
    commitLogOffset: number
    storeHost: string
    bornHost: string
    reconsumeTimes: number
    get tags(): string | null | undefined
    set tags(value: string | null)
    get keys(): string | undefined
    set keys(value: string[])
  }

  interface MessageQueue {
    topic: string
    brokerName: string
    queueId: number
    key: string
  }

  class Producer extends EventEmitter {
    constructor(options: OnsClientOptions & { producerGroup: string; [key: string]: unknown })
    ready(): Promise<void>
    send(msg: Message): Promise<SendResult>
    close(): Promise<void>
    static defaultProducer: Producer | null | undefined
    static getDefaultProducer(options?: unknown): Promise<Producer>
  }

  class Consumer extends EventEmitter {
    constructor(
      options: OnsClientOptions & {
        consumerGroup: string
        consumeFromWhere?: string
        isBroadcast?: boolean
        pullBatchSize?: number
        parallelConsumeLimit?: number
        [key: string]: unknown
      },
    )
    ready(): Promise<void>
    subscribe(topic: string, subExpression: string, handler: (msg: Message) => Promise<unknown>): void
    close(): Promise<void>
    readonly processQueueTable: Map<string, { messageQueue: MessageQueue; processQueue: unknown; nextOffset: number }>
    static ACTION_RETRY: symbol
  }

  const aliOns: { Message: typeof Message; Producer: typeof Producer; Consumer: typeof Consumer }
  export default aliOns
  export { Message, Producer, Consumer }
  export type { OnsClientOptions, OnsLogger, SendResult, MessageQueue }
}
