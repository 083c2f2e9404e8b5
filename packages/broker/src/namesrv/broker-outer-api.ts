/**
 * Broker → namesrv calls: REGISTER_BROKER (103) and UNREGISTER_BROKER (104) to every namesrv in parallel.
 * Source: RocketMQ 4.9 `broker/out/BrokerOuterAPI.java`; wire §3.1, §7.2.
 *
 * REGISTER_BROKER header: brokerAddr, brokerId, brokerName, clusterName, haServerAddr, compressed=false,
 * bodyCrc32 = crc32(body) & 0x7fffffff. Body = RegisterBrokerBody JSON
 * `{"filterServerList":[],"topicConfigSerializeWrapper":{"dataVersion":{…},"topicConfigTable":{…}}}`.
 * Failures are per namesrv and never thrown: each call resolves with one outcome per address.
 */
import { RemotingClient, RequestCode, ResponseCode, createRequest, crc32, stringifyJson } from '@cometmq/protocol'
import type { Logger, TopicConfigSerializeWrapper } from '@cometmq/protocol'

/** Identity sent with both requests. */
export interface BrokerIdentity {
  clusterName: string
  brokerName: string
  brokerId: number
  /** `brokerIP1:port` */
  brokerAddr: string
}

/** Result of one call to one namesrv. */
export interface NamesrvOutcome {
  namesrvAddr: string
  ok: boolean
  /** Response code, or undefined when the call failed (connect/timeout). */
  code?: number
  error?: string
}

/** Splits `namesrvAddr` ('a:9876;b:9876', spaces and empty parts ignored). */
export function splitNamesrvAddr(namesrvAddr: string | undefined): string[] {
  return (namesrvAddr ?? '').split(';').map((addr) => addr.trim()).filter((addr) => addr !== '')
}

export class BrokerOuterAPI {
  private readonly client: RemotingClient

  constructor(private readonly logger: Logger) {
    this.client = new RemotingClient({ logger, connectTimeoutMs: 3000 })
  }

  /** Sends REGISTER_BROKER to every namesrv. */
  registerBrokerAll(namesrvAddrs: readonly string[], identity: BrokerIdentity, haServerAddr: string, wrapper: TopicConfigSerializeWrapper, timeoutMs: number): Promise<NamesrvOutcome[]> {
    const body = Buffer.from(stringifyJson({ filterServerList: [], topicConfigSerializeWrapper: wrapper }))
    const bodyCrc32 = crc32(body) & 0x7fffffff
    return Promise.all(
      namesrvAddrs.map((addr) => {
        const request = createRequest(
          RequestCode.REGISTER_BROKER,
          { brokerAddr: identity.brokerAddr, brokerId: identity.brokerId, brokerName: identity.brokerName, clusterName: identity.clusterName, haServerAddr, compressed: false, bodyCrc32 },
          body,
        )
        return this.call(addr, request, timeoutMs, 'register broker')
      }),
    )
  }

  /** Sends UNREGISTER_BROKER to every namesrv. */
  unregisterBrokerAll(namesrvAddrs: readonly string[], identity: BrokerIdentity, timeoutMs: number): Promise<NamesrvOutcome[]> {
    return Promise.all(
      namesrvAddrs.map((addr) => {
        const request = createRequest(RequestCode.UNREGISTER_BROKER, {
          brokerAddr: identity.brokerAddr,
          brokerId: identity.brokerId,
          brokerName: identity.brokerName,
          clusterName: identity.clusterName,
        })
        return this.call(addr, request, timeoutMs, 'unregister broker')
      }),
    )
  }

  close(): Promise<void> {
    return this.client.close()
  }

  private async call(addr: string, request: ReturnType<typeof createRequest>, timeoutMs: number, what: string): Promise<NamesrvOutcome> {
    try {
      const response = await this.client.invoke(addr, request, { timeoutMs })
      if (response.code !== ResponseCode.SUCCESS) {
        this.logger.warn(`${what} rejected`, { namesrvAddr: addr, code: response.code, remark: response.remark })
        return { namesrvAddr: addr, ok: false, code: response.code, error: response.remark ?? undefined }
      }
      this.logger.debug(`${what} ok`, { namesrvAddr: addr })
      return { namesrvAddr: addr, ok: true, code: response.code }
    } catch (error) {
      this.logger.warn(`${what} failed`, { namesrvAddr: addr, error: (error as Error).message })
      return { namesrvAddr: addr, ok: false, error: (error as Error).message }
    }
  }
}
