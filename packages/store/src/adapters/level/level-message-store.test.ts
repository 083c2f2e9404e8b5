import { runMessageStoreConformance } from '@cometmq/store/conformance'
import { fileURLToPath } from 'node:url'
import factory from './conformance-factory.js'

runMessageStoreConformance({
  name: 'LevelMessageStore',
  factory,
  childModule: fileURLToPath(new URL('./conformance-factory.ts', import.meta.url)),
})
