import { describe, expect, it } from 'vitest'
import { brokerConfigSchema } from './broker-config-schema.js'
import { BrokerConfigError, didYouMean, parseBrokerConfig, resolveBrokerConfig } from './parse-broker-config.js'

const SAMPLE = `
# RocketMQ 4.9 conf/broker.conf
brokerClusterName = DefaultCluster
brokerName = broker-a
brokerId = 0
deleteWhen = 04
fileReservedTime = 48
brokerRole = ASYNC_MASTER
flushDiskType = ASYNC_FLUSH
namesrvAddr=127.0.0.1:9876;127.0.0.2:9876
listenPort: 10911
storePathRootDir=/tmp/cometmq-store
`

describe('parseBrokerConfig', () => {
  it('reads a stock RocketMQ broker.conf without warnings', () => {
    const { config, warnings } = parseBrokerConfig(SAMPLE)
    expect(warnings).toEqual([])
    expect(config.brokerName).toBe('broker-a')
    expect(config.fileReservedTime).toBe(48)
    expect(config.listenPort).toBe(10911)
    expect(config.namesrvAddr).toBe('127.0.0.1:9876;127.0.0.2:9876')
    expect(config.haListenPort).toBe(10912)
    expect(config.storePathCommitLog).toBe('/tmp/cometmq-store/commitlog')
    expect(Object.isFrozen(config)).toBe(true)
  })

  it('reads the retention, disk and index keys with RocketMQ defaults, and memoryStoreMaxBytes', () => {
    const defaults = parseBrokerConfig('').config
    expect(defaults).toMatchObject({
      fileReservedTime: 72, deleteWhen: '04', diskMaxUsedSpaceRatio: 75, diskSpaceWarningLevelRatio: 90, cleanFileForciblyEnable: true,
      cleanResourceInterval: 10000, messageIndexEnable: true, maxHashSlotNum: 5000000, maxIndexNum: 20000000, defaultQueryMaxNum: 32,
      memoryStoreMaxBytes: 268435456,
    })
    for (const key of ['fileReservedTime', 'deleteWhen', 'diskMaxUsedSpaceRatio', 'cleanFileForciblyEnable', 'messageIndexEnable', 'maxHashSlotNum', 'maxIndexNum', 'defaultQueryMaxNum'] as const) {
      expect(brokerConfigSchema[key].ignored, key).toBeUndefined()
    }
    const { config, warnings } = parseBrokerConfig('deleteWhen=01;04\ndiskSpaceWarningLevelRatio=85\ncleanResourceInterval=500\nmemoryStoreMaxBytes=1048576\nmessageIndexEnable=false')
    expect(warnings).toEqual([])
    expect(config).toMatchObject({ deleteWhen: '01;04', diskSpaceWarningLevelRatio: 85, cleanResourceInterval: 500, memoryStoreMaxBytes: 1048576, messageIndexEnable: false })
    for (const bad of ['deleteWhen=25', 'deleteWhen=4am', 'deleteWhen=01;']) {
      expect(() => parseBrokerConfig(bad), bad).toThrow(BrokerConfigError)
      expect(() => parseBrokerConfig(bad), bad).toThrow(/deleteWhen/)
    }
    expect(() => parseBrokerConfig('diskSpaceWarningLevelRatio=101')).toThrow(/diskSpaceWarningLevelRatio/)
    expect(() => parseBrokerConfig('memoryStoreMaxBytes=100')).toThrow(/memoryStoreMaxBytes/)
  })

  it('applies RocketMQ defaults for missing keys', () => {
    const { config } = parseBrokerConfig('')
    expect(config.brokerClusterName).toBe('DefaultCluster')
    expect(config.brokerId).toBe(0)
    expect(config.listenPort).toBe(10911)
    expect(config.namesrvAddr).toBeUndefined()
    expect(config.flushDiskType).toBe('ASYNC_FLUSH')
    expect(config.brokerRole).toBe('ASYNC_MASTER')
    expect(config.autoCreateTopicEnable).toBe(true)
    expect(config.defaultTopicQueueNums).toBe(8)
    expect(config.maxMessageSize).toBe(4194304)
    expect(config.deleteWhen).toBe('04')
    expect(config.fileReservedTime).toBe(72)
    expect(config.registerNameServerPeriod).toBe(30000)
    expect(config.flushConsumerOffsetInterval).toBe(5000)
    expect(config.storeType).toBe('default')
    expect(config.storePathRootDir.endsWith('store')).toBe(true)
    expect(config.brokerIP1).toMatch(/^\d+\.\d+\.\d+\.\d+$/)
    expect(config.brokerIP2).toBe(config.brokerIP1)
    expect(config.brokerName.length).toBeGreaterThan(0)
  })

  it('warns about an unknown key with a did-you-mean suggestion', () => {
    const { warnings } = parseBrokerConfig('autoCreateTopicEnabel=false\nsomethingElse=1')
    expect(warnings[0]).toContain('"autoCreateTopicEnabel"')
    expect(warnings[0]).toContain('did you mean "autoCreateTopicEnable"')
    expect(warnings[1]).toContain('"somethingElse"')
    expect(warnings[1]).not.toContain('did you mean')
  })

  it('throws BrokerConfigError naming the key on a bad value', () => {
    expect(() => parseBrokerConfig('listenPort=abc')).toThrow(BrokerConfigError)
    try {
      parseBrokerConfig('autoCreateTopicEnable=yes')
      expect.unreachable()
    } catch (error) {
      expect((error as BrokerConfigError).key).toBe('autoCreateTopicEnable')
      expect((error as BrokerConfigError).code).toBe('BAD_CONFIG')
    }
    expect(() => parseBrokerConfig('brokerRole=MASTER')).toThrow(/brokerRole/)
    expect(() => parseBrokerConfig('listenPort=70000')).toThrow(/listenPort.*out of range/)
  })

  it('accepts the old mapedFileSizeCommitLog / mapedFileSizeConsumeQueue spellings', () => {
    const { config, warnings } = parseBrokerConfig('mapedFileSizeCommitLog=1048576\nmapedFileSizeConsumeQueue=300000')
    expect(warnings).toEqual([])
    expect(config.mappedFileSizeCommitLog).toBe(1048576)
    expect(config.mappedFileSizeConsumeQueue).toBe(300000)
  })

  it('forces brokerId 0 on a master and rejects a slave without an id', () => {
    const { config, warnings } = parseBrokerConfig('brokerId=3\nbrokerRole=SYNC_MASTER')
    expect(config.brokerId).toBe(0)
    expect(warnings.join()).toContain('forced to 0')
    expect(() => parseBrokerConfig('brokerRole=SLAVE')).toThrow(/brokerId/)
    expect(parseBrokerConfig('brokerRole=SLAVE\nbrokerId=1').config.brokerId).toBe(1)
  })

  it('lets overrides win over the file, trims values and clamps registerNameServerPeriod', () => {
    const { config, warnings } = parseBrokerConfig('listenPort=10911\nregisterNameServerPeriod=1000\ntraceOn = false  ', { listenPort: '20911' })
    expect(config.listenPort).toBe(20911)
    expect(config.haListenPort).toBe(20912)
    expect(config.traceOn).toBe(false)
    expect(config.registerNameServerPeriod).toBe(10000)
    expect(warnings.join()).toContain('registerNameServerPeriod')
  })

  it('resolveBrokerConfig validates typed values and is idempotent', () => {
    const once = resolveBrokerConfig({ listenPort: 0, brokerIP1: '10.0.0.1', storePathRootDir: '~/x' })
    expect(once.haListenPort).toBe(0)
    expect(once.storePathRootDir.endsWith('/x')).toBe(true)
    expect(resolveBrokerConfig(once)).toEqual(once)
    expect(() => resolveBrokerConfig({ listenPort: 'x' as unknown as number })).toThrow(/listenPort/)
    expect(() => resolveBrokerConfig({ storeType: 'rocksdb' as 'memory' })).toThrow(/storeType/)
  })

  it('documents every key with type, doc and source', () => {
    for (const [key, spec] of Object.entries(brokerConfigSchema)) {
      expect(spec.doc.length, key).toBeGreaterThan(0)
      expect(['BrokerConfig', 'MessageStoreConfig', 'NettyServerConfig', 'NettyClientConfig', 'CometMQ']).toContain(spec.source)
    }
    expect(didYouMean('listenport')).toBe('listenPort')
    expect(didYouMean('mapedFileSizeCommitlog')).toBe('mappedFileSizeCommitLog')
  })
})
