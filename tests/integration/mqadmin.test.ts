/**
 * End-to-end test of the real mqadmin CLI (tools/mqadmin/src/main.ts, spawned with tsx) against an in-process
 * cluster from tests/harness: clusterList, updateTopic, topicList, topicRoute (JSON and -l), topicStatus,
 * consumerProgress, queryMsgById, queryMsgByKey, queryMsgByUniqueKey, and a failing command's exit code.
 */
import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Admin, Producer } from '@cometmq/client'
import { getRoute, makeTempDir, startCluster } from '../harness/cluster.js'
import type { Cluster } from '../harness/cluster.js'
import { REPO_ROOT, TsxProcess } from '../harness/process.js'
import { uniqueName, waitFor } from '../harness/wait.js'

const MQADMIN = join(REPO_ROOT, 'tools', 'mqadmin', 'src', 'main.ts')

interface CliResult {
  code: number | null
  stdout: string[]
  stderr: string[]
}

let cluster: Cluster
const children: TsxProcess[] = []

async function mqadmin(...args: string[]): Promise<CliResult> {
  const proc = new TsxProcess(MQADMIN, [...args, '-n', cluster.namesrvAddr], { env: { NAMESRV_ADDR: '' } })
  children.push(proc)
  const { code } = await proc.waitExit(25_000)
  const pick = (prefix: string): string[] => proc.lines.filter((line) => line.startsWith(prefix)).map((line) => line.slice(prefix.length))
  return { code, stdout: pick('out| '), stderr: pick('err| ') }
}

beforeAll(async () => {
  cluster = await startCluster({ brokers: 1 })
})

afterAll(async () => {
  for (const child of children) await child.ensureDead()
  await cluster?.stop()
})

describe('mqadmin CLI against a live cluster', () => {
  const topic = uniqueName('MqadminTopic')
  const group = uniqueName('MqadminGroup')

  it('clusterList prints the registered broker', async () => {
    const broker = cluster.brokers[0]
    const result = await mqadmin('clusterList')
    expect(result.code).toBe(0)
    expect(result.stdout[0]).toMatch(/^#Cluster Name +#Broker Name +#BID +#Addr$/)
    expect(result.stdout).toContainEqual(expect.stringMatching(new RegExp(`^${cluster.clusterName} +${broker?.brokerName} +0 +${broker?.addr}$`)))
  })

  it('updateTopic -c creates the topic on the cluster master; topicList and topicRoute see it', { timeout: 60_000 }, async () => {
    const created = await mqadmin('updateTopic', '-c', cluster.clusterName, '-t', topic, '-r', '4', '-w', '4')
    expect(created.code).toBe(0)
    expect(created.stdout).toEqual([
      `create topic to ${cluster.brokers[0]?.addr} success.`,
      `TopicConfig [topicName=${topic}, readQueueNums=4, writeQueueNums=4, perm=RW-, topicFilterType=SINGLE_TAG, topicSysFlag=0, order=false]`,
    ])
    await waitFor(async () => (await getRoute(cluster.namesrvAddr, topic))?.queueDatas[0]?.readQueueNums === 4, { description: `route of ${topic}` })

    const list = await mqadmin('topicList')
    expect(list.code).toBe(0)
    expect(list.stdout).toContain(topic)

    const route = await mqadmin('topicRoute', '-t', topic)
    expect(route.code).toBe(0)
    const parsed = JSON.parse(route.stdout.join('\n')) as { queueDatas: Array<{ readQueueNums: number; perm: number }>; brokerDatas: Array<{ brokerAddrs: Record<string, string> }> }
    expect(parsed.queueDatas[0]).toMatchObject({ readQueueNums: 4, perm: 6 })
    expect(parsed.brokerDatas[0]?.brokerAddrs['0']).toBe(cluster.brokers[0]?.addr)

    const table = await mqadmin('topicRoute', '-t', topic, '-l')
    expect(table.code).toBe(0)
    expect(table.stdout[1]).toMatch(new RegExp(`^${cluster.clusterName} +${cluster.brokers[0]?.brokerName} +\\{0=${cluster.brokers[0]?.addr}\\} +4 +4 +6$`))
  })

  it('topicStatus and consumerProgress show queue offsets and the consumer lag', { timeout: 60_000 }, async () => {
    const brokerName = cluster.brokers[0]?.brokerName ?? ''
    const mq = { topic, brokerName, queueId: 0 }
    const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, producerGroup: uniqueName('MqadminProducer') })
    await producer.start()
    try {
      for (let i = 0; i < 10; i++) await producer.send({ topic, body: `m${i}` }, { messageQueue: mq })
    } finally {
      await producer.shutdown()
    }
    const admin = new Admin({ namesrvAddr: cluster.namesrvAddr })
    await admin.start()
    try {
      await admin.updateConsumerOffset(group, mq, 4)
    } finally {
      await admin.shutdown()
    }

    const status = await mqadmin('topicStatus', '-t', topic)
    expect(status.code).toBe(0)
    expect(status.stdout[0]).toMatch(/^#Broker Name +#QID +#Min Offset +#Max Offset$/)
    expect(status.stdout.slice(1)).toEqual([
      expect.stringMatching(new RegExp(`^${brokerName} +0 +0 +10$`)),
      expect.stringMatching(new RegExp(`^${brokerName} +1 +0 +0$`)),
      expect.stringMatching(new RegExp(`^${brokerName} +2 +0 +0$`)),
      expect.stringMatching(new RegExp(`^${brokerName} +3 +0 +0$`)),
    ])

    const progress = await mqadmin('consumerProgress', '-g', group, '-t', topic)
    expect(progress.code).toBe(0)
    expect(progress.stdout).toContainEqual(expect.stringMatching(new RegExp(`^${topic} +${brokerName} +0 +10 +4 +6$`)))
    expect(progress.stdout.at(-1)).toBe('Consume Diff Total: 6')
  })

  it('queryMsgById -i <offsetMsgId> prints the message as RocketMQ does and writes its (inflated) body', { timeout: 60_000 }, async () => {
    const broker = cluster.brokers[0]!
    const mq = { topic, brokerName: broker.brokerName, queueId: 1 }
    const body = 'queryMsgById body '.repeat(300) // > 4096 bytes: the producer compresses it
    const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, producerGroup: uniqueName('MqadminProducer') })
    await producer.start()
    const sent = await producer
      .send({ topic, body, tags: 'TagQ', keys: ['key-a', 'key-b'], properties: { color: 'blue' } }, { messageQueue: mq })
      .finally(() => producer.shutdown())
    const bodyDir = await makeTempDir('mqadmin-bodies')
    try {
      const result = await mqadmin('queryMsgById', '-i', sent.offsetMsgId, '-f', 'UTF-8', '--bodyDir', bodyDir)
      expect(result.code).toBe(0)
      const bodyPath = join(bodyDir, sent.msgId)
      expect(result.stdout).toEqual([
        `OffsetID:            ${sent.offsetMsgId}`,
        `Topic:               ${topic}`,
        'Tags:                [TagQ]',
        'Keys:                [key-a key-b]',
        'Queue ID:            1',
        `Queue Offset:        ${sent.queueOffset}`,
        expect.stringMatching(/^CommitLog Offset: {4}\d+$/),
        'Reconsume Times:     0',
        expect.stringMatching(/^Born Timestamp: {6}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}$/),
        expect.stringMatching(/^Store Timestamp: {5}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}$/),
        expect.stringMatching(/^Born Host: {11}\S+:\d+$/),
        `Store Host:          ${broker.addr}`,
        'System Flag:         0',
        expect.stringMatching(/^Properties: {10}\{.*\}$/),
        `Message Body Path:   ${bodyPath}`,
        `Message Body:        ${body}`,
      ])
      const properties = result.stdout[13] ?? ''
      for (const entry of ['TAGS=TagQ', 'KEYS=key-a key-b', 'color=blue', `UNIQ_KEY=${sent.msgId}`]) expect(properties).toContain(entry)
      expect((await readFile(bodyPath)).toString('utf8')).toBe(body)

      const missing = await mqadmin('queryMsgById', '-i', sent.offsetMsgId.slice(0, 16) + '0000FFFFFFFF0000', '--bodyDir', bodyDir)
      expect(missing.code).toBe(1)
      expect(missing.stderr.join('\n')).toMatch(/^queryMsgById command failed: BROKER_ERROR: .*can not find message by the offset/)
    } finally {
      await rm(bodyDir, { recursive: true, force: true })
    }
  })

  it('queryMsgByKey -k lists the messages carrying the key; queryMsgByUniqueKey -i prints the message', { timeout: 60_000 }, async () => {
    const broker = cluster.brokers[0]!
    const key = uniqueName('order')
    const producer = new Producer({ namesrvAddr: cluster.namesrvAddr, producerGroup: uniqueName('MqadminProducer') })
    await producer.start()
    const sent = []
    try {
      for (let i = 0; i < 3; i++) sent.push(await producer.send({ topic, body: `by key ${i}`, keys: [key, `${key}-${i}`], tags: 'TagK' }, { messageQueue: { topic, brokerName: broker.brokerName, queueId: 2 } }))
    } finally {
      await producer.shutdown()
    }
    const byKey = await mqadmin('queryMsgByKey', '-t', topic, '-k', key)
    expect(byKey.code).toBe(0)
    expect(byKey.stdout[0]).toBe(`${'#Message ID'.padEnd(50)} #QID ${'#Offset'.padStart(40)}`)
    expect(byKey.stdout.slice(1)).toEqual([...sent].reverse().map((s) => `${s.msgId.padEnd(50)}    2 ${String(s.queueOffset).padStart(40)}`))

    const bodyDir = await makeTempDir('mqadmin-bodies')
    try {
      const target = sent[1]!
      const byUniqueKey = await mqadmin('queryMsgByUniqueKey', '-t', topic, '-i', target.msgId, '--bodyDir', bodyDir)
      expect(byUniqueKey.code).toBe(0)
      expect(byUniqueKey.stdout.slice(0, 5)).toEqual([
        `Topic:               ${topic}`,
        'Tags:                [TagK]',
        `Keys:                [${key} ${key}-1]`,
        'Queue ID:            2',
        `Queue Offset:        ${target.queueOffset}`,
      ])
      expect(byUniqueKey.stdout.at(-1)).toBe(`Message Body Path:   ${join(bodyDir, target.msgId)}`)
      expect((await readFile(join(bodyDir, target.msgId))).toString()).toBe('by key 1')
    } finally {
      await rm(bodyDir, { recursive: true, force: true })
    }
  })

  it('a failing command prints "<command> command failed" and exits 1', async () => {
    const result = await mqadmin('topicRoute', '-t', uniqueName('NoSuchTopic'))
    expect(result.code).toBe(1)
    expect(result.stderr.join('\n')).toMatch(/^topicRoute command failed: /)
  })
})
