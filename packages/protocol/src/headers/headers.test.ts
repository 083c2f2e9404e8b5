import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parseJsonLenient } from '../json.js'
import { decodeCommand } from '../remoting-command.js'
import { CreateTopicRequestHeader, QueryMessageRequestHeader } from './admin-headers.js'
import type { TopicRouteData, HeartbeatData, RegisterBrokerBody } from './bodies.js'
import {
  PullMessageRequestHeader,
  PullMessageResponseHeader,
  QueryConsumerOffsetRequestHeader,
  UnregisterClientRequestHeader,
  UpdateConsumerOffsetRequestHeader,
} from './consumer-headers.js'
import { RegisterBrokerRequestHeader, UnregisterBrokerRequestHeader } from './namesrv-headers.js'
import {
  SendMessageRequestHeader,
  SendMessageRequestHeaderV2,
  SendMessageResponseHeader,
  toSendMessageRequestHeader,
  toSendMessageRequestHeaderV2,
} from './send-message-headers.js'

const FIXTURES = fileURLToPath(new URL('../../../../../shared/fixtures/remoting/', import.meta.url))
const frame = (file: string) => decodeCommand(readFileSync(`${FIXTURES}${file}`).subarray(4))

describe('typed headers against captured frames', () => {
  it('REGISTER_BROKER request header and RegisterBrokerBody', () => {
    const cmd = frame('bin-json/103-REGISTER_BROKER.req.bin')
    expect(RegisterBrokerRequestHeader.decode(cmd.extFields)).toEqual({
      brokerName: 'broker-a',
      brokerAddr: '127.0.0.1:10911',
      clusterName: 'DefaultCluster',
      haServerAddr: '127.0.0.1:10912',
      brokerId: 0,
      compressed: false,
      bodyCrc32: 2085461082,
    })
    const body = parseJsonLenient(cmd.body?.toString() ?? '') as RegisterBrokerBody
    expect(body.topicConfigSerializeWrapper.topicConfigTable.TBW102?.perm).toBe(7)
  })

  it('UNREGISTER_BROKER, UNREGISTER_CLIENT, QUERY/UPDATE_CONSUMER_OFFSET', () => {
    expect(UnregisterBrokerRequestHeader.decode(frame('bin-json/104-UNREGISTER_BROKER.req.bin').extFields).brokerId).toBe(0)
    expect(UnregisterClientRequestHeader.decode(frame('bin-json/35-UNREGISTER_CLIENT.req.bin').extFields)).toEqual({
      clientID: '192.0.2.2@21816#562053289861',
      producerGroup: 'please_rename_unique_group_name',
    })
    expect(QueryConsumerOffsetRequestHeader.decode(frame('bin-json/14-QUERY_CONSUMER_OFFSET.req.bin').extFields).queueId).toBe(3)
    expect(UpdateConsumerOffsetRequestHeader.decode(frame('bin-rocketmq/15-UPDATE_CONSUMER_OFFSET.req-oneway.bin').extFields).commitOffset).toBe(250)
  })

  it('PULL_MESSAGE request and response headers', () => {
    expect(PullMessageRequestHeader.decode(frame('bin-json/11-PULL_MESSAGE.req.bin').extFields)).toEqual({
      consumerGroup: 'please_rename_unique_group_name_4',
      topic: 'TopicTest',
      queueId: 3,
      queueOffset: 0,
      maxMsgNums: 32,
      sysFlag: 2,
      commitOffset: 0,
      suspendTimeoutMillis: 15000,
      subVersion: 1795237422722,
      expressionType: 'TAG',
    })
    expect(PullMessageResponseHeader.decode(frame('bin-json/11-PULL_MESSAGE.resp-0-SUCCESS.bin').extFields)).toEqual({
      suggestWhichBrokerId: 0,
      nextBeginOffset: 32,
      minOffset: 0,
      maxOffset: 250,
    })
  })

  it('SEND_MESSAGE_V2 request converts to long names and back', () => {
    const v2 = SendMessageRequestHeaderV2.decode(frame('bin-rocketmq/310-SEND_MESSAGE_V2.req.bin').extFields)
    const v1 = toSendMessageRequestHeader(v2)
    expect(v1).toMatchObject({ producerGroup: 'please_rename_unique_group_name', topic: 'TopicTest', defaultTopic: 'TBW102', defaultTopicQueueNums: 4, queueId: 0, sysFlag: 0, bornTimestamp: 1795237490161, flag: 0, reconsumeTimes: 0, unitMode: false, batch: false })
    expect(v1.properties).toContain('TAGS\u0001TagA')
    expect(toSendMessageRequestHeaderV2(v1)).toEqual(v2)
    expect(SendMessageRequestHeader.decode(SendMessageRequestHeader.encode(v1))).toEqual(v1)
    const response = SendMessageResponseHeader.decode(frame('bin-json/310-SEND_MESSAGE_V2.resp-0-SUCCESS.bin').extFields)
    expect(response).toEqual({ msgId: '7F00000100002A9F0000000000000000', queueId: 0, queueOffset: 0, MSG_REGION: 'DefaultRegion', TRACE_ON: 'true' })
  })

  it('route and heartbeat bodies parse into their interfaces', () => {
    const route = parseJsonLenient(frame('bin-json/105-GET_ROUTEINFO_BY_TOPIC.resp-0-SUCCESS.bin').body?.toString() ?? '') as TopicRouteData
    expect(route.brokerDatas[0]?.brokerAddrs['0']).toBe('127.0.0.1:10911')
    expect(route.queueDatas[0]?.brokerName).toBe('broker-a')
    const heartbeat = parseJsonLenient(frame('bin-json/34-HEART_BEAT.req.bin').body?.toString() ?? '') as HeartbeatData
    expect(typeof heartbeat.clientID).toBe('string')
    expect(Array.isArray(heartbeat.producerDataSet)).toBe(true)
  })

  it('ali-ons style numeric/boolean extFields decode through the JSON codec', () => {
    const header = CreateTopicRequestHeader.decode({ topic: 'T', defaultTopic: 'TBW102', readQueueNums: '4', writeQueueNums: '4', perm: '6', topicFilterType: 'SINGLE_TAG', order: 'false' })
    expect(header).toMatchObject({ readQueueNums: 4, perm: 6, order: false })
    expect(() => QueryMessageRequestHeader.decode({ topic: 'T', key: 'k', maxNum: '32', beginTimestamp: '0' })).toThrow('the custom field endTimestamp is null')
  })
})
