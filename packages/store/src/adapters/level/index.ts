export { LevelMessageStore, LEVEL_DIR_NAME } from './level-message-store.js'
export type { LevelStoreHooks } from './level-message-store.js'
export type { LevelRecoveryReport } from './level-recovery.js'
export type { DeferFunction as LevelDeferFunction } from './group-commit.js'
