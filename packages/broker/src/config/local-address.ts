import { networkInterfaces } from 'node:os'

/**
 * First non-internal IPv4 address of this host (interface order as reported by the OS), else `127.0.0.1`.
 * Used as the default `brokerIP1`. RocketMQ's `RemotingUtil.getLocalAddress` prefers a non-loopback,
 * non-private address; we keep it simple and predictable — set `brokerIP1` explicitly in production.
 */
export function detectLocalIPv4(): string {
  const interfaces = networkInterfaces()
  for (const name of Object.keys(interfaces)) {
    for (const info of interfaces[name] ?? []) {
      if (info.family === 'IPv4' && !info.internal) return info.address
    }
  }
  return '127.0.0.1'
}
