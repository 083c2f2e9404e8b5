// The worked example of docs/storage-adapters.md must pass the same suite as the built-in adapters.
import { runMessageStoreConformance } from '@cometmq/store/conformance'
import { ArrayMessageStore } from '../../packages/store/examples/array-message-store.js'

runMessageStoreConformance({ name: 'ArrayMessageStore (docs example)', factory: (config) => new ArrayMessageStore(config) })
