/**
 * Child process of the crash-safety conformance group (crash-safety-tests.ts). Not a test file.
 *
 *   node [--conditions=development --import tsx] crash-child.(ts|js) <childModule> <storePathRootDir> <putters>
 *
 * Imports `childModule` (absolute path or file: URL; default export = adapter factory), opens a store with
 * `crashStoreConfig(dir)` (SYNC_FLUSH, 64 KiB segments), prints `open`, then runs `putters` concurrent putters
 * forever: each alternates single puts and batches of 2–4 to queue (first n) mod 3 and, after a put answers
 * PUT_OK, prints one `formatAck` line. The parent SIGKILLs it. Any other status, or an error, exits non-zero.
 */
import { pathToFileURL } from 'node:url'
import type { MessageStore } from '../message-store.js'
import type { MessageStoreConfig, PutMessageResult } from '../types.js'
import { CRASH_QUEUES, crashBatch, crashMessage, crashStoreConfig, formatAck } from './crash-messages.js'

function fail(message: string): never {
  process.stderr.write(`crash-child: ${message}\n`)
  process.exit(2)
}

async function main(): Promise<void> {
  const [moduleArg, dir, puttersArg] = process.argv.slice(2)
  if (!moduleArg || !dir) fail('usage: crash-child <childModule> <storePathRootDir> [putters]')
  const url = moduleArg.startsWith('file:') ? moduleArg : pathToFileURL(moduleArg).href
  const factory = ((await import(url)) as { default?: unknown }).default
  if (typeof factory !== 'function') fail(`${moduleArg} has no default export function (the adapter factory)`)
  const store = (factory as (config: MessageStoreConfig) => MessageStore)(crashStoreConfig(dir))
  await store.open()
  process.stdout.write('open\n')
  let next = 0
  const putter = async (p: number): Promise<never> => {
    for (let i = 0; ; i++) {
      const size = (i + p) % 3 === 2 ? 2 + (i % 3) : 1
      const ns = Array.from({ length: size }, () => next++)
      const queueId = ns[0]! % CRASH_QUEUES
      const result: PutMessageResult = size === 1 ? await store.putMessage(crashMessage(ns[0]!, queueId)) : await store.putMessages(crashBatch(ns, queueId))
      if (result.status !== 'PUT_OK') fail(`put of ${ns.join(',')} answered ${result.status} ${result.remark ?? ''}`)
      const a = result.appendResult!
      process.stdout.write(formatAck({ queueId, queueOffset: a.queueOffset, storeTimestamp: a.storeTimestamp, ns, commitLogOffsets: a.commitLogOffsets }))
    }
  }
  const putters = Number(puttersArg ?? 4)
  await Promise.all(Array.from({ length: putters }, (_, p) => putter(p)))
}

main().catch((err: unknown) => fail(err instanceof Error ? (err.stack ?? err.message) : String(err)))
