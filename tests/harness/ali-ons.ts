/**
 * Helpers for driving the real ali-ons 3.12.0 client against a CometMQ cluster.
 *
 * ali-ons facts that shape these helpers (see node_modules/ali-ons/lib):
 * - RemotingClient asserts `httpclient` even when `nameSrv` is given → we pass a stub that always fails.
 * - Clients sharing `clientIP@instanceName` share one MQClient (mq_client.js getAndCreateMQClient); the
 *   instance name 'DEFAULT' becomes the pid. Consumers of one group that must be distinct members need
 *   distinct instanceName values.
 * - Every consumer creates a process-wide static "CLIENT_INNER_PRODUCER" (Producer.defaultProducer) that is
 *   never closed by ali-ons; closeAliOnsDefaultProducer() closes it so the process can exit.
 * - Scheduled tasks (route poll, heartbeat, rebalance, offset persist) loop on sleep(interval) while the
 *   client is inited; short intervals make the rebalance fast and let the loops end soon after close().
 * - Logging goes to options.logger (info/warn/error/debug, util.format style); the default prints to console.
 */
import { format } from 'node:util'
import aliOns from 'ali-ons'
import type { Consumer as OnsConsumerType, OnsClientOptions, OnsLogger, Producer as OnsProducerType } from 'ali-ons'
import { withTimeout } from './wait.js'

export const OnsProducer = aliOns.Producer
export const OnsConsumer = aliOns.Consumer
export const OnsMessage = aliOns.Message

/** Collects ali-ons warn/error output (for failure diagnostics) instead of printing it. */
export class OnsLogSink implements OnsLogger {
  readonly lines: string[] = []
  info(): void {}
  debug(): void {}
  warn(...args: unknown[]): void {
    this.push('WARN', args)
  }
  error(...args: unknown[]): void {
    this.push('ERROR', args)
  }
  private push(level: string, args: unknown[]): void {
    const text = args.map((a) => (a instanceof Error ? `${a.name}: ${a.message}` : a))
    this.lines.push(`${level} ${format(...(text as [unknown, ...unknown[]]))}`)
    if (this.lines.length > 500) this.lines.shift()
  }
  tail(n = 20): string {
    return this.lines.slice(-n).join('\n')
  }
}

const stubHttpClient = {
  request(): Promise<{ status: number; data: Buffer }> {
    return Promise.reject(new Error('httpclient is not used: nameSrv is configured'))
  },
}

/** Common ali-ons options for a test cluster. */
export function onsOptions(namesrvAddr: string, sink: OnsLogSink, extra: Partial<OnsClientOptions> = {}): OnsClientOptions {
  return {
    nameSrv: namesrvAddr,
    httpclient: stubHttpClient,
    logger: sink,
    clientIP: '127.0.0.1',
    pollNameServerInteval: 1000,
    heartbeatBrokerInterval: 1000,
    rebalanceInterval: 1000,
    persistConsumerOffsetInterval: 1000,
    ...extra,
  }
}

/** Closes an ali-ons producer or consumer, bounded; returns the error (if any) instead of throwing. */
export async function closeOns(client: OnsProducerType | OnsConsumerType | undefined, timeoutMs = 10_000): Promise<unknown> {
  if (!client) return undefined
  try {
    await withTimeout(client.close(), timeoutMs, 'ali-ons close()')
    return undefined
  } catch (error) {
    return error
  }
}

/** Closes ali-ons' process-wide CLIENT_INNER_PRODUCER created by the first consumer, if any. */
export async function closeAliOnsDefaultProducer(timeoutMs = 10_000): Promise<unknown> {
  const producer = OnsProducer.defaultProducer
  if (!producer) return undefined
  OnsProducer.defaultProducer = null
  return closeOns(producer, timeoutMs)
}

/** Queue ids of `topic` the consumer currently owns (from its process-queue table). */
export function ownedQueueIds(consumer: OnsConsumerType, topic: string): number[] {
  const ids: number[] = []
  for (const entry of consumer.processQueueTable.values()) {
    if (entry.messageQueue.topic === topic) ids.push(entry.messageQueue.queueId)
  }
  return ids.sort((a, b) => a - b)
}
