import { afterEach, describe, expect, it } from 'vitest'
import { LevelMessageStore, MemoryMessageStore } from '@cometmq/store'
import { RemotingServer, RequestCode, ResponseCode, createResponse, crc32, noopLogger, parseJsonLenient } from '@cometmq/protocol'
import type { RegisterBrokerBody, RemotingCommand } from '@cometmq/protocol'
import { BrokerController, createStore } from './broker-controller.js'
import { resolveBrokerConfig } from './config/parse-broker-config.js'
import type { BrokerConfig } from './config/broker-config-schema.js'
import { deferred, heartbeatBody, pull, send, startBroker, tempDir } from './__fixtures__/harness.js'
import type { TestBroker } from './__fixtures__/harness.js'
import { rm, stat } from 'node:fs/promises'
import { join } from 'node:path'

/** A namesrv stand-in that records REGISTER_BROKER / UNREGISTER_BROKER requests. */
class FakeNamesrv {
  readonly server: RemotingServer
  readonly registers: RemotingCommand[] = []
  readonly unregisters: RemotingCommand[] = []
  private waiters: Array<() => void> = []

  constructor(port = 0) {
    this.server = new RemotingServer({ host: '127.0.0.1', port })
    this.server.registerProcessor(RequestCode.REGISTER_BROKER, (request) => {
      this.registers.push(request)
      this.wake()
      return createResponse(request, ResponseCode.SUCCESS, null, {})
    })
    this.server.registerProcessor(RequestCode.UNREGISTER_BROKER, (request) => {
      this.unregisters.push(request)
      this.wake()
      return createResponse(request, ResponseCode.SUCCESS, null)
    })
  }

  get addr(): string {
    return `127.0.0.1:${this.server.port}`
  }

  /** Resolves once `predicate` holds (re-checked after every recorded request). */
  until(predicate: () => boolean, what: string): Promise<void> {
    const done = deferred(5000, what)
    const check = (): void => {
      if (predicate()) done.resolve()
      else this.waiters.push(check)
    }
    check()
    return done.promise
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter()
  }
}

function registeredTopics(request: RemotingCommand): RegisterBrokerBody['topicConfigSerializeWrapper']['topicConfigTable'] {
  return (parseJsonLenient(request.body!.toString()) as RegisterBrokerBody).topicConfigSerializeWrapper.topicConfigTable
}

let t: TestBroker | undefined
const servers: FakeNamesrv[] = []
afterEach(async () => {
  await t?.stop()
  t = undefined
  for (const namesrv of servers.splice(0)) await namesrv.server.close()
})

async function fakeNamesrv(): Promise<FakeNamesrv> {
  const namesrv = new FakeNamesrv()
  await namesrv.server.listen()
  servers.push(namesrv)
  return namesrv
}

/** A port nothing listens on (bound once, then released). */
async function freePort(): Promise<number> {
  const probe = new RemotingServer({ host: '127.0.0.1', port: 0 })
  await probe.listen()
  const port = probe.port
  await probe.close()
  return port
}

describe('BrokerController', () => {
  it('retries a failed registration within seconds when the namesrv comes up after the broker', async () => {
    const port = await freePort()
    t = await startBroker({ config: { namesrvAddr: `127.0.0.1:${port}`, registerNameServerPeriod: 60_000 } })
    const late = new FakeNamesrv(port)
    await late.server.listen()
    servers.push(late)
    // the periodic registration is 60 s away; only the back-off retry (1 s, 2 s, …) can make this in time
    await late.until(() => late.registers.length >= 1, 'registration retried after the namesrv came up')
    expect(late.registers[0]!.extFields['brokerAddr']).toBe(`127.0.0.1:${t.broker.port}`)
  })

  it('registers with every namesrv at start, re-registers on topic creation, unregisters on shutdown', async () => {
    const [a, b] = [await fakeNamesrv(), await fakeNamesrv()]
    t = await startBroker({ config: { namesrvAddr: `${a.addr};${b.addr}` } })
    for (const namesrv of [a, b]) expect(namesrv.registers).toHaveLength(1)
    const [first] = a.registers
    expect(first!.extFields).toMatchObject({
      brokerAddr: `127.0.0.1:${t.broker.port}`,
      brokerName: 'broker-a',
      clusterName: 'DefaultCluster',
      brokerId: '0',
      haServerAddr: `127.0.0.1:${t.broker.port + 1}`,
      compressed: 'false',
    })
    expect(Number(first!.extFields.bodyCrc32)).toBe(crc32(first!.body!) & 0x7fffffff)
    const topics = registeredTopics(first!)
    expect(topics.TBW102).toMatchObject({ perm: 7, readQueueNums: 8, writeQueueNums: 8 })
    expect(topics.SCHEDULE_TOPIC_XXXX).toMatchObject({ readQueueNums: 18 })
    expect(Object.keys(topics)).toEqual(expect.arrayContaining(['SELF_TEST_TOPIC', 'DefaultCluster', 'broker-a', 'OFFSET_MOVED_EVENT']))

    const created = await t.invoke(RequestCode.UPDATE_AND_CREATE_TOPIC, { topic: 'AdminTopic', defaultTopic: 'TBW102', readQueueNums: 2, writeQueueNums: 2, perm: 6, topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order: false })
    expect(created.code).toBe(ResponseCode.SUCCESS)
    await a.until(() => a.registers.some((r) => registeredTopics(r).AdminTopic !== undefined), 'registration with AdminTopic')

    await send(t, 'AutoTopic', 'x')
    await b.until(() => b.registers.some((r) => registeredTopics(r).AutoTopic !== undefined), 'registration with AutoTopic')
    await t.invoke(RequestCode.HEART_BEAT, {}, heartbeatBody('c@1', 'RG', [{ topic: 'AutoTopic' }]))
    await a.until(() => a.registers.some((r) => registeredTopics(r)['%RETRY%RG'] !== undefined), 'registration with %RETRY%RG')
    const versions = a.registers.map((r) => (parseJsonLenient(r.body!.toString()) as RegisterBrokerBody).topicConfigSerializeWrapper.dataVersion.counter)
    expect(versions[versions.length - 1]).toBeGreaterThan(versions[0]!)

    const port = t.broker.port
    await t.stop()
    t = undefined
    for (const namesrv of [a, b]) {
      expect(namesrv.unregisters).toHaveLength(1)
      expect(namesrv.unregisters[0]!.extFields).toMatchObject({ brokerAddr: `127.0.0.1:${port}`, brokerName: 'broker-a', clusterName: 'DefaultCluster', brokerId: '0' })
    }
  })

  it('starts without namesrv and survives an unreachable one', async () => {
    t = await startBroker({ config: { namesrvAddr: '127.0.0.1:1' } })
    expect((await send(t, 'T', 'x')).code).toBe(ResponseCode.SUCCESS)
  })

  it('serves the topic admin codes (17, 215, 21, 202, 300) and offset queries (29–32)', async () => {
    t = await startBroker()
    const create = (topic: string) => t!.invoke(RequestCode.UPDATE_AND_CREATE_TOPIC, { topic, defaultTopic: 'TBW102', readQueueNums: 2, writeQueueNums: 2, perm: 6, topicFilterType: 'SINGLE_TAG', order: false })
    expect((await create('DefaultCluster')).code).toBe(ResponseCode.SYSTEM_ERROR)
    expect((await create('SCHEDULE_TOPIC_XXXX')).code).toBe(ResponseCode.SYSTEM_ERROR)
    expect((await create('Stats')).code).toBe(ResponseCode.SUCCESS)
    const before = Date.now()
    await send(t, 'Stats', 'a', { queueId: 1 })
    await send(t, 'Stats', 'b', { queueId: 1 })

    const all = parseJsonLenient((await t.invoke(RequestCode.GET_ALL_TOPIC_CONFIG)).body!.toString()) as { topicConfigTable: Record<string, unknown> }
    expect(all.topicConfigTable.Stats).toMatchObject({ readQueueNums: 2, perm: 6 })

    const stats = await t.invoke(RequestCode.GET_TOPIC_STATS_INFO, { topic: 'Stats' })
    const table = (parseJsonLenient(stats.body!.toString()) as { offsetTable: Record<string, { maxOffset: number; minOffset: number; lastUpdateTimestamp: number }> }).offsetTable
    expect(table['{"brokerName":"broker-a","queueId":1,"topic":"Stats"}']).toMatchObject({ maxOffset: 2, minOffset: 0 })
    expect(table['{"brokerName":"broker-a","queueId":1,"topic":"Stats"}']!.lastUpdateTimestamp).toBeGreaterThanOrEqual(before)
    expect((await t.invoke(RequestCode.GET_TOPIC_STATS_INFO, { topic: 'Nope' })).code).toBe(ResponseCode.TOPIC_NOT_EXIST)

    expect((await t.invoke(RequestCode.GET_MAX_OFFSET, { topic: 'Stats', queueId: 1 })).extFields.offset).toBe('2')
    expect((await t.invoke(RequestCode.GET_MIN_OFFSET, { topic: 'Stats', queueId: 1 })).extFields.offset).toBe('0')
    const earliest = Number((await t.invoke(RequestCode.GET_EARLIEST_MSG_STORETIME, { topic: 'Stats', queueId: 1 })).extFields.timestamp)
    expect(earliest).toBeGreaterThanOrEqual(before)
    expect((await t.invoke(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP, { topic: 'Stats', queueId: 1, timestamp: earliest })).extFields.offset).toBe('0')

    await pull(t, 'SG', 'Stats', 1, 0, { commitOffset: 1 })
    const byWho = JSON.parse((await t.invoke(RequestCode.QUERY_TOPIC_CONSUME_BY_WHO, { topic: 'Stats' })).body!.toString())
    expect(byWho).toEqual({ groupList: ['SG'] })
    const consumeStats = parseJsonLenient((await t.invoke(RequestCode.GET_CONSUME_STATS, { consumerGroup: 'SG', topic: 'Stats' })).body!.toString()) as { offsetTable: Record<string, { brokerOffset: number; consumerOffset: number }> }
    expect(consumeStats.offsetTable['{"brokerName":"broker-a","queueId":1,"topic":"Stats"}']).toMatchObject({ brokerOffset: 2, consumerOffset: 1 })

    expect((await t.invoke(RequestCode.DELETE_TOPIC_IN_BROKER, { topic: 'Stats' })).code).toBe(ResponseCode.SUCCESS)
    expect(t.broker.topicConfigManager.selectTopicConfig('Stats')).toBeUndefined()
    expect(t.broker.consumerOffsetManager.queryOffset('SG', 'Stats', 1)).toBe(-1)
    expect((await t.invoke(RequestCode.DELETE_TOPIC_IN_BROKER, { topic: 'TBW102' })).code).toBe(ResponseCode.SYSTEM_ERROR)
  })

  it('serves runtime info and connection lists (28, 203, 204)', async () => {
    t = await startBroker()
    await send(t, 'R', 'x')
    const info = JSON.parse((await t.invoke(RequestCode.GET_BROKER_RUNTIME_INFO)).body!.toString()) as { table: Record<string, string> }
    expect(info.table).toMatchObject({ brokerVersionDesc: 'V4_9_4', brokerVersion: '401', msgPutTotalTodayNow: '1' })
    expect(Number(info.table.commitLogMaxOffset)).toBeGreaterThan(0)
    expect((await t.invoke(RequestCode.GET_CONSUMER_CONNECTION_LIST, { consumerGroup: 'CC' })).code).toBe(ResponseCode.CONSUMER_NOT_ONLINE)
    await t.invoke(RequestCode.HEART_BEAT, {}, heartbeatBody('cc@1', 'CC', [{ topic: 'R', subString: 'a || b' }]))
    const connection = JSON.parse((await t.invoke(RequestCode.GET_CONSUMER_CONNECTION_LIST, { consumerGroup: 'CC' })).body!.toString())
    expect(connection).toMatchObject({ consumeType: 'CONSUME_PASSIVELY', messageModel: 'CLUSTERING', connectionSet: [{ clientId: 'cc@1', language: 'JAVA' }] })
    expect(connection.subscriptionTable.R.subString).toBe('a || b')
    const producers = JSON.parse((await t.invoke(RequestCode.GET_PRODUCER_CONNECTION_LIST, { producerGroup: 'CLIENT_INNER_PRODUCER' })).body!.toString())
    expect(producers.connectionSet[0].clientId).toBe('cc@1')
  })

  it('uses an injected store, reports port 0 as the actual port, and closes cleanly twice', async () => {
    const dir = await tempDir()
    const store = new MemoryMessageStore()
    const broker = new BrokerController({ config: { listenPort: 0, bindAddress: '127.0.0.1', brokerIP1: '127.0.0.1', storePathRootDir: dir, brokerName: 'b' }, store })
    await broker.start()
    expect(broker.port).toBeGreaterThan(0)
    expect(broker.brokerAddr).toBe(`127.0.0.1:${broker.port}`)
    expect(store.status).toBe('open')
    await broker.shutdown()
    await broker.shutdown()
    expect(store.status).toBe('closed')
    await rm(dir, { recursive: true, force: true })
  })

})

describe('createStore (storeType)', () => {
  const brokers: TestBroker[] = []
  const dirs: string[] = []
  afterEach(async () => {
    for (const b of brokers.splice(0)) await b.stop()
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
  })

  /** A broker on the store createStore builds from `config` (plus the harness defaults), in `dir` (default: a new temp dir). */
  async function brokerWith(config: Partial<BrokerConfig>, dir?: string): Promise<TestBroker> {
    const root = dir ?? (await tempDir())
    if (dir === undefined) dirs.push(root)
    const full = { brokerName: 'b', listenPort: 0, bindAddress: '127.0.0.1', brokerIP1: '127.0.0.1', storePathRootDir: root, ...config }
    const b = await startBroker({ config: full, store: createStore(resolveBrokerConfig(full), noopLogger), dir: root })
    brokers.push(b)
    return b
  }

  it('memory: bounded by memoryStoreMaxBytes, no key index with messageIndexEnable=false', async () => {
    const b = await brokerWith({ storeType: 'memory', memoryStoreMaxBytes: 16384, messageIndexEnable: false })
    for (let i = 0; i < 40; i++) expect((await send(b, 'T', 'x'.repeat(1000), { properties: { KEYS: 'k' } })).code).toBe(ResponseCode.SUCCESS)
    const min = b.broker.store.getMinOffsetInQueue('T', 0)
    expect(min).toBeGreaterThan(0)
    expect(b.broker.store.getMaxOffsetInQueue('T', 0) - min).toBeLessThanOrEqual(20)
    const query = await b.invoke(RequestCode.QUERY_MESSAGE, { topic: 'T', key: 'k', maxNum: 32, beginTimestamp: 0, endTimestamp: Date.now() + 1000 })
    expect(query.code).toBe(ResponseCode.QUERY_NOT_FOUND)
  })

  it('level: a LevelMessageStore in <storePathRootDir>/level that keeps messages across a restart', async () => {
    const dir = await tempDir()
    dirs.push(dir)
    const first = await brokerWith({ storeType: 'level' }, dir)
    expect(first.broker.store).toBeInstanceOf(LevelMessageStore)
    expect((await send(first, 'T', 'durable', { properties: { KEYS: 'k' } })).code).toBe(ResponseCode.SUCCESS)
    await first.stop()
    brokers.splice(brokers.indexOf(first), 1)
    expect((await stat(join(dir, 'level'))).isDirectory()).toBe(true)
    const second = await brokerWith({ storeType: 'level' }, dir)
    const query = await second.invoke(RequestCode.QUERY_MESSAGE, { topic: 'T', key: 'k', maxNum: 32, beginTimestamp: 0, endTimestamp: Date.now() + 1000 })
    expect(query.code).toBe(ResponseCode.SUCCESS)
    expect(query.body?.includes(Buffer.from('durable'))).toBe(true)
  })

  it('default: mappedFileSizeCommitLog and fileReservedTime reach the FileMessageStore (retention deletes old segments)', async () => {
    const b = await brokerWith({ storeType: 'default', mappedFileSizeCommitLog: 4096, fileReservedTime: 0 })
    for (let i = 0; i < 12; i++) await send(b, 'T', 'y'.repeat(1000), { properties: { KEYS: `k${i}` } })
    const report = await b.broker.store.deleteExpiredFiles({ now: Date.now() + 1000 })
    expect(report.deletedSegments).toBeGreaterThan(0)
    expect(b.broker.store.getMinOffsetInQueue('T', 0)).toBeGreaterThan(0)
    const query = await b.invoke(RequestCode.QUERY_MESSAGE, { topic: 'T', key: 'k11', maxNum: 32, beginTimestamp: 0, endTimestamp: Date.now() + 1000 })
    expect(query.code).toBe(ResponseCode.SUCCESS)
  })
})
