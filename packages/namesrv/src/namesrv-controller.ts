import { RemotingServer, noopLogger } from '@cometmq/protocol'
import type { Logger } from '@cometmq/protocol'
import { defaultNamesrvSettings } from './config/namesrv-config.js'
import type { NamesrvConfig, NamesrvSettings } from './config/namesrv-config.js'
import { KvConfigManager } from './kv-config-manager.js'
import { NamesrvEvents } from './namesrv-events.js'
import type { NamesrvEventListener } from './namesrv-events.js'
import type { NamesrvContext } from './processors/namesrv-context.js'
import { registerNamesrvProcessors } from './processors/register-processors.js'
import { RouteInfoManager } from './route-info-manager.js'

/**
 * The name server: a RemotingServer answering the namesrv request codes (see README) over a {@link RouteInfoManager},
 * plus the liveness scan. Source: RocketMQ `NamesrvController`.
 *
 * Lifecycle: `start()` listens (on `listenPort`, 9876 by default; 0 = any) and starts the scan every
 * `scanNotActiveBrokerInterval` ms (unref'd timer); `shutdown()` stops the scan and closes the server and every
 * connection. A broker whose registering connection closes is removed at once.
 */
export class NamesrvController {
  /** Effective settings (defaults filled in). */
  readonly settings: Readonly<NamesrvSettings>
  readonly routeInfoManager: RouteInfoManager
  readonly kvConfigManager = new KvConfigManager()
  readonly #events = new NamesrvEvents()
  readonly #logger: Logger
  #server: RemotingServer | null = null
  #port: number | null = null
  #scanTimer: NodeJS.Timeout | null = null
  #state: 'created' | 'starting' | 'running' | 'stopped' = 'created'

  constructor(config: NamesrvConfig = {}) {
    const { logger, ...rest } = config
    const settings: NamesrvSettings = { ...defaultNamesrvSettings() }
    for (const [key, value] of Object.entries(rest)) {
      if (value !== undefined) (settings as unknown as Record<string, unknown>)[key] = value
    }
    this.settings = Object.freeze(settings)
    this.#logger = (logger ?? noopLogger).child('namesrv')
    this.routeInfoManager = new RouteInfoManager({
      brokerChannelExpiredTime: settings.brokerChannelExpiredTime,
      logger: this.#logger,
      events: this.#events,
    })
  }

  /**
   * Binds the port and starts the liveness scan.
   * @throws Error when called twice, or when the port cannot be bound (e.g. EADDRINUSE; the server is cleaned up).
   */
  async start(): Promise<void> {
    if (this.#state !== 'created') throw new Error(`NamesrvController cannot start: it is ${this.#state}`)
    this.#state = 'starting'
    const server = new RemotingServer({
      host: this.settings.host,
      port: this.settings.listenPort,
      idleTimeoutMs: this.settings.serverChannelMaxIdleTimeSeconds * 1000,
      logger: this.#logger,
    })
    const context: NamesrvContext = {
      routeInfoManager: this.routeInfoManager,
      kvConfigManager: this.kvConfigManager,
      orderMessageEnable: this.settings.orderMessageEnable,
      returnOrderTopicConfigToBroker: this.settings.returnOrderTopicConfigToBroker,
      logger: this.#logger,
    }
    registerNamesrvProcessors(server, context)
    server.onChannelClosed((channel) => {
      this.routeInfoManager.onChannelClosed(channel)
    })
    try {
      await server.listen()
    } catch (error) {
      this.#state = 'stopped'
      await server.close().catch(() => {})
      throw error
    }
    this.#server = server
    this.#port = server.port
    this.#scanTimer = setInterval(() => this.scanNotActiveBroker(), this.settings.scanNotActiveBrokerInterval)
    this.#scanTimer.unref()
    this.#state = 'running'
    this.#logger.info('name server started', { port: server.port, host: this.settings.host })
  }

  /** Stops the scan and closes the server and every connection. Idempotent. */
  async shutdown(): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'created') {
      this.#state = 'stopped'
      return
    }
    this.#state = 'stopped'
    if (this.#scanTimer !== null) clearInterval(this.#scanTimer)
    this.#scanTimer = null
    const server = this.#server
    this.#server = null
    await server?.close()
    this.#logger.info('name server stopped')
  }

  /** The bound port after `start()` (the real one when `listenPort` was 0); still readable after shutdown. @throws Error before start(). */
  get port(): number {
    if (this.#port === null) throw new Error('NamesrvController is not started')
    return this.#port
  }

  /** Runs one liveness scan now (the timer calls this). @returns removed broker addresses. */
  scanNotActiveBroker(): string[] {
    try {
      return this.routeInfoManager.scanNotActiveBroker()
    } catch (error) {
      this.#logger.error('scanNotActiveBroker failed', { error: String(error) })
      return []
    }
  }

  /**
   * Subscribes to instrumentation events (`BROKER_REGISTERED`, `BROKER_REMOVED` with reason
   * `UNREGISTER | EXPIRED | CHANNEL_CLOSED`). @returns an unsubscribe function.
   */
  onEvent(listener: NamesrvEventListener): () => void {
    return this.#events.on(listener)
  }
}
