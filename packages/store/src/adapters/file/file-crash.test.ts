import { decodeMessageRecord } from '@cometmq/protocol'
import { spawn } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import type { AppendMessageResult } from '../../types.js'
import { FileMessageStore } from './file-message-store.js'
import { crashMessage } from './__fixtures__/crash-child.js'
import { expectedRecord, readQueue, useTempDirs } from './__fixtures__/helpers.js'

const here = dirname(fileURLToPath(import.meta.url))
const packageDir = join(here, '..', '..', '..')
const ACKS_BEFORE_KILL = 150

interface Ack {
  n: number
  queueOffset: number
  commitLogOffset: number
  storeTimestamp: number
}

/**
 * Runs the child until it printed `acks` acknowledgements, SIGKILLs it, and returns every ack it printed.
 * `args`: the child's optional flushDiskType and producer count.
 */
function runAndKill(dir: string, acks: number, boundMs = 20_000, args: string[] = []): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', join(here, '__fixtures__', 'crash-child.ts'), dir, ...args], {
      cwd: packageDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const seen: Ack[] = []
    let buffered = ''
    let stderr = ''
    let killed = false
    const bound = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`child printed ${seen.length} acks in ${boundMs} ms; stderr: ${stderr}`))
    }, boundMs)
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString()
      const lines = buffered.split('\n')
      buffered = lines.pop()!
      for (const line of lines) {
        const [tag, n, queueOffset, commitLogOffset, storeTimestamp] = line.split(' ')
        if (tag !== 'ack') continue
        seen.push({ n: Number(n), queueOffset: Number(queueOffset), commitLogOffset: Number(commitLogOffset), storeTimestamp: Number(storeTimestamp) })
      }
      if (!killed && seen.length >= acks) {
        killed = true
        child.kill('SIGKILL')
      }
    })
    child.on('exit', (code, signal) => {
      clearTimeout(bound)
      if (signal === 'SIGKILL' && killed) resolve(seen)
      else reject(new Error(`child exited early (code ${code}, signal ${signal}); stderr: ${stderr}`))
    })
  })
}

describe('FileMessageStore crash safety (SYNC_FLUSH, SIGKILL)', () => {
  const t = useTempDirs()

  it('every acknowledged message survives a SIGKILL byte-identical, and the store keeps working', async () => {
    const dir = t.dir()
    const acks = await runAndKill(dir, ACKS_BEFORE_KILL)
    expect(acks.length).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL)

    const after = await expectAcksSurvived(t, dir, acks)
    expect(after.wroteOffset).toBeGreaterThanOrEqual(Math.max(...acks.map((a) => a.commitLogOffset)))
  })
})

/** The key index finds message n by its UNIQ_KEY `C<n>`: exactly its record (crash recovery lost no entry and made no duplicate). */
async function expectIndexed(store: FileMessageStore, n: number, expected: Buffer): Promise<void> {
  const found = await store.queryMessage({ topic: 'CrashTopic', key: `C${n}`, maxNum: 64, beginTimestamp: 0, endTimestamp: Number.MAX_SAFE_INTEGER })
  expect(found.messages.length, `message ${n} by its key`).toBe(1)
  expect(found.messages[0]!.equals(expected), `message ${n} by its key`).toBe(true)
}

/**
 * Reopens `dir` and checks that every ack survived byte-identical, is found by its key, each queue is gap-free from 0,
 * and a new put succeeds; returns where that put landed.
 */
async function expectAcksSurvived(t: ReturnType<typeof useTempDirs>, dir: string, acks: Ack[]): Promise<AppendMessageResult> {
  const store = t.track(new FileMessageStore({ storePathRootDir: dir, mappedFileSizeCommitLog: 64 * 1024 }))
  await store.open()
  for (const ack of acks) {
    const input = crashMessage(ack.n)
    const expected = expectedRecord(input, ack.queueOffset, ack.commitLogOffset, ack.storeTimestamp)
    const raw = await store.selectOneMessageByOffset(ack.commitLogOffset)
    expect(raw?.equals(expected), `message ${ack.n} at ${ack.commitLogOffset}`).toBe(true)
    const got = await store.getMessage({ topic: input.topic, queueId: input.queueId, offset: ack.queueOffset, maxMsgNums: 1 })
    expect(got.messages[0]?.equals(expected), `message ${ack.n} in its queue`).toBe(true)
    await expectIndexed(store, ack.n, expected)
  }
  for (const q of [0, 1, 2]) {
    const max = store.getMaxOffsetInQueue('CrashTopic', q)
    expect(max).toBeGreaterThanOrEqual(acks.filter((a) => a.n % 3 === q).length)
    const offsets = (await readQueue(store, 'CrashTopic', q)).map((m) => decodeMessageRecord(m).queueOffset)
    expect(offsets).toEqual(Array.from({ length: max }, (_, i) => i))
  }
  const after = await store.putMessage(crashMessage(100_000))
  expect(after.status).toBe('PUT_OK')
  await store.close()
  return after.appendResult!
}

describe('FileMessageStore crash safety with buffered writes in flight (SIGKILL)', () => {
  const t = useTempDirs()

  it('SYNC_FLUSH, 32 producers: puts buffered and waiting for their group commit at the kill lose nothing acknowledged', async () => {
    const dir = t.dir()
    const acks = await runAndKill(dir, 600, 30_000, ['SYNC_FLUSH', '32'])
    expect(acks.length).toBeGreaterThanOrEqual(600)
    await expectAcksSurvived(t, dir, acks)
  })

  it('ASYNC_FLUSH, 32 producers: a put is acknowledged only once written, so acknowledged puts survive a process crash', async () => {
    const dir = t.dir()
    const acks = await runAndKill(dir, 3000, 30_000, ['ASYNC_FLUSH', '32'])
    expect(acks.length).toBeGreaterThanOrEqual(3000)
    await expectAcksSurvived(t, dir, acks)
  })
})
