export { MemoryMessageStore } from './memory-message-store.js'
