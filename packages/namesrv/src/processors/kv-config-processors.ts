import { ResponseCode, createResponse } from '@cometmq/protocol'
import type { RemotingCommand } from '@cometmq/protocol'
import { jsonBody } from './namesrv-context.js'
import type { NamesrvContext } from './namesrv-context.js'
import { GetKVListByNamespaceRequestHeader, KVConfigKeyRequestHeader, PutKVConfigRequestHeader } from './namesrv-headers.js'

/** PUT_KV_CONFIG (100): header namespace, key, value (all required); SUCCESS. Source: RocketMQ `DefaultRequestProcessor.putKVConfig`. */
export function putKVConfig(context: NamesrvContext, request: RemotingCommand): RemotingCommand {
  const { namespace, key, value } = PutKVConfigRequestHeader.decode(request.extFields)
  context.kvConfigManager.putKVConfig(namespace, key, value)
  return createResponse(request, ResponseCode.SUCCESS, null)
}

/**
 * GET_KV_CONFIG (101): header namespace, key. SUCCESS with extFields `value`, or QUERY_NOT_FOUND (22) with remark
 * `No config item, Namespace: <ns> Key: <key>`.
 */
export function getKVConfig(context: NamesrvContext, request: RemotingCommand): RemotingCommand {
  const { namespace, key } = KVConfigKeyRequestHeader.decode(request.extFields)
  const value = context.kvConfigManager.getKVConfig(namespace, key)
  if (value === null) return createResponse(request, ResponseCode.QUERY_NOT_FOUND, `No config item, Namespace: ${namespace} Key: ${key}`)
  return createResponse(request, ResponseCode.SUCCESS, null, { value })
}

/** DELETE_KV_CONFIG (102): header namespace, key; SUCCESS (also when absent). */
export function deleteKVConfig(context: NamesrvContext, request: RemotingCommand): RemotingCommand {
  const { namespace, key } = KVConfigKeyRequestHeader.decode(request.extFields)
  context.kvConfigManager.deleteKVConfig(namespace, key)
  return createResponse(request, ResponseCode.SUCCESS, null)
}

/**
 * GET_KVLIST_BY_NAMESPACE (219): header namespace. SUCCESS with body KVTable `{"table":{...}}`, or QUERY_NOT_FOUND
 * with remark `No config item, Namespace: <ns>`.
 */
export function getKVListByNamespace(context: NamesrvContext, request: RemotingCommand): RemotingCommand {
  const { namespace } = GetKVListByNamespaceRequestHeader.decode(request.extFields)
  const table = context.kvConfigManager.getKVListByNamespace(namespace)
  if (table === null) return createResponse(request, ResponseCode.QUERY_NOT_FOUND, `No config item, Namespace: ${namespace}`)
  return createResponse(request, ResponseCode.SUCCESS, null, undefined, jsonBody({ table }))
}
