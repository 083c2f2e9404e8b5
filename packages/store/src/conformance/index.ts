/**
 * The MessageStore conformance suite (`@cometmq/store/conformance`), shared by every adapter the way
 * abstract-level ships its tests. Uses vitest's describe/it/expect and only the public MessageStore API.
 *
 *   import { runMessageStoreConformance } from '@cometmq/store/conformance'
 *   runMessageStoreConformance({ name: 'MyStore', factory: (config) => new MyStore(config) })
 *
 * `factory` must return a new, isolated, unopened store on every call; the suite passes a fresh temp
 * `storePathRootDir` (removed after each test) and `maxMessageSize` = 16 KiB. Optional groups run
 * according to the adapter's `supports` manifest, never suite options.
 */
import { describe } from 'vitest'
import { batchLimitTests } from './batch-limit-tests.js'
import { commitLogReadTests } from './commit-log-read-tests.js'
import { concurrencyTests } from './concurrency-tests.js'
import { getMessageStatusTests } from './get-message-status-tests.js'
import type { ConformanceOptions } from './harness.js'
import { lifecycleTests } from './lifecycle-tests.js'
import { lookByOffsetTests } from './look-by-offset-tests.js'
import { messageArrivedTests } from './message-arrived-tests.js'
import { messageSizeTests } from './message-size-tests.js'
import { putGetTests } from './put-get-tests.js'
import { queueOffsetTests } from './queue-offset-tests.js'
import { reopenTests } from './reopen-tests.js'
import { searchByTimeTests } from './search-by-time-tests.js'

export type { ConformanceOptions } from './harness.js'
export { TEST_MAX_MESSAGE_SIZE } from './harness.js'

/** Registers the whole suite under `describe('<name> satisfies MessageStore')`. */
export function runMessageStoreConformance(options: ConformanceOptions): void {
  // Constructing a store touches no files, so reading the manifest needs no directory.
  const { supports } = options.factory({ storePathRootDir: '/nonexistent/cometmq-conformance-probe' })
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
    if (supports.permanence) reopenTests(options)
  })
}
