import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { noopLogger } from '@cometmq/protocol'
import { tempDir } from '../__fixtures__/harness.js'
import { ConsumerOffsetManager } from './consumer-offset-manager.js'

const dirs: string[] = []
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

describe('ConsumerOffsetManager', () => {
  it('stores, queries and ignores negative commits', () => {
    const m = new ConsumerOffsetManager('/nonexistent', noopLogger)
    expect(m.queryOffset('G', 'T', 0)).toBe(-1)
    m.commitOffset('1.1.1.1:1', 'G', 'T', 0, 10)
    m.commitOffset('1.1.1.1:1', 'G', 'T', 0, -1)
    expect(m.queryOffset('G', 'T', 0)).toBe(10)
    m.commitOffset('1.1.1.1:1', 'G', '%RETRY%G', 0, 0)
    expect(m.whichTopicByConsumer('G').sort()).toEqual(['%RETRY%G', 'T'])
    expect(m.whichGroupByTopic('T')).toEqual(['G'])
    m.removeTopic('T')
    expect(m.queryOffset('G', 'T', 0)).toBe(-1)
  })

  it("loads Java's consumerOffset.json (unquoted int keys) and writes the same shape", async () => {
    const dir = await tempDir()
    dirs.push(dir)
    await mkdir(join(dir, 'config'))
    const file = join(dir, 'config', 'consumerOffset.json')
    await writeFile(file, '{"offsetTable":{"TopicTest@groupA":{0:250,1:249,2:250,3:250},"%RETRY%groupA@groupA":{0:0}}}')
    const m = new ConsumerOffsetManager(join(dir, 'config'), noopLogger)
    await m.load()
    expect(m.queryOffset('groupA', 'TopicTest', 1)).toBe(249)
    expect(m.queryOffset('groupA', '%RETRY%groupA', 0)).toBe(0)
    await m.persist()
    expect(await readFile(file, 'utf8')).toContain('{0:250') // nothing changed → not rewritten
    m.commitOffset('x', 'groupA', 'TopicTest', 1, 250)
    await m.persist()
    const saved = JSON.parse(await readFile(file, 'utf8'))
    expect(saved).toEqual({ offsetTable: { 'TopicTest@groupA': { 0: 250, 1: 250, 2: 250, 3: 250 }, '%RETRY%groupA@groupA': { 0: 0 } } })
  })
})
