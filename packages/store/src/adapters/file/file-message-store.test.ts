import { runMessageStoreConformance } from '@cometmq/store/conformance'
import { fileURLToPath } from 'node:url'
import factory from './conformance-factory.js'
import { FileMessageStore } from './file-message-store.js'

/** The crash-safety group runs this module's default export (the same factory) in a child process. */
const childModule = fileURLToPath(new URL('./conformance-factory.ts', import.meta.url))

// 64 KiB commit-log files (unless the suite asks for another size): file rolling and BLANK fillers happen in almost every test.
runMessageStoreConformance({ name: 'FileMessageStore', factory, childModule })

// The other read path: no commit-log cache (only the write buffer) and never fs.readSync.
runMessageStoreConformance({
  name: 'FileMessageStore without cache, async reads',
  factory: (config) => new FileMessageStore({ mappedFileSizeCommitLog: 64 * 1024, ...config, commitLogCacheSize: 0, accessMessageInMemoryMaxRatio: 0 }),
  childModule,
})
