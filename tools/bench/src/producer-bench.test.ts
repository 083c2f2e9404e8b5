import { MQBrokerError, MQClientError } from '@cometmq/client'
import type { MessageInput } from '@cometmq/client'
import { describe, expect, it } from 'vitest'
import { benchMessage, runSendLoad } from './producer-bench.js'
import type { SendLoadOptions, SendTarget } from './producer-bench.js'
import type { RunContext } from './run-context.js'

const base: SendLoadOptions = {
  topic: 'T',
  concurrency: 4,
  messageSize: 16,
  count: 100,
  batchSize: 1,
  tag: undefined,
  sendTimeoutMs: 1000,
  durationSec: undefined,
  reportIntervalSec: 3600,
}

function context(): RunContext & { lines: string[] } {
  const lines: string[] = []
  return { lines, out: (line) => lines.push(line), signal: new AbortController().signal, now: () => new Date(0) }
}

class FakeTarget implements SendTarget {
  sent: MessageInput[] = []
  batches: number[] = []
  inFlight = 0
  maxInFlight = 0
  fail: ((n: number) => Error | undefined) | undefined

  async send(message: MessageInput): Promise<unknown> {
    return this.#one(() => this.sent.push(message))
  }

  async sendBatch(messages: MessageInput[]): Promise<unknown> {
    return this.#one(() => {
      this.batches.push(messages.length)
      this.sent.push(...messages)
    })
  }

  async #one(onSuccess: () => void): Promise<unknown> {
    this.inFlight++
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight)
    await Promise.resolve()
    this.inFlight--
    const error = this.fail?.(this.sent.length + this.batches.length)
    if (error) throw error
    onSuccess()
    return {}
  }
}

describe('runSendLoad', () => {
  it('sends exactly `count` messages with `concurrency` senders and prints a summary', async () => {
    const target = new FakeTarget()
    const ctx = context()
    const totals = await runSendLoad(target, base, ctx)
    expect(target.sent).toHaveLength(100)
    expect(target.maxInFlight).toBe(4)
    expect(totals.success).toBe(100)
    expect(ctx.lines.at(-1)).toMatch(/\[Complete\] Send Total: 100 \|/)
  })

  it('builds a body of the requested size and sets the tag', () => {
    const message = benchMessage({ topic: 'T', messageSize: 1024, tag: 'TagA' })
    expect((message.body as Buffer).length).toBe(1024)
    expect(message.tags).toBe('TagA')
  })

  it('sends batches and trims the last one to the count', async () => {
    const target = new FakeTarget()
    const totals = await runSendLoad(target, { ...base, count: 50, batchSize: 16, concurrency: 1 }, context())
    expect(target.batches).toEqual([16, 16, 16, 2])
    expect(target.sent).toHaveLength(50)
    expect(totals.success).toBe(50)
  })

  it('counts broker answers as Response Failed and other errors as Send Failed, without retrying', async () => {
    const target = new FakeTarget()
    let calls = 0
    target.fail = () => {
      calls++
      if (calls % 10 === 1) return new MQBrokerError(2, 'busy', '127.0.0.1:10911')
      if (calls % 10 === 2) return new MQClientError('SEND_TIMEOUT', 'timeout')
      return undefined
    }
    const totals = await runSendLoad(target, { ...base, count: 100 }, context())
    expect(totals.responseFailed).toBe(10)
    expect(totals.sendFailed).toBe(10)
    expect(totals.success).toBe(80)
  })

  it('stops early when the signal aborts', async () => {
    const target = new FakeTarget()
    const controller = new AbortController()
    const ctx = { ...context(), signal: controller.signal }
    target.fail = (n) => {
      if (n >= 10) controller.abort()
      return undefined
    }
    const totals = await runSendLoad(target, { ...base, count: 1_000_000 }, ctx)
    expect(totals.success).toBeLessThan(1_000_000)
  })
})
