/** Integration-test harness: in-process cluster, bounded waits, raw wire client, record decoder, ali-ons helpers. */
export * from './cluster.js'
export * from './codes.js'
export * from './messaging.js'
export * from './records.js'
export * from './wait.js'
export * from './wire.js'
