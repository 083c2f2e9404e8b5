import type { MessageStore } from '../../message-store.js'
import type { MessageStoreConfig } from '../../types.js'
import { FileMessageStore } from './file-message-store.js'

/**
 * The FileMessageStore factory for the conformance suite's `childModule` option: the crash-safety group imports
 * this module in a child process (`node --conditions=development --import tsx`) and SIGKILLs it mid-write.
 * 64 KiB commit-log files, as in file-message-store.test.ts, so several files roll during a test.
 */
export default function createFileMessageStore(config: MessageStoreConfig): MessageStore {
  return new FileMessageStore({ mappedFileSizeCommitLog: 64 * 1024, ...config })
}
