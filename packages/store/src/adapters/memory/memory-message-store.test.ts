import { runMessageStoreConformance } from '@cometmq/store/conformance'
import { MemoryMessageStore } from './memory-message-store.js'

runMessageStoreConformance({ name: 'MemoryMessageStore', factory: (config) => new MemoryMessageStore(config) })
