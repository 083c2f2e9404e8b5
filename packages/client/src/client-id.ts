/**
 * Client identity and name-server address parsing (§7.12 client id format).
 */
import { networkInterfaces } from 'node:os'

/**
 * First non-internal IPv4 address of this host, else `127.0.0.1`.
 * (Java `RemotingUtil.getLocalAddress` prefers a non-loopback, non-private-to-docker IPv4 address.)
 */
export function getLocalIPv4(): string {
  const interfaces = networkInterfaces()
  for (const name of Object.keys(interfaces)) {
    for (const info of interfaces[name] ?? []) {
      if (info.family === 'IPv4' && !info.internal) return info.address
    }
  }
  return '127.0.0.1'
}

/**
 * Client id `<clientIP>@<instanceName>`; with no instance name (or `'DEFAULT'`) the instance name is
 * `<pid>#<process.hrtime ns>` (Java 4.9+ `ClientConfig.changeInstanceNameToPID` + `buildMQClientId`),
 * e.g. `192.0.2.2@15861#349139152921`.
 */
export function buildClientId(clientIP: string, instanceName?: string): string {
  const name = instanceName === undefined || instanceName === '' || instanceName === 'DEFAULT'
    ? `${process.pid}#${process.hrtime.bigint()}`
    : instanceName
  return `${clientIP}@${name}`
}

/**
 * Splits `'a:1;b:2'` (or an array of such strings) into trimmed, non-empty `host:port` entries.
 * @throws TypeError when no address remains.
 */
export function parseNamesrvAddr(value: string | readonly string[]): string[] {
  const parts = (typeof value === 'string' ? [value] : value).flatMap((entry) => entry.split(';'))
  const addrs = parts.map((part) => part.trim()).filter((part) => part.length > 0)
  if (addrs.length === 0) throw new TypeError('namesrvAddr must name at least one host:port')
  return addrs
}
