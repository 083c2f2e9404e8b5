import type { MessageStoreConfig } from '../../types.js'
import { LevelMessageStore } from './level-message-store.js'

/**
 * The LevelMessageStore the conformance suite runs (also in its crash-safety child process):
 * 64 KiB logical segments, so segment rolling, BLANK fillers and retention happen in almost every test.
 */
export default function levelConformanceFactory(config: MessageStoreConfig): LevelMessageStore {
  return new LevelMessageStore({ ...config, mappedFileSizeCommitLog: 64 * 1024 })
}
