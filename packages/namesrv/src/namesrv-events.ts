/** Why a broker address left the route table. */
export type BrokerRemovedReason = 'UNREGISTER' | 'EXPIRED' | 'CHANNEL_CLOSED'

/** Payload of each namesrv instrumentation event, by type. */
export interface NamesrvEventPayloads {
  /** A REGISTER_BROKER was applied (every 30 s per broker; `firstRegistration` on the first one). */
  BROKER_REGISTERED: { clusterName: string; brokerName: string; brokerAddr: string; brokerId: number; firstRegistration: boolean }
  /** A broker address was removed: UNREGISTER_BROKER, liveness expiry, or its registering connection closed. */
  BROKER_REMOVED: { clusterName: string; brokerName: string; brokerAddr: string; reason: BrokerRemovedReason }
}

export type NamesrvEventType = keyof NamesrvEventPayloads

/** An instrumentation event `{ type, timestamp (ms since epoch), payload }` (STYLE §8). */
export type NamesrvEvent = {
  [K in NamesrvEventType]: { type: K; timestamp: number; payload: NamesrvEventPayloads[K] }
}[NamesrvEventType]

/** Listener for namesrv events; a throwing listener is isolated and never breaks the emitter. */
export type NamesrvEventListener = (event: NamesrvEvent) => void

/**
 * A tiny typed event emitter for namesrv instrumentation events. Events are metrics-grade facts, not logs.
 */
export class NamesrvEvents {
  readonly #listeners = new Set<NamesrvEventListener>()

  /** Adds a listener. @returns a function that removes it. */
  on(listener: NamesrvEventListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Delivers an event to every listener synchronously; listener exceptions are swallowed. */
  emit<K extends NamesrvEventType>(type: K, payload: NamesrvEventPayloads[K]): void {
    if (this.#listeners.size === 0) return
    const event = { type, timestamp: Date.now(), payload } as NamesrvEvent
    for (const listener of [...this.#listeners]) {
      try {
        listener(event)
      } catch {
        // a broken listener must not break route bookkeeping
      }
    }
  }
}
