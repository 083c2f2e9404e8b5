import { readFile, rm, writeFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { noopLogger } from '@cometmq/protocol'
import { tempDir } from '../__fixtures__/harness.js'
import { resolveBrokerConfig } from '../config/parse-broker-config.js'
import type { BrokerConfig } from '../config/broker-config-schema.js'
import { TopicConfigManager } from './topic-config-manager.js'

const dirs: string[] = []
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

async function manager(overrides: Partial<BrokerConfig> = {}): Promise<{ m: TopicConfigManager; dir: string }> {
  const dir = await tempDir()
  dirs.push(dir)
  const config = resolveBrokerConfig({ brokerName: 'broker-a', brokerIP1: '127.0.0.1', storePathRootDir: dir, ...overrides })
  const m = new TopicConfigManager({ config, configDir: join(dir, 'config'), logger: noopLogger })
  await m.load()
  return { m, dir }
}

describe('TopicConfigManager', () => {
  it('has the system topics a 4.9 broker registers', async () => {
    const { m } = await manager()
    const t = (name: string) => m.selectTopicConfig(name)
    expect(t('TBW102')).toMatchObject({ perm: 7, readQueueNums: 8, writeQueueNums: 8 })
    expect(t('SELF_TEST_TOPIC')).toMatchObject({ perm: 6, readQueueNums: 1 })
    expect(t('DefaultCluster')).toMatchObject({ perm: 7, readQueueNums: 16 })
    expect(t('broker-a')).toMatchObject({ perm: 7, readQueueNums: 1 })
    expect(t('SCHEDULE_TOPIC_XXXX')).toMatchObject({ perm: 6, readQueueNums: 18, writeQueueNums: 18 })
    expect(t('OFFSET_MOVED_EVENT')).toMatchObject({ perm: 6, readQueueNums: 1 })
    expect(m.isSystemTopic('broker-a')).toBe(true)
    expect(m.isSystemTopic('TopicTest')).toBe(false)
  })

  it('has no TBW102 and refuses to auto-create when autoCreateTopicEnable=false', async () => {
    const { m } = await manager({ autoCreateTopicEnable: false })
    expect(m.selectTopicConfig('TBW102')).toBeUndefined()
    expect(m.createTopicInSendMessageMethod('T', 'TBW102', '1.2.3.4:5', 4, 0)).toBeUndefined()
  })

  it('auto-creates from TBW102 with INHERIT: min queues, perm without INHERIT, bumps DataVersion, notifies', async () => {
    const { m } = await manager({ defaultTopicQueueNums: 3 })
    let changes = 0
    m.onChanged(() => changes++)
    const before = m.dataVersion.counter
    const created = m.createTopicInSendMessageMethod('T1', 'TBW102', '1.2.3.4:5', 4, 0)
    expect(created).toMatchObject({ topicName: 'T1', readQueueNums: 3, writeQueueNums: 3, perm: 6, topicFilterType: 'SINGLE_TAG' })
    expect(m.dataVersion.counter).toBe(before + 1)
    expect(changes).toBe(1)
    expect(m.createTopicInSendMessageMethod('T1', 'TBW102', '1.2.3.4:5', 4, 0)).toBe(created)
    expect(changes).toBe(1)
    expect(m.createTopicInSendMessageMethod('T2', 'SELF_TEST_TOPIC', '1.2.3.4:5', 4, 0)).toBeUndefined()
    expect(m.createTopicInSendMessageMethod('T3', 'NOPE', '1.2.3.4:5', 4, 0)).toBeUndefined()
    await m.persist() // let the background write finish before the dir is removed
  })

  it('persists topics.json atomically with a .bak and loads it back (falling back to .bak)', async () => {
    const { m, dir } = await manager()
    m.createTopicInSendMessageBackMethod('%RETRY%G', 1, 6, 0)
    await m.persist()
    m.updateTopicConfig({ topicName: 'Admin', readQueueNums: 2, writeQueueNums: 2, perm: 6, topicFilterType: 'SINGLE_TAG', topicSysFlag: 0, order: false })
    await m.persist()
    const file = join(dir, 'config', 'topics.json')
    const saved = JSON.parse(await readFile(file, 'utf8'))
    expect(saved.topicConfigTable.Admin).toMatchObject({ readQueueNums: 2, perm: 6 })
    expect(saved.dataVersion.counter).toBe(m.dataVersion.counter)
    const backup = JSON.parse(await readFile(`${file}.bak`, 'utf8'))
    expect(backup.topicConfigTable['%RETRY%G']).toBeDefined()

    const config = resolveBrokerConfig({ brokerName: 'broker-a', brokerIP1: '127.0.0.1', storePathRootDir: dir })
    const reloaded = new TopicConfigManager({ config, configDir: join(dir, 'config'), logger: noopLogger })
    await reloaded.load()
    expect(reloaded.selectTopicConfig('Admin')).toMatchObject({ readQueueNums: 2 })
    expect(reloaded.dataVersion.counter).toBe(m.dataVersion.counter)

    await writeFile(file, '{ not json')
    const fromBak = new TopicConfigManager({ config, configDir: join(dir, 'config'), logger: noopLogger })
    await fromBak.load()
    expect(fromBak.selectTopicConfig('%RETRY%G')).toBeDefined()
  })

  it('reads a Java topics.json and drops a stale TBW102 when auto-create is off', async () => {
    const dir = await tempDir()
    dirs.push(dir)
    await mkdir(join(dir, 'config'))
    await writeFile(join(dir, 'config', 'topics.json'), '{"dataVersion":{"counter":5,"timestamp":1},"topicConfigTable":{"TBW102":{"order":false,"perm":7,"readQueueNums":8,"topicFilterType":"SINGLE_TAG","topicName":"TBW102","topicSysFlag":0,"writeQueueNums":8},"X":{"perm":6,"readQueueNums":4,"topicName":"X","writeQueueNums":4}}}')
    const config = resolveBrokerConfig({ brokerName: 'b', brokerIP1: '127.0.0.1', storePathRootDir: dir, autoCreateTopicEnable: false })
    const m = new TopicConfigManager({ config, configDir: join(dir, 'config'), logger: noopLogger })
    await m.load()
    expect(m.selectTopicConfig('TBW102')).toBeUndefined()
    expect(m.selectTopicConfig('X')).toMatchObject({ readQueueNums: 4, topicFilterType: 'SINGLE_TAG', order: false })
    expect(m.dataVersion.counter).toBe(5)
    expect(m.deleteTopicConfig('X')).toBe(true)
    expect(m.deleteTopicConfig('X')).toBe(false)
    await m.persist()
  })
})
