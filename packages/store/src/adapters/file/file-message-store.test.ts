import { runMessageStoreConformance } from '@cometmq/store/conformance'
import { FileMessageStore } from './file-message-store.js'

// 64 KiB commit-log files: file rolling and BLANK fillers happen in almost every test.
runMessageStoreConformance({ name: 'FileMessageStore', factory: (config) => new FileMessageStore({ ...config, mappedFileSizeCommitLog: 64 * 1024 }) })

// The other read path: no commit-log cache (only the write buffer) and never fs.readSync.
runMessageStoreConformance({
  name: 'FileMessageStore without cache, async reads',
  factory: (config) => new FileMessageStore({ ...config, mappedFileSizeCommitLog: 64 * 1024, commitLogCacheSize: 0, accessMessageInMemoryMaxRatio: 0 }),
})
