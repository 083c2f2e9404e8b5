export { FileMessageStore } from './file-message-store.js'
export type { FileStoreHooks } from './file-message-store.js'
export type { RecoveryReport } from './recovery.js'
export type { FsyncFunction } from './segment-file.js'
