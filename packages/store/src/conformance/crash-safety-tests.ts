import { decodeMessageRecord, decodeProperties, encodeMessageRecord } from '@cometmq/protocol'
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { dirname, extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { recordAt } from '../record-input.js'
import { CRASH_QUEUES, CRASH_SEGMENT_SIZE, CRASH_TOPIC, crashBody, crashKey, crashMessage, crashProperties, crashStoreConfig, crashUniqKey, parseAck } from './crash-messages.js'
import type { CrashAck } from './crash-messages.js'
import { readQueue, useHarness } from './harness.js'
import type { ConformanceOptions } from './harness.js'

/** The child is killed once it reported at least this many acknowledged puts (single or batch). */
const ACKS_BEFORE_KILL = 200
/** Concurrent putters in the child: several puts are in flight when it dies. */
const PUTTERS = 4
/** Bound on every wait for the child (ms). */
const CHILD_BOUND_MS = 20_000

const here = dirname(fileURLToPath(import.meta.url))
// crash-child.ts next to this file in src/, crash-child.js in dist/
const CHILD_SCRIPT = join(here, `crash-child${extname(fileURLToPath(import.meta.url))}`)
// packages/store, from src/conformance or dist/conformance: where `tsx` resolves
const PACKAGE_DIR = join(here, '..', '..')

const isTypeScript = (path: string): boolean => /\.[cm]?ts$/.test(path)

/** One message of a put as acknowledged by the child. */
interface AckedMessage {
  n: number
  queueId: number
  queueOffset: number
  commitLogOffset: number
  storeTimestamp: number
}

/** The n of a stored crash record, read from its UNIQ_KEY (`CU-<n>`). */
function crashNumberOf(record: Buffer): number {
  const uniq = decodeMessageRecord(record).properties.UNIQ_KEY ?? ''
  const n = Number(uniq.slice(3))
  if (!uniq.startsWith('CU-') || !Number.isSafeInteger(n)) throw new Error(`not a crash-test record (UNIQ_KEY ${uniq})`)
  return n
}

/** The exact record message n must be stored as. */
function expectedRecord(n: number, queueId: number, queueOffset: number, commitLogOffset: number, storeTimestamp: number): Buffer {
  const input = crashMessage(n, queueId)
  return encodeMessageRecord(recordAt({ ...input, preparedTransactionOffset: 0 }, queueOffset, commitLogOffset, storeTimestamp))
}

/** Crash safety: SYNC_FLUSH acknowledgements survive a SIGKILL of the writing process (supports.permanence). */
export function crashSafetyTests(options: ConformanceOptions): void {
  describe('crash safety (supports.permanence; SYNC_FLUSH, SIGKILL mid-write)', () => {
    const h = useHarness(options)
    let child: ChildProcess | null = null
    // registered after useHarness, so it runs before the harness removes the directory
    afterEach(async () => {
      const proc = child
      child = null
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return
      const exited = new Promise<void>((resolve) => {
        const bound = setTimeout(resolve, CHILD_BOUND_MS)
        proc.once('exit', () => {
          clearTimeout(bound)
          resolve()
        })
      })
      proc.kill('SIGKILL')
      await exited
    })

    /** Runs the child on `dir`, SIGKILLs it after ACKS_BEFORE_KILL acks, resolves with every ack it printed once it exited. */
    function runAndKill(dir: string): Promise<CrashAck[]> {
      const childModule = options.childModule!
      const modulePath = childModule.startsWith('file:') ? fileURLToPath(childModule) : childModule
      const args = isTypeScript(CHILD_SCRIPT) || isTypeScript(modulePath) ? ['--conditions=development', '--import', 'tsx'] : []
      return new Promise((resolve, reject) => {
        const proc = spawn(process.execPath, [...args, CHILD_SCRIPT, childModule, dir, String(PUTTERS)], { cwd: PACKAGE_DIR, stdio: ['ignore', 'pipe', 'pipe'] })
        child = proc
        const acks: CrashAck[] = []
        let pending = ''
        let stderr = ''
        let killed = false
        const bound = setTimeout(() => {
          proc.kill('SIGKILL')
          reject(new Error(`crash child: ${acks.length} acks and no exit within ${CHILD_BOUND_MS} ms; stderr: ${stderr}`))
        }, CHILD_BOUND_MS)
        proc.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
        proc.stdout!.on('data', (chunk: Buffer) => {
          pending += chunk.toString()
          const lines = pending.split('\n')
          pending = lines.pop()!
          for (const line of lines) {
            const ack = parseAck(line)
            if (ack) acks.push(ack)
          }
          if (!killed && acks.length >= ACKS_BEFORE_KILL) {
            killed = true
            proc.kill('SIGKILL')
          }
        })
        proc.on('error', (err) => {
          clearTimeout(bound)
          reject(err)
        })
        // 'close' comes after 'exit' and after stdout is drained: every printed ack has been read.
        proc.on('close', (code, signal) => {
          clearTimeout(bound)
          if (killed && signal === 'SIGKILL') resolve(acks)
          else reject(new Error(`crash child exited before the kill (code ${code}, signal ${signal}, ${acks.length} acks); stderr: ${stderr}`))
        })
      })
    }

    it('every acknowledged put survives byte-identical at its offsets; the log has no torn tail; puts and queries continue', async () => {
      const base = h.config()
      const config = { ...base, ...crashStoreConfig(base.storePathRootDir) }
      const acks = await runAndKill(config.storePathRootDir)
      expect(acks.length).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL)
      const acked: AckedMessage[] = acks.flatMap((a) =>
        a.ns.map((n, i) => ({ n, queueId: a.queueId, queueOffset: a.queueOffset + i, commitLogOffset: a.commitLogOffsets[i]!, storeTimestamp: a.storeTimestamp })),
      )
      expect(acks.some((a) => a.ns.length > 1)).toBe(true)

      const store = await h.open(config)
      // the run crossed segments: acknowledged records exist beyond the first segment
      expect(Math.max(...acked.map((m) => m.commitLogOffset))).toBeGreaterThan(CRASH_SEGMENT_SIZE)

      for (const m of acked) {
        const expected = expectedRecord(m.n, m.queueId, m.queueOffset, m.commitLogOffset, m.storeTimestamp)
        const got = await store.getMessage({ topic: CRASH_TOPIC, queueId: m.queueId, offset: m.queueOffset, maxMsgNums: 1 })
        expect(got.status, `message ${m.n} at ${m.queueId}/${m.queueOffset}`).toBe('FOUND')
        const record = got.messages[0]!
        const decoded = decodeMessageRecord(record)
        expect(decoded.body.equals(crashBody(m.n)), `body of message ${m.n}`).toBe(true)
        expect(decoded.properties, `properties of message ${m.n}`).toEqual(decodeProperties(crashProperties(m.n)))
        expect(record.equals(expected), `record bytes of message ${m.n}`).toBe(true)
        expect((await store.selectOneMessageByOffset(m.commitLogOffset))?.equals(expected), `message ${m.n} at commit-log offset ${m.commitLogOffset}`).toBe(true)
      }

      // every queue is dense from 0 and every record in it (acknowledged or not) decodes to an intact crash message
      const maxPhyBefore = store.getMaxPhyOffset()
      for (let queueId = 0; queueId < CRASH_QUEUES; queueId++) {
        const max = store.getMaxOffsetInQueue(CRASH_TOPIC, queueId)
        expect(store.getMinOffsetInQueue(CRASH_TOPIC, queueId)).toBe(0)
        expect(max).toBeGreaterThanOrEqual(acked.filter((m) => m.queueId === queueId).length)
        const records = await readQueue(store, CRASH_TOPIC, queueId, 0)
        expect(records.map((r) => decodeMessageRecord(r).queueOffset)).toEqual(Array.from({ length: max }, (_, i) => i))
        for (const record of records) {
          const decoded = decodeMessageRecord(record)
          const n = crashNumberOf(record)
          expect(decoded.body.equals(crashBody(n)), `body of stored message ${n}`).toBe(true)
          expect(record.equals(expectedRecord(n, queueId, decoded.queueOffset, decoded.commitLogOffset, decoded.storeTimestamp)), `stored message ${n}`).toBe(true)
          expect(decoded.commitLogOffset + record.length).toBeLessThanOrEqual(maxPhyBefore)
        }
      }

      // new puts continue at the next offsets
      for (let queueId = 0; queueId < CRASH_QUEUES; queueId++) {
        const max = store.getMaxOffsetInQueue(CRASH_TOPIC, queueId)
        const after = await store.putMessage(crashMessage(1_000_000 + queueId, queueId))
        expect(after.status).toBe('PUT_OK')
        expect(after.appendResult!.queueOffset).toBe(max)
        expect(after.appendResult!.wroteOffset).toBeGreaterThanOrEqual(maxPhyBefore)
        const got = await store.getMessage({ topic: CRASH_TOPIC, queueId, offset: max, maxMsgNums: 1 })
        expect(crashNumberOf(got.messages[0]!)).toBe(1_000_000 + queueId)
      }

      // the key index survived too: every acknowledged message is found by its KEYS word and its UNIQ_KEY
      const window = { beginTimestamp: 0, endTimestamp: Number.MAX_SAFE_INTEGER, maxNum: 64 }
      for (const m of acked) {
        for (const key of [crashKey(m.n), crashUniqKey(m.n)]) {
          const found = await store.queryMessage({ topic: CRASH_TOPIC, key, ...window })
          expect(
            found.messages.map((r) => decodeMessageRecord(r).commitLogOffset),
            `queryMessage ${key}`,
          ).toEqual([m.commitLogOffset])
        }
      }
    })
  })
}
