import { readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { RemotingClient, RequestCode, ResponseCode, createRequest, parseJsonLenient } from '@cometmq/protocol'
import type { RemotingCommand } from '@cometmq/protocol'
import { deferred, heartbeatBody, pull, send, startBroker, tempDir } from '../__fixtures__/harness.js'
import type { TestBroker } from '../__fixtures__/harness.js'

let t: TestBroker | undefined
const cleanup: Array<() => Promise<void>> = []
afterEach(async () => {
  await t?.stop()
  t = undefined
  for (const task of cleanup.splice(0)) await task()
})

describe('ConsumerManageProcessor / ClientManageProcessor', () => {
  it('QUERY_CONSUMER_OFFSET: 0 while min offset is 0, committed value after UPDATE_CONSUMER_OFFSET, negative ignored', async () => {
    t = await startBroker()
    const query = () => t!.invoke(RequestCode.QUERY_CONSUMER_OFFSET, { consumerGroup: 'G', topic: 'T', queueId: 0 })
    const fresh = await query()
    expect(fresh.code).toBe(ResponseCode.SUCCESS)
    expect(fresh.extFields.offset).toBe('0')
    const updated = await t.invoke(RequestCode.UPDATE_CONSUMER_OFFSET, { consumerGroup: 'G', topic: 'T', queueId: 0, commitOffset: 42 })
    expect(updated.code).toBe(ResponseCode.SUCCESS)
    await t.invoke(RequestCode.UPDATE_CONSUMER_OFFSET, { consumerGroup: 'G', topic: 'T', queueId: 0, commitOffset: -1 })
    expect((await query()).extFields.offset).toBe('42')
    const notFound = await t.invoke(RequestCode.QUERY_CONSUMER_OFFSET, { consumerGroup: 'G', topic: 'T', queueId: 1, setZeroIfNotFound: false })
    expect(notFound.code).toBe(ResponseCode.QUERY_NOT_FOUND)
  })

  it('persists consumer offsets and messages across a restart (FileMessageStore)', async () => {
    const dir = await tempDir()
    cleanup.push(() => rm(dir, { recursive: true, force: true }))
    t = await startBroker({ store: 'file', dir })
    await send(t, 'Durable', 'kept')
    await t.invoke(RequestCode.UPDATE_CONSUMER_OFFSET, { consumerGroup: 'G', topic: 'Durable', queueId: 0, commitOffset: 1 })
    // oneway commit (Java push consumers)
    await t.client.invokeOneway(t.addr, createRequest(RequestCode.UPDATE_CONSUMER_OFFSET, { consumerGroup: 'G', topic: 'Durable', queueId: 1, commitOffset: 5 }))
    await t.invoke(RequestCode.GET_MAX_OFFSET, { topic: 'Durable', queueId: 0 }) // same connection: the oneway was processed first
    await t.stop()
    const saved = parseJsonLenient(await readFile(join(dir, 'config', 'consumerOffset.json'), 'utf8'))
    expect(saved).toEqual({ offsetTable: { 'Durable@G': { 0: 1, 1: 5 } } })

    t = await startBroker({ store: 'file', dir })
    const offset = await t.invoke(RequestCode.QUERY_CONSUMER_OFFSET, { consumerGroup: 'G', topic: 'Durable', queueId: 1 })
    expect(offset.extFields.offset).toBe('5')
    expect(t.broker.topicConfigManager.selectTopicConfig('Durable')).toBeDefined()
    const pulled = await pull(t, 'G', 'Durable', 0, 0)
    expect(pulled.code).toBe(ResponseCode.SUCCESS)
    expect(pulled.body!.includes(Buffer.from('kept'))).toBe(true)
  })

  it('HEART_BEAT creates %RETRY%<group> and the group; GET_CONSUMER_LIST_BY_GROUP lists clients; UNREGISTER_CLIENT removes', async () => {
    t = await startBroker()
    const empty = await t.invoke(RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: 'CG' })
    expect(empty.code).toBe(ResponseCode.SYSTEM_ERROR)
    expect(empty.remark).toBe('no consumer for this group, CG')
    await t.invoke(RequestCode.HEART_BEAT, {}, heartbeatBody('10.0.0.1@1', 'CG', [{ topic: 'T' }]))
    expect(t.broker.topicConfigManager.selectTopicConfig('%RETRY%CG')).toMatchObject({ readQueueNums: 1, writeQueueNums: 1, perm: 6 })
    const list = await t.invoke(RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: 'CG' })
    expect(list.code).toBe(ResponseCode.SUCCESS)
    expect(JSON.parse(list.body!.toString())).toEqual({ consumerIdList: ['10.0.0.1@1'] })
    const bad = await t.invoke(RequestCode.HEART_BEAT, {}, Buffer.from('nope'))
    expect(bad.code).toBe(ResponseCode.SYSTEM_ERROR)
    const unregister = await t.invoke(RequestCode.UNREGISTER_CLIENT, { clientID: '10.0.0.1@1', consumerGroup: 'CG', producerGroup: 'CLIENT_INNER_PRODUCER' })
    expect(unregister.code).toBe(ResponseCode.SUCCESS)
    expect((await t.invoke(RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: 'CG' })).code).toBe(ResponseCode.SYSTEM_ERROR)
  })

  it('sends NOTIFY_CONSUMER_IDS_CHANGED to the remaining consumer when another one disconnects', async () => {
    const notices: RemotingCommand[] = []
    let waiter: ((cmd: RemotingCommand) => void) | undefined
    t = await startBroker({
      onRequest: (request) => {
        notices.push(request)
        waiter?.(request)
        return null
      },
    })
    const nextNotice = () => {
      const d = deferred<RemotingCommand>(5000, 'NOTIFY_CONSUMER_IDS_CHANGED')
      waiter = d.resolve
      return d.promise
    }
    await t.invoke(RequestCode.HEART_BEAT, {}, heartbeatBody('A@1', 'NG', [{ topic: 'T' }]))
    const other = new RemotingClient()
    cleanup.push(() => other.close())
    const joined = nextNotice()
    await other.invoke(t.addr, createRequest(RequestCode.HEART_BEAT, {}, heartbeatBody('B@2', 'NG', [{ topic: 'T' }])), { timeoutMs: 5000 })
    const onJoin = await joined
    expect(onJoin).toMatchObject({ code: RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, flag: 2, extFields: { consumerGroup: 'NG' } })
    const bothIds = JSON.parse((await t.invoke(RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: 'NG' })).body!.toString()).consumerIdList
    expect(bothIds.sort()).toEqual(['A@1', 'B@2'])

    const left = nextNotice()
    await other.close()
    const onLeave = await left
    expect(onLeave.extFields.consumerGroup).toBe('NG')
    const ids = JSON.parse((await t.invoke(RequestCode.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: 'NG' })).body!.toString()).consumerIdList
    expect(ids).toEqual(['A@1'])
  })
})
