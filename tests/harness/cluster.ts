/**
 * In-process CometMQ cluster for integration tests: one (or `namesrvs`) NamesrvController(s) and N BrokerControllers,
 * all on 127.0.0.1 and port 0, each broker with its own temp store dir (removed by stop()). Every broker registers
 * with every name server (`namesrvAddr` = 'a;b;…').
 *
 *   const cluster = await startCluster({ brokers: 1 })
 *   await createTopic(cluster, topic, { queueNums: 4 })
 *   ... cluster.namesrvAddr, cluster.brokers[0].addr ...
 *   await cluster.stop()
 */
import { mkdtemp, rm } from 'node:fs/promises'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BrokerController, createStore, resolveBrokerConfig } from '@cometmq/broker'
import type { BrokerConfig } from '@cometmq/broker'
import { NamesrvController } from '@cometmq/namesrv'
import { noopLogger } from '@cometmq/protocol'
import type { Logger } from '@cometmq/protocol'
import type { MessageStoreConfig } from '@cometmq/store'
import { Code, Perm, Resp } from './codes.js'
import { waitFor, uniqueName } from './wait.js'
import { invokeOnce } from './wire.js'

export interface ClusterOptions {
  /** number of brokers (distinct brokerNames, all masters); default 1 */
  brokers?: number
  /** number of name servers; default 1. Brokers get namesrvAddr 'a;b;…' and register with all of them. */
  namesrvs?: number
  /**
   * broker.conf storeType: 'default' (= 'file', the default): FileMessageStore in the broker's temp dir; 'level':
   * LevelMessageStore in the temp dir; 'memory': MemoryMessageStore.
   */
  storeType?: 'file' | 'default' | 'level' | 'memory'
  /**
   * Store config entries that broker.conf cannot express (e.g. a `diskUsage` probe), merged over what the broker
   * derives from its config: the harness then builds the store with `createStore(config, logger, storeConfig)` and
   * injects it, so the adapter is still the one `storeType` selects.
   */
  storeConfig?: Partial<MessageStoreConfig>
  /** merged over the harness defaults for every broker */
  brokerConfig?: Partial<BrokerConfig>
  logger?: Logger
  clusterName?: string
}

export interface ClusterBroker {
  controller: BrokerController
  /** '127.0.0.1:<port>' */
  addr: string
  brokerName: string
  storeDir: string
}

export interface Cluster {
  /** The first name server (namesrvs[0]). */
  namesrv: NamesrvController
  /** '127.0.0.1:<port>' of the first name server */
  namesrvAddr: string
  /** Every name server, in start order (stopping one early is fine: stop() tolerates it). */
  namesrvs: NamesrvController[]
  /** '127.0.0.1:<port>' of each name server, same order */
  namesrvAddrs: string[]
  clusterName: string
  brokers: ClusterBroker[]
  /** Shuts every broker and the namesrv down and removes the temp dirs. Idempotent. */
  stop(): Promise<void>
}

/** Makes a temp directory under the OS temp dir. */
export function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `cometmq-it-${prefix}-`))
}

/** Returns a port that was free a moment ago (bind 127.0.0.1:0, read, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      if (address === null || typeof address === 'string') {
        server.close()
        reject(new Error('no port'))
        return
      }
      server.close(() => resolve(address.port))
    })
  })
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const brokerCount = options.brokers ?? 1
  const clusterName = options.clusterName ?? uniqueName('Cluster')
  const cleanups: Array<() => Promise<void>> = []
  const brokers: ClusterBroker[] = []
  let stopped = false

  const stop = async (): Promise<void> => {
    if (stopped) return
    stopped = true
    const errors: unknown[] = []
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup()
      } catch (error) {
        errors.push(error)
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, `cluster stop: ${errors.length} error(s)`)
  }

  try {
    const namesrvs: NamesrvController[] = []
    for (let i = 0; i < (options.namesrvs ?? 1); i++) {
      const namesrv = new NamesrvController({
        listenPort: 0,
        host: '127.0.0.1',
        ...(options.logger ? { logger: options.logger } : {}),
      })
      await namesrv.start()
      cleanups.push(() => namesrv.shutdown())
      namesrvs.push(namesrv)
    }
    const namesrv = namesrvs[0]
    if (namesrv === undefined) throw new RangeError('namesrvs must be at least 1')
    const namesrvAddrs = namesrvs.map((n) => `127.0.0.1:${n.port}`)
    const namesrvAddr = namesrvAddrs[0] as string

    for (let i = 0; i < brokerCount; i++) {
      const storeDir = await makeTempDir('broker')
      cleanups.push(() => rm(storeDir, { recursive: true, force: true }))
      const brokerName = `${clusterName}-b${i}`
      const config: Partial<BrokerConfig> = {
        brokerClusterName: clusterName,
        brokerName,
        brokerId: 0,
        brokerIP1: '127.0.0.1',
        bindAddress: '127.0.0.1',
        listenPort: 0,
        storeType: options.storeType === undefined || options.storeType === 'file' ? 'default' : options.storeType,
        namesrvAddr: namesrvAddrs.join(';'),
        storePathRootDir: storeDir,
        ...options.brokerConfig,
      }
      const store = options.storeConfig ? createStore(resolveBrokerConfig(config), options.logger ?? noopLogger, options.storeConfig) : undefined
      const controller = new BrokerController({
        config,
        ...(store ? { store } : {}),
        ...(options.logger ? { logger: options.logger } : {}),
      })
      await controller.start()
      cleanups.push(() => controller.shutdown())
      brokers.push({ controller, addr: `127.0.0.1:${controller.port}`, brokerName, storeDir })
    }

    const cluster: Cluster = { namesrv, namesrvAddr, namesrvs, namesrvAddrs, clusterName, brokers, stop }
    // brokers register at start; make sure every namesrv really knows them before tests run
    for (const addr of namesrvAddrs) {
      await waitFor(
        async () => {
          const info = await getClusterInfo(addr)
          return brokers.every((b) => info.brokerAddrTable[b.brokerName]?.brokerAddrs?.['0'] === b.addr)
        },
        { timeoutMs: 10_000, description: `brokers registered in namesrv ${addr} cluster info` },
      )
    }
    return cluster
  } catch (error) {
    await stop().catch(() => {})
    throw error
  }
}

export interface TopicOptions {
  queueNums?: number
  readQueueNums?: number
  writeQueueNums?: number
  perm?: number
  /** wait until every namesrv serves a route with every broker (default true) */
  waitRoute?: boolean
}

/**
 * Creates `topic` on every broker of the cluster with UPDATE_AND_CREATE_TOPIC (17) sent over the wire,
 * then (by default) waits until the namesrv route lists it on all brokers.
 */
export async function createTopic(cluster: Cluster, topic: string, options: TopicOptions = {}): Promise<void> {
  const queueNums = options.queueNums ?? 4
  for (const broker of cluster.brokers) {
    await createTopicOnBroker(broker.addr, topic, options)
  }
  if (options.waitRoute === false) return
  for (const namesrvAddr of cluster.namesrvAddrs) {
    await waitFor(
      async () => {
        const route = await getRoute(namesrvAddr, topic)
        if (!route) return false
        return cluster.brokers.every((b) =>
          route.queueDatas.some(
            (q) => q.brokerName === b.brokerName && q.readQueueNums === (options.readQueueNums ?? queueNums),
          ),
        )
      },
      { timeoutMs: 10_000, description: `route of topic ${topic} in namesrv ${namesrvAddr}` },
    )
  }
}

/** UPDATE_AND_CREATE_TOPIC against one broker address; throws unless SUCCESS. */
export async function createTopicOnBroker(brokerAddr: string, topic: string, options: TopicOptions = {}): Promise<void> {
  const queueNums = options.queueNums ?? 4
  const res = await invokeOnce(brokerAddr, Code.UPDATE_AND_CREATE_TOPIC, {
    topic,
    defaultTopic: 'TBW102',
    readQueueNums: options.readQueueNums ?? queueNums,
    writeQueueNums: options.writeQueueNums ?? queueNums,
    perm: options.perm ?? Perm.READ | Perm.WRITE,
    topicFilterType: 'SINGLE_TAG',
    topicSysFlag: 0,
    order: false,
  })
  if (res.code !== Resp.SUCCESS) {
    throw new Error(`UPDATE_AND_CREATE_TOPIC ${topic} on ${brokerAddr} -> code ${res.code} remark ${res.remark}`)
  }
}

export interface RouteData {
  queueDatas: Array<{ brokerName: string; readQueueNums: number; writeQueueNums: number; perm: number }>
  brokerDatas: Array<{ brokerName: string; cluster?: string; brokerAddrs: Record<string, string> }>
}

/** GET_ROUTEINFO_BY_TOPIC; null on TOPIC_NOT_EXIST. Parses the body with strict JSON.parse (§11 item 4). */
export async function getRoute(namesrvAddr: string, topic: string): Promise<RouteData | null> {
  const res = await invokeOnce(namesrvAddr, Code.GET_ROUTEINFO_BY_TOPIC, { topic })
  if (res.code === Resp.TOPIC_NOT_EXIST) return null
  if (res.code !== Resp.SUCCESS || !res.body) throw new Error(`GET_ROUTEINFO_BY_TOPIC ${topic} -> ${res.code} ${res.remark}`)
  return JSON.parse(res.body.toString('utf8')) as RouteData
}

export interface ClusterInfoData {
  brokerAddrTable: Record<string, { brokerName: string; cluster?: string; brokerAddrs: Record<string, string> }>
  clusterAddrTable: Record<string, string[]>
}

/** GET_BROKER_CLUSTER_INFO (106), strict JSON. */
export async function getClusterInfo(namesrvAddr: string): Promise<ClusterInfoData> {
  const res = await invokeOnce(namesrvAddr, Code.GET_BROKER_CLUSTER_INFO)
  if (res.code !== Resp.SUCCESS) throw new Error(`GET_BROKER_CLUSTER_INFO -> ${res.code} ${res.remark}`)
  const parsed = (res.body ? JSON.parse(res.body.toString('utf8')) : {}) as Partial<ClusterInfoData>
  return { brokerAddrTable: parsed.brokerAddrTable ?? {}, clusterAddrTable: parsed.clusterAddrTable ?? {} }
}

