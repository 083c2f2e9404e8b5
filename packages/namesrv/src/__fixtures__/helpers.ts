// Test-only helpers (excluded from the build with the rest of __fixtures__).
import { readFileSync } from 'node:fs'
import { createRequest, RequestCode, stringifyJson } from '@cometmq/protocol'
import type { RemotingCommand } from '@cometmq/protocol'
import type { NamesrvController } from '../namesrv-controller.js'
import type { NamesrvEvent, NamesrvEventType } from '../namesrv-events.js'
import { registerBodyCrc32 } from '../register-broker-body.js'

/** Reads a fixture frame from this folder (whole frame, with its 4-byte length prefix). */
export function readFixture(name: string): Buffer {
  return readFileSync(new URL(`./${name}`, import.meta.url))
}

export interface TopicSpec {
  readQueueNums?: number
  writeQueueNums?: number
  perm?: number
}

export interface RegisterOptions {
  clusterName?: string
  brokerName?: string
  brokerAddr: string
  brokerId?: number
  haServerAddr?: string
  topics?: Record<string, TopicSpec>
  dataVersion?: { counter: number; timestamp: number }
  serializeType?: 0 | 1
  /** Override the computed bodyCrc32. */
  bodyCrc32?: number
}

/** RegisterBrokerBody JSON as a 4.9 broker sends it. */
export function registerBodyJson(options: Pick<RegisterOptions, 'topics' | 'dataVersion'>): string {
  const topicConfigTable: Record<string, unknown> = {}
  for (const [topicName, spec] of Object.entries(options.topics ?? {})) {
    topicConfigTable[topicName] = {
      order: false,
      perm: spec.perm ?? 6,
      readQueueNums: spec.readQueueNums ?? 4,
      topicFilterType: 'SINGLE_TAG',
      topicName,
      topicSysFlag: 0,
      writeQueueNums: spec.writeQueueNums ?? 4,
    }
  }
  return stringifyJson({
    filterServerList: [],
    topicConfigSerializeWrapper: { dataVersion: options.dataVersion ?? { counter: 0, timestamp: 1 }, topicConfigTable },
  })
}

/** A REGISTER_BROKER request with a JSON body and a correct bodyCrc32. */
export function registerRequest(options: RegisterOptions): RemotingCommand {
  const body = Buffer.from(registerBodyJson(options), 'utf8')
  return registerRequestWithBody(options, body, false)
}

/** A REGISTER_BROKER request with the given body bytes. */
export function registerRequestWithBody(options: RegisterOptions, body: Buffer, compressed: boolean): RemotingCommand {
  return createRequest(
    RequestCode.REGISTER_BROKER,
    {
      brokerName: options.brokerName ?? 'broker-a',
      brokerAddr: options.brokerAddr,
      clusterName: options.clusterName ?? 'DefaultCluster',
      haServerAddr: options.haServerAddr ?? options.brokerAddr.replace(/:(\d+)$/, (_, port: string) => `:${Number(port) + 1}`),
      brokerId: options.brokerId ?? 0,
      compressed,
      bodyCrc32: options.bodyCrc32 ?? registerBodyCrc32(body),
    },
    body,
    { serializeType: options.serializeType ?? 0 },
  )
}

/** Resolves with the first event of `type` matching `predicate`. */
export function waitForEvent<K extends NamesrvEventType>(
  controller: NamesrvController,
  type: K,
  predicate: (event: Extract<NamesrvEvent, { type: K }>) => boolean = () => true,
): Promise<Extract<NamesrvEvent, { type: K }>> {
  return new Promise((resolve) => {
    const off = controller.onEvent((event) => {
      if (event.type !== type) return
      const typed = event as Extract<NamesrvEvent, { type: K }>
      if (!predicate(typed)) return
      off()
      resolve(typed)
    })
  })
}

/** Parses a JSON response body. */
export function bodyJson(command: RemotingCommand): unknown {
  if (command.body === null) throw new Error(`response ${command.code} has no body (remark ${command.remark})`)
  return JSON.parse(command.body.toString('utf8'))
}
