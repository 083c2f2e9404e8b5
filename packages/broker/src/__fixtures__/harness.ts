/**
 * Test-only helpers (excluded from the build): a BrokerController on 127.0.0.1:0 with a temp storePathRootDir,
 * a RemotingClient, request builders, a raw-socket frame exchanger and event waiters with bounds.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  FrameDecoder,
  PullSysFlag,
  RemotingClient,
  RequestCode,
  createRequest,
  decodeMessages,
  encodeProperties,
  stringifyJson,
} from '@cometmq/protocol'
import type { ExtFieldValue, MessageExt, RemotingCommand, RequestProcessor } from '@cometmq/protocol'
import { FileMessageStore, MemoryMessageStore } from '@cometmq/store'
import type { MessageStore } from '@cometmq/store'
import { BrokerController } from '../broker-controller.js'
import type { BrokerConfig } from '../config/broker-config-schema.js'

export interface TestBroker {
  broker: BrokerController
  addr: string
  dir: string
  client: RemotingClient
  invoke(code: number, ext?: Record<string, ExtFieldValue>, body?: Buffer | null, timeoutMs?: number): Promise<RemotingCommand>
  /** Shuts the broker down (keeps the dir when `keepDir`), closes the client, removes the dir. */
  stop(options?: { keepDir?: boolean }): Promise<void>
}

export async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'cometmq-broker-'))
}

/** Starts a broker. `store`: 'memory' (default), 'file' (FileMessageStore in `dir`) or an instance. */
export async function startBroker(options: { config?: Partial<BrokerConfig>; store?: 'memory' | 'file' | MessageStore; dir?: string; onRequest?: RequestProcessor } = {}): Promise<TestBroker> {
  const dir = options.dir ?? (await tempDir())
  const config: Partial<BrokerConfig> = {
    brokerName: 'broker-a',
    brokerClusterName: 'DefaultCluster',
    listenPort: 0,
    bindAddress: '127.0.0.1',
    brokerIP1: '127.0.0.1',
    storePathRootDir: dir,
    ...options.config,
  }
  const store = options.store === 'file'
    ? new FileMessageStore({ storePathRootDir: dir, mappedFileSizeCommitLog: 1024 * 1024, mappedFileSizeConsumeQueue: 20 * 1000 })
    : options.store === undefined || options.store === 'memory' ? new MemoryMessageStore({ maxMessageSize: config.maxMessageSize }) : options.store
  const broker = new BrokerController({ config, store })
  await broker.start()
  const client = new RemotingClient(options.onRequest ? { onRequest: options.onRequest } : {})
  const addr = `127.0.0.1:${broker.port}`
  return {
    broker,
    addr,
    dir,
    client,
    invoke: (code, ext, body, timeoutMs) => client.invoke(addr, createRequest(code, ext, body ?? null), { timeoutMs: timeoutMs ?? 5000 }),
    async stop(stopOptions) {
      await client.close()
      await broker.shutdown()
      if (!stopOptions?.keepDir && options.dir === undefined) await rm(dir, { recursive: true, force: true })
    },
  }
}

/** SEND_MESSAGE_V2 header fields (a..m). */
export function sendV2Ext(topic: string, options: { queueId?: number; properties?: Record<string, string>; group?: string; reconsumeTimes?: number; maxReconsumeTimes?: number; defaultTopicQueueNums?: number; sysFlag?: number } = {}): Record<string, ExtFieldValue> {
  return {
    a: options.group ?? 'PG',
    b: topic,
    c: 'TBW102',
    d: options.defaultTopicQueueNums ?? 4,
    e: options.queueId ?? 0,
    f: options.sysFlag ?? 0,
    g: Date.now(),
    h: 0,
    i: encodeProperties(options.properties ?? {}),
    j: options.reconsumeTimes ?? 0,
    k: false,
    l: options.maxReconsumeTimes,
    m: false,
  }
}

export function send(t: TestBroker, topic: string, body: string | Buffer, options: Parameters<typeof sendV2Ext>[1] = {}): Promise<RemotingCommand> {
  return t.invoke(RequestCode.SEND_MESSAGE_V2, sendV2Ext(topic, options), Buffer.isBuffer(body) ? body : Buffer.from(body))
}

/** PULL_MESSAGE header fields; by default posts a `*` subscription, no suspend. */
export function pullExt(group: string, topic: string, queueId: number, queueOffset: number, options: { subscription?: string; suspendMs?: number; commitOffset?: number; subVersion?: number; withSubscription?: boolean; maxMsgNums?: number } = {}): Record<string, ExtFieldValue> {
  const withSubscription = options.withSubscription ?? true
  return {
    consumerGroup: group,
    topic,
    queueId,
    queueOffset,
    maxMsgNums: options.maxMsgNums ?? 32,
    sysFlag: PullSysFlag.buildSysFlag(options.commitOffset !== undefined, options.suspendMs !== undefined, withSubscription, false),
    commitOffset: options.commitOffset ?? 0,
    suspendTimeoutMillis: options.suspendMs ?? 0,
    subscription: withSubscription ? (options.subscription ?? '*') : undefined,
    subVersion: options.subVersion ?? 0,
    expressionType: 'TAG',
  }
}

export function pull(t: TestBroker, group: string, topic: string, queueId: number, queueOffset: number, options: Parameters<typeof pullExt>[4] = {}, timeoutMs?: number): Promise<RemotingCommand> {
  return t.invoke(RequestCode.PULL_MESSAGE, pullExt(group, topic, queueId, queueOffset, options), null, timeoutMs)
}

export function records(response: RemotingCommand): MessageExt[] {
  return response.body === null ? [] : decodeMessages(response.body)
}

/** HEART_BEAT body for one consumer group. */
export function heartbeatBody(clientID: string, group: string, subscriptions: Array<{ topic: string; subString?: string; subVersion?: number }>): Buffer {
  return Buffer.from(
    stringifyJson({
      clientID,
      consumerDataSet: [
        {
          groupName: group,
          consumeType: 'CONSUME_PASSIVELY',
          messageModel: 'CLUSTERING',
          consumeFromWhere: 'CONSUME_FROM_FIRST_OFFSET',
          unitMode: false,
          subscriptionDataSet: subscriptions.map((s) => ({ topic: s.topic, subString: s.subString ?? '*', tagsSet: [], codeSet: [], subVersion: s.subVersion ?? 1, expressionType: 'TAG', classFilterMode: false })),
        },
      ],
      producerDataSet: [{ groupName: 'CLIENT_INNER_PRODUCER' }],
    }),
  )
}

/** Writes raw frame bytes on a fresh socket and resolves with the first decoded frame the server sends back. */
export function rawExchange(port: number, frame: Buffer, timeoutMs = 5000): Promise<RemotingCommand> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port })
    const decoder = new FrameDecoder()
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error('no response frame'))
    }, timeoutMs)
    socket.on('error', reject)
    socket.on('connect', () => socket.write(frame))
    socket.on('data', (chunk: Buffer) => {
      const [first] = decoder.push(chunk)
      if (first !== undefined) {
        clearTimeout(timer)
        socket.destroy()
        resolve(first)
      }
    })
  })
}

export function fixture(name: string): Promise<Buffer> {
  return readFile(new URL(`./${name}`, import.meta.url))
}

/** A promise with its resolver, for waiting on callbacks. */
export function deferred<T = void>(timeoutMs = 5000, what = 'event'): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs)
    resolve = (value) => {
      clearTimeout(timer)
      res(value)
    }
  })
  return { promise, resolve }
}

/** Resolves the next time `hold.suspendPullRequest` parks a request. */
export function nextSuspend(broker: BrokerController, timeoutMs = 5000): Promise<void> {
  const service = broker.pullRequestHoldService
  const original = service.suspendPullRequest.bind(service)
  const done = deferred(timeoutMs, 'a parked pull request')
  service.suspendPullRequest = (pullRequest) => {
    service.suspendPullRequest = original
    original(pullRequest)
    done.resolve()
  }
  return done.promise
}
