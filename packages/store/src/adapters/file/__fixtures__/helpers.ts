import { encodeProperties, tagsStringToTagsCode } from '@cometmq/protocol'
import fs from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import type { MessageStore } from '../../../message-store.js'
import type { PutMessageInput } from '../../../types.js'

export const TOPIC = 'FileTopic'

/** Deterministic put input number `n`: queue n % queues, tag T<n % 4>, body of varying length. */
export function numbered(n: number, queues = 3, topic = TOPIC): PutMessageInput {
  const tags = `T${n % 4}`
  return {
    topic,
    queueId: n % queues,
    flag: n,
    body: Buffer.from(`message-${n}-${'x'.repeat((n * 37) % 700)}`),
    propertiesString: encodeProperties({ UNIQ_KEY: `U${n}`, TAGS: tags }),
    sysFlag: 0,
    bornTimestamp: 1_700_000_000_000 + n,
    bornHost: { host: '127.0.0.1', port: 40000 + (n % 1000) },
    storeHost: { host: '127.0.0.1', port: 10911 },
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    tagsCode: tagsStringToTagsCode(tags),
  }
}


/** Temp dirs and stores closed/removed after each test of the calling file. */
export function useTempDirs(): { dir(): string; track<T extends MessageStore>(store: T): T } {
  let dirs: string[] = []
  let stores: MessageStore[] = []
  afterEach(async () => {
    await Promise.allSettled(stores.map((s) => s.close()))
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true })
    dirs = []
    stores = []
  })
  return {
    dir() {
      const d = fs.mkdtempSync(join(tmpdir(), 'cometmq-file-store-'))
      dirs.push(d)
      return d
    },
    track(store) {
      stores.push(store)
      return store
    },
  }
}

/** Sorted names of the files in `dir` (empty when missing). */
export function listFiles(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort()
  } catch {
    return []
  }
}

/** Reads every record of a queue from offset 0 as hex strings, following nextBeginOffset. */
export async function readQueue(store: MessageStore, topic: string, queueId: number): Promise<Buffer[]> {
  const out: Buffer[] = []
  let offset = 0
  for (;;) {
    const got = await store.getMessage({ topic, queueId, offset, maxMsgNums: 64 })
    if (got.status !== 'FOUND' && got.status !== 'NO_MATCHED_MESSAGE') return out
    out.push(...got.messages)
    offset = got.nextBeginOffset
  }
}

export { expectedRecord } from '../../../__fixtures__/expected-record.js'
