/**
 * KV namespace whose entries (`topic` → `brokerName:queueNums;...`) become `orderTopicConf` in routes and the
 * REGISTER_BROKER response body. Source: RocketMQ `NamesrvUtil.NAMESPACE_ORDER_TOPIC_CONFIG`.
 */
export const NAMESPACE_ORDER_TOPIC_CONFIG = 'ORDER_TOPIC_CONFIG'

/**
 * The namesrv KV store (PUT/GET/DELETE_KV_CONFIG, GET_KVLIST_BY_NAMESPACE): namespace → key → value.
 * In memory only: unlike RocketMQ's `KVConfigManager` nothing is written to `kvConfigPath`, so it is empty after a restart.
 */
export class KvConfigManager {
  readonly #table = new Map<string, Map<string, string>>()

  /** Sets `namespace`/`key` to `value`, creating the namespace when needed. */
  putKVConfig(namespace: string, key: string, value: string): void {
    let entries = this.#table.get(namespace)
    if (entries === undefined) this.#table.set(namespace, (entries = new Map()))
    entries.set(key, value)
  }

  /** Removes one key; an emptied namespace is dropped. No-op when absent. */
  deleteKVConfig(namespace: string, key: string): void {
    const entries = this.#table.get(namespace)
    if (entries === undefined) return
    entries.delete(key)
    if (entries.size === 0) this.#table.delete(namespace)
  }

  /** @returns the value, or null when the namespace or key is unknown. */
  getKVConfig(namespace: string, key: string): string | null {
    return this.#table.get(namespace)?.get(key) ?? null
  }

  /** @returns a copy of the namespace's entries (KVTable `table`), or null when the namespace is unknown/empty. */
  getKVListByNamespace(namespace: string): Record<string, string> | null {
    const entries = this.#table.get(namespace)
    if (entries === undefined || entries.size === 0) return null
    return Object.fromEntries(entries)
  }
}
