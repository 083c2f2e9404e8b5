/**
 * ProducerManager: producer group → live channels, from HEART_BEAT `producerDataSet` (needed later for transaction
 * check-back and GET_PRODUCER_CONNECTION_LIST). Sends never require a heartbeat (§7.0).
 * Source: RocketMQ 4.9 `broker/client/ProducerManager.java`.
 */
import type { Logger, RemotingChannel } from '@cometmq/protocol'
import type { ClientChannelInfo } from './client-channel-info.js'

export class ProducerManager {
  private readonly groups = new Map<string, Map<string, ClientChannelInfo>>()

  constructor(private readonly logger: Logger) {}

  registerProducer(group: string, info: ClientChannelInfo): void {
    let channels = this.groups.get(group)
    if (channels === undefined) {
      channels = new Map()
      this.groups.set(group, channels)
    }
    const existing = channels.get(info.channel.id)
    if (existing === undefined) {
      channels.set(info.channel.id, info)
      this.logger.debug('new producer connected', { group, clientId: info.clientId, remoteAddr: info.channel.remoteAddress })
    } else {
      existing.lastUpdateTimestamp = info.lastUpdateTimestamp
    }
  }

  unregisterProducer(group: string, channel: RemotingChannel): void {
    const channels = this.groups.get(group)
    if (channels?.delete(channel.id) && channels.size === 0) this.groups.delete(group)
  }

  doChannelCloseEvent(channel: RemotingChannel): void {
    for (const [group, channels] of [...this.groups]) {
      if (channels.delete(channel.id) && channels.size === 0) this.groups.delete(group)
    }
  }

  /** Drops (and closes) producer channels silent for more than `expiredMs`. */
  scanNotActiveChannel(expiredMs: number, now = Date.now()): void {
    for (const [group, channels] of [...this.groups]) {
      for (const [id, info] of channels) {
        if (now - info.lastUpdateTimestamp > expiredMs) {
          this.logger.warn('producer channel expired, closing', { group, clientId: info.clientId, remoteAddr: info.channel.remoteAddress })
          channels.delete(id)
          info.channel.close()
        }
      }
      if (channels.size === 0) this.groups.delete(group)
    }
  }

  /** Live channels of a producer group (empty when none). */
  getChannels(group: string): ClientChannelInfo[] {
    return [...(this.groups.get(group)?.values() ?? [])]
  }
}
