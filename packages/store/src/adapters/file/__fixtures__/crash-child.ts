/**
 * Child process of file-crash.test.ts: opens a store on argv[2] (flushDiskType argv[3], default SYNC_FLUSH),
 * then puts numbered messages from argv[4] (default 4) concurrent producers forever, printing
 * `ack <n> <queueOffset> <commitLogOffset> <storeTimestamp>` after each acknowledged put. The test SIGKILLs it.
 * Run with: node --conditions=development --import tsx.
 */
import { encodeProperties, tagsStringToTagsCode } from '@cometmq/protocol'
import { FileMessageStore } from '../file-message-store.js'
import type { FlushDiskType, PutMessageInput } from '../../../types.js'

/** Message n of the crash test (the parent rebuilds the expected bytes from it). */
export function crashMessage(n: number): PutMessageInput {
  const tags = `T${n % 4}`
  return {
    topic: 'CrashTopic',
    queueId: n % 3,
    flag: n,
    body: Buffer.from(`crash-${n}-${'y'.repeat((n * 53) % 900)}`),
    propertiesString: encodeProperties({ UNIQ_KEY: `C${n}`, TAGS: tags }),
    sysFlag: 0,
    bornTimestamp: 1_700_000_000_000 + n,
    bornHost: { host: '127.0.0.1', port: 41000 },
    storeHost: { host: '127.0.0.1', port: 10911 },
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    tagsCode: tagsStringToTagsCode(tags),
  }
}

async function main(dir: string, flushDiskType: FlushDiskType, producers: number): Promise<void> {
  const store = new FileMessageStore({ storePathRootDir: dir, flushDiskType, mappedFileSizeCommitLog: 64 * 1024 })
  await store.open()
  let next = 0
  const producer = async (): Promise<never> => {
    for (;;) {
      const n = next++
      const result = await store.putMessage(crashMessage(n))
      if (result.status !== 'PUT_OK') {
        process.stderr.write(`put ${n} answered ${result.status}\n`)
        process.exit(2)
      }
      const a = result.appendResult!
      process.stdout.write(`ack ${n} ${a.queueOffset} ${a.wroteOffset} ${a.storeTimestamp}\n`)
    }
  }
  await Promise.all(Array.from({ length: producers }, producer))
}

if (process.argv[2]) {
  const flushDiskType = process.argv[3] === 'ASYNC_FLUSH' ? 'ASYNC_FLUSH' : 'SYNC_FLUSH'
  main(process.argv[2], flushDiskType, Number(process.argv[4] ?? 4)).catch((err: unknown) => {
    process.stderr.write(`${String(err)}\n`)
    process.exit(1)
  })
}
