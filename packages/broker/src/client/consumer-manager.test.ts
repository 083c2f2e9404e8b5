import { describe, expect, it } from 'vitest'
import { RequestCode, createRequest, noopLogger } from '@cometmq/protocol'
import type { RemotingChannel, RemotingCommand, SubscriptionData } from '@cometmq/protocol'
import { MemoryMessageStore } from '@cometmq/store'
import { PullRequestHoldService } from '../longpolling/pull-request-hold-service.js'
import type { PullRequest } from '../longpolling/pull-request-hold-service.js'
import { buildTagsCodeFilter } from './client-channel-info.js'
import { ConsumerManager } from './consumer-manager.js'

class FakeChannel implements RemotingChannel {
  static next = 0
  readonly id = `fake#${FakeChannel.next++}`
  readonly remoteAddress = '10.0.0.1:1234'
  closed = false
  readonly oneway: RemotingCommand[] = []
  send(): void {}
  invoke(): Promise<RemotingCommand> {
    return Promise.reject(new Error('not used'))
  }
  invokeOneway(request: RemotingCommand): void {
    this.oneway.push(request)
  }
  close(): void {
    this.closed = true
  }
  onClose(): void {}
}

const sub = (topic: string, subVersion = 1, subString = '*'): SubscriptionData => ({ topic, subString, tagsSet: [], codeSet: [], subVersion })
const registration = (subscriptions: SubscriptionData[]) => ({ consumeType: 'CONSUME_PASSIVELY', messageModel: 'CLUSTERING', consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET', subscriptions })
const info = (channel: RemotingChannel, clientId: string, lastUpdateTimestamp = Date.now()) => ({ channel, clientId, language: 'JAVA', version: 401, lastUpdateTimestamp })

describe('ConsumerManager', () => {
  it('notifies the group on membership and subscription-topic changes, not on plain re-heartbeats', () => {
    const manager = new ConsumerManager({ logger: noopLogger, isNotifyEnabled: () => true })
    const a = new FakeChannel()
    const b = new FakeChannel()
    expect(manager.registerConsumer('G', info(a, 'A'), registration([sub('T')]))).toBe(true)
    expect(manager.registerConsumer('G', info(a, 'A'), registration([sub('T', 2)]))).toBe(false)
    expect(manager.getConsumerGroupInfo('G')!.findSubscription('T')!.data.subVersion).toBe(2)
    expect(manager.registerConsumer('G', info(b, 'B'), registration([sub('T')]))).toBe(true)
    expect(a.oneway.map((r) => r.extFields.consumerGroup)).toEqual(['G', 'G'])
    expect(manager.registerConsumer('G', info(b, 'B'), registration([sub('T'), sub('U')]))).toBe(true)
    expect(manager.queryTopicConsumeByWho('U')).toEqual(['G'])
    manager.doChannelCloseEvent(b)
    expect(a.oneway).toHaveLength(4)
    expect(a.oneway[3]!.code).toBe(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED)
    expect(manager.getConsumerGroupInfo('G')!.getAllClientId()).toEqual(['A'])
    manager.unregisterConsumer('G', a)
    expect(manager.getConsumerGroupInfo('G')).toBeUndefined()
  })

  it('removes and closes channels idle longer than channelExpiredTimeout', () => {
    const manager = new ConsumerManager({ logger: noopLogger, isNotifyEnabled: () => false })
    const old = new FakeChannel()
    const fresh = new FakeChannel()
    const now = Date.now()
    manager.registerConsumer('G', info(old, 'old', now - 130_000), registration([sub('T')]))
    manager.registerConsumer('G', info(fresh, 'fresh', now), registration([sub('T')]))
    manager.scanNotActiveChannel(120_000, now)
    expect(old.closed).toBe(true)
    expect(fresh.closed).toBe(false)
    expect(manager.getConsumerGroupInfo('G')!.getAllClientId()).toEqual(['fresh'])
    expect(fresh.oneway).toEqual([])
  })

  it('builds tag filters from codeSet, tagsSet or the expression', () => {
    expect(buildTagsCodeFilter({ subString: '*' })).toBeUndefined()
    expect(buildTagsCodeFilter({ subString: '' })).toBeUndefined()
    const fromText = buildTagsCodeFilter({ subString: 'TagA || TagB' })!
    expect(fromText(2598919)).toBe(true)
    expect(fromText(0)).toBe(false)
    expect(buildTagsCodeFilter({ subString: 'x', codeSet: [2598919] })!(2598919)).toBe(true)
  })
})

describe('PullRequestHoldService', () => {
  it('wakes on a matching arrival, ignores other queues and non-matching tags, and drops closed channels', async () => {
    const store = new MemoryMessageStore()
    await store.open()
    const woken: PullRequest[] = []
    const service = new PullRequestHoldService({ store, logger: noopLogger, wakeUp: (pull) => woken.push(pull) })
    const channel = new FakeChannel()
    const park = (offset: number, filter?: (code: number) => boolean): PullRequest => {
      const pull: PullRequest = { request: createRequest(RequestCode.PULL_MESSAGE), channel, topic: 'T', queueId: 0, pullFromThisOffset: offset, filter, suspendTimestamp: Date.now(), timeoutMillis: 60_000 }
      service.suspendPullRequest(pull)
      return pull
    }
    const any = park(0)
    const tagged = park(0, (code) => code === 7)
    const later = park(5)
    service.notifyMessageArriving({ topic: 'T', queueId: 1, queueOffset: 0, tagsCode: 7, storeTimestamp: 0 })
    expect(woken).toEqual([])
    service.notifyMessageArriving({ topic: 'T', queueId: 0, queueOffset: 0, tagsCode: 3, storeTimestamp: 0 })
    expect(woken).toEqual([any])
    service.notifyMessageArriving({ topic: 'T', queueId: 0, queueOffset: 1, tagsCode: 7, storeTimestamp: 0 })
    expect(woken).toEqual([any, tagged])
    expect(service.size).toBe(1)
    service.onChannelClosed(channel)
    expect(service.size).toBe(0)
    service.notifyMessageArriving({ topic: 'T', queueId: 0, queueOffset: 9, tagsCode: 7, storeTimestamp: 0 })
    expect(woken).not.toContain(later)
    service.shutdown()
    await store.close()
  })
})
