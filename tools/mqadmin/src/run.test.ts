import { describe, expect, it } from 'vitest'
import { FakeAdmin } from './__fixtures__/fake-admin.js'
import { runMqadmin } from './run.js'
import type { AdminSession } from './run.js'

function io(env: Record<string, string> = { NAMESRV_ADDR: '127.0.0.1:9876' }) {
  const out: string[] = []
  const err: string[] = []
  return { out, err, io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), env } }
}

describe('runMqadmin', () => {
  it('opens an admin on the namesrv, prints the command output and closes it', async () => {
    const admin = new FakeAdmin()
    admin.addTopic('T', { 'broker-a': 1 })
    const opened: string[] = []
    let closed = 0
    const open = async (addr: string): Promise<AdminSession> => {
      opened.push(addr)
      return { admin, close: async () => void closed++ }
    }
    const t = io()
    expect(await runMqadmin(['topicList'], t.io, open)).toBe(0)
    expect(t.out.join('')).toBe('T\n')
    expect(opened).toEqual(['127.0.0.1:9876'])
    expect(closed).toBe(1)
  })

  it('prints "<command> command failed" and returns 1 when the command throws, still closing', async () => {
    let closed = 0
    const t = io()
    const code = await runMqadmin(['topicStatus', '-t', 'Missing'], t.io, async () => ({ admin: new FakeAdmin(), close: async () => void closed++ }))
    expect(code).toBe(1)
    expect(t.err.join('')).toMatch(/^topicStatus command failed: .*Missing/)
    expect(closed).toBe(1)
  })

  it('returns 1 with a message for argument errors, without opening an admin', async () => {
    const t = io({})
    let opened = false
    const code = await runMqadmin(['topicList'], t.io, async () => {
      opened = true
      return { admin: new FakeAdmin(), close: async () => {} }
    })
    expect(code).toBe(1)
    expect(opened).toBe(false)
    expect(t.err.join('')).toMatch(/no name server address/)
  })

  it('returns 0 for --help', async () => {
    const t = io()
    expect(await runMqadmin(['--help'], t.io, async () => ({ admin: new FakeAdmin(), close: async () => {} }))).toBe(0)
    expect(t.out.join('')).toContain('updateTopic')
  })
})
