/**
 * The MessageStore conformance suite (`@cometmq/store/conformance`), shared by every adapter the way
 * abstract-level ships its tests. Uses vitest's describe/it/expect and only the public MessageStore API.
 *
 *   import { runMessageStoreConformance } from '@cometmq/store/conformance'
 *   runMessageStoreConformance({ name: 'MyStore', factory: (config) => new MyStore(config) })
 *
 * `factory` must return a new, isolated, unopened store on every call; the suite passes a fresh temp
 * `storePathRootDir` (removed after each test) and `maxMessageSize` = 16 KiB, and some groups set more keys
 * (`mappedFileSizeCommitLog` 64 KiB for retention, `flushDiskType`, `fileReservedTime`, `diskUsage`,
 * `messageIndexEnable`, `maxHashSlotNum`/`maxIndexNum`): the factory must honour the keys it is given.
 * Optional groups run according to the adapter's `supports` manifest, never suite options.
 *
 * `childModule` (absolute path or `file:` URL of an ES module whose `default` export is the factory) is
 * REQUIRED when `supports.permanence` is true: the crash-safety group runs that factory in a child process
 * (`node --conditions=development --import tsx conformance/crash-child.ts` for TypeScript), writes with
 * SYNC_FLUSH from concurrent putters, SIGKILLs it mid-write and checks every acknowledged message after
 * reopening. A permanent adapter typically passes
 * `childModule: fileURLToPath(new URL('./conformance-factory.ts', import.meta.url))`.
 * @throws Error at registration when `childModule` is missing (permanent adapter) or not an absolute path / file: URL.
 */
import { isAbsolute } from 'node:path'
import { describe } from 'vitest'
import { batchLimitTests } from './batch-limit-tests.js'
import { commitLogReadTests } from './commit-log-read-tests.js'
import { concurrencyTests } from './concurrency-tests.js'
import { crashSafetyTests } from './crash-safety-tests.js'
import { diskFullTests } from './disk-full-tests.js'
import { getMessageStatusTests } from './get-message-status-tests.js'
import type { ConformanceOptions } from './harness.js'
import { lifecycleTests } from './lifecycle-tests.js'
import { lookByOffsetTests } from './look-by-offset-tests.js'
import { messageArrivedTests } from './message-arrived-tests.js'
import { messageSizeTests } from './message-size-tests.js'
import { putGetTests } from './put-get-tests.js'
import { queryTests } from './query-tests.js'
import { queueOffsetTests } from './queue-offset-tests.js'
import { reopenTests } from './reopen-tests.js'
import { retentionTests } from './retention-tests.js'
import { searchByTimeTests } from './search-by-time-tests.js'

export type { ConformanceOptions } from './harness.js'
export { TEST_MAX_MESSAGE_SIZE } from './harness.js'

/** Registers the whole suite under `describe('<name> satisfies MessageStore')`. */
export function runMessageStoreConformance(options: ConformanceOptions): void {
  // Constructing a store touches no files, so reading the manifest needs no directory.
  const { supports } = options.factory({ storePathRootDir: '/nonexistent/cometmq-conformance-probe' })
  checkChildModule(options, supports.permanence)
  describe(`${options.name} satisfies MessageStore`, () => {
    lifecycleTests(options)
    putGetTests(options)
    queueOffsetTests(options)
    getMessageStatusTests(options)
    batchLimitTests(options)
    searchByTimeTests(options)
    messageSizeTests(options)
    concurrencyTests(options)
    lookByOffsetTests(options)
    messageArrivedTests(options)
    commitLogReadTests(options, supports.commitLogRead)
    queryTests(options, supports.permanence)
    retentionTests(options, supports.permanence)
    diskFullTests(options)
    if (supports.permanence) reopenTests(options)
    if (supports.permanence) crashSafetyTests(options)
  })
}

function checkChildModule(options: ConformanceOptions, permanence: boolean): void {
  const { childModule } = options
  if (childModule === undefined) {
    if (!permanence) return
    throw new Error(
      `runMessageStoreConformance(${options.name}): options.childModule is required when supports.permanence is true ` +
        '(absolute path or file: URL of an ES module whose default export is the store factory; the crash-safety group runs it in a child process)',
    )
  }
  if (typeof childModule !== 'string' || !(childModule.startsWith('file:') || isAbsolute(childModule))) {
    throw new Error(`runMessageStoreConformance(${options.name}): options.childModule must be an absolute path or a file: URL, got ${String(childModule)}`)
  }
}
