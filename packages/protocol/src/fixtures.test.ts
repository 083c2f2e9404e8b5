/**
 * Golden frames captured from a real RocketMQ 4.9.4 namesrv/broker (../shared/fixtures/remoting, described in
 * frames.md). Every frame must decode to the fields frames.md lists, and re-encode (same serializeType) to a
 * frame that decodes to the same fields.
 */
import { readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { FrameDecoder } from './frame-decoder.js'
import { decodeCommand, encodeCommand } from './remoting-command.js'
import type { RemotingCommand } from './remoting-command.js'
import { requestCodeName } from './request-code.js'
import { responseCodeName } from './response-code.js'

const FIXTURES = fileURLToPath(new URL('../../../../shared/fixtures/remoting/', import.meta.url))

interface Expected {
  serializeType: number
  headerLen: number
  bodyLen: number
  code: number
  language: string
  version: number
  opaque: number
  flag: number
  remark: string | null
  extFields: Record<string, string> | null
}

/** Parses the "- file: ..." sections of frames.md. */
function readFramesMd(): Map<string, Expected> {
  const text = readFileSync(`${FIXTURES}frames.md`, 'utf8')
  const result = new Map<string, Expected>()
  for (const section of text.split(/^- file: /m).slice(1)) {
    const file = /^`([^`]+)`/.exec(section)?.[1] as string
    const st = /^- serializeType=(\d+) \(\w+\), headerLen=(\d+), bodyLen=(\d+)$/m.exec(section)
    const fields = /^- code=(-?\d+), language=(\w+), version=(\d+), opaque=(\d+), flag=(\d+), remark=(.*)$/m.exec(section)
    const ext = /^- extFields: `(.*)`$/m.exec(section)
    if (!st || !fields || !ext) throw new Error(`frames.md: cannot parse section for ${file}`)
    result.set(file, {
      serializeType: Number(st[1]),
      headerLen: Number(st[2]),
      bodyLen: Number(st[3]),
      code: Number(fields[1]),
      language: fields[2] as string,
      version: Number(fields[3]),
      opaque: Number(fields[4]),
      flag: Number(fields[5]),
      remark: fields[6] === 'null' ? null : (JSON.parse(fields[6] as string) as string),
      extFields: JSON.parse(ext[1] as string) as Record<string, string> | null,
    })
  }
  return result
}

const expected = readFramesMd()
const dirs = ['bin-json', 'bin-rocketmq'] as const
const files = dirs.flatMap((dir) =>
  readdirSync(`${FIXTURES}${dir}`)
    .filter((name) => name.endsWith('.bin'))
    .sort()
    .map((name) => `${dir}/${name}`),
)

function fields(cmd: RemotingCommand): Omit<RemotingCommand, 'body'> & { body: string | null } {
  return { ...cmd, extFields: { ...cmd.extFields }, body: cmd.body ? cmd.body.toString('hex') : null }
}

describe('golden RocketMQ 4.9.4 frames', () => {
  it('has 24 frames per codec directory, each described in frames.md', () => {
    expect(files.filter((f) => f.startsWith('bin-json/'))).toHaveLength(24)
    expect(files.filter((f) => f.startsWith('bin-rocketmq/'))).toHaveLength(24)
    for (const file of files) expect(expected.has(file), file).toBe(true)
  })

  for (const file of files) {
    it(`${file} decodes to the frames.md fields and survives re-encoding`, () => {
      const frame = readFileSync(`${FIXTURES}${file}`)
      const want = expected.get(file) as Expected
      expect(frame.readInt32BE(0)).toBe(frame.length - 4)
      const cmd = decodeCommand(frame.subarray(4))
      expect(cmd).toMatchObject({
        serializeType: want.serializeType,
        code: want.code,
        language: want.language,
        version: want.version,
        opaque: want.opaque,
        flag: want.flag,
        remark: want.remark,
      })
      expect({ ...cmd.extFields }).toEqual(want.extFields ?? {})
      expect(cmd.body?.length ?? 0).toBe(want.bodyLen)

      // the name encodes the code: <code>-<NAME>.req… or <reqcode>-<REQNAME>.resp-<code>-<RESPNAME>
      const name = file.split('/')[1] as string
      const match = /^(\d+)-(\w+)\.(req|resp-(\d+)-(\w+))/.exec(name)
      expect(requestCodeName(Number(match?.[1]))).toBe(match?.[2])
      if (match?.[4] !== undefined) expect(responseCodeName(Number(match[4]))).toBe(match[5])

      const reencoded = encodeCommand(cmd)
      expect(reencoded.readUInt8(4)).toBe(want.serializeType)
      expect(fields(decodeCommand(reencoded.subarray(4)))).toEqual(fields(cmd))
      // Java wrote extFields (possibly {}) => our frame is byte-identical; ROCKETMQ frames always are.
      if (want.extFields !== null || want.serializeType === 1) expect(reencoded.equals(frame)).toBe(true)
      // and the streaming decoder yields the same command from byte-sized pieces
      const decoder = new FrameDecoder()
      const streamed: RemotingCommand[] = []
      for (let i = 0; i < frame.length; i += 7) streamed.push(...decoder.push(frame.subarray(i, i + 7)))
      expect(streamed.map(fields)).toEqual([fields(cmd)])
    })
  }

  it('spot checks: SEND_MESSAGE_V2 request (ROCKETMQ) and PULL FOUND response (JSON)', () => {
    const send = decodeCommand(readFileSync(`${FIXTURES}bin-rocketmq/310-SEND_MESSAGE_V2.req.bin`).subarray(4))
    expect(send).toMatchObject({ code: 310, opaque: 5, flag: 0, serializeType: 1 })
    expect(send.extFields.b).toBe('TopicTest')
    expect(send.extFields.i).toContain('TAGS\u0001TagA')
    expect(send.body?.toString()).toMatch(/^Hello RocketMQ/)
    const pull = decodeCommand(readFileSync(`${FIXTURES}bin-json/11-PULL_MESSAGE.resp-0-SUCCESS.bin`).subarray(4))
    expect(pull).toMatchObject({ code: 0, opaque: 31, flag: 1, remark: 'FOUND' })
    expect(pull.extFields).toEqual({ suggestWhichBrokerId: '0', nextBeginOffset: '32', maxOffset: '250', minOffset: '0' })
    expect(pull.body?.length).toBe(6885)
  })
})
