/**
 * Persistence of the broker's JSON config files (`<storePathRootDir>/config/*.json`), RocketMQ `ConfigManager` style:
 * write `<file>.tmp` + fsync, copy the previous `<file>` to `<file>.bak`, rename the tmp over `<file>`.
 * Loading falls back to `<file>.bak` when `<file>` is missing, empty or unparsable.
 * Writes are serialised and coalesced: while one write runs, any number of persist() calls share one follow-up write
 * that renders the state current at that time.
 */
import { copyFile, mkdir, open, readFile, rename } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { Logger } from '@cometmq/protocol'

export class ConfigFile {
  private running: Promise<void> = Promise.resolve()
  private queued: Promise<void> | undefined

  /**
   * @param path absolute file path, e.g. `<root>/config/topics.json`.
   * @param render returns the file content for the current state (called when the write starts).
   */
  constructor(
    readonly path: string,
    private readonly render: () => string,
    private readonly logger: Logger,
  ) {}

  /**
   * Reads `path` (or `path.bak`) and hands the text to `decode`.
   * @returns which file was used, or `null` when neither exists / both fail to decode (decode errors are logged).
   */
  async load(decode: (text: string) => void): Promise<'file' | 'bak' | null> {
    for (const [file, which] of [[this.path, 'file'], [`${this.path}.bak`, 'bak']] as const) {
      let text: string
      try {
        text = await readFile(file, 'utf8')
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue
        throw error
      }
      if (text.trim() === '') continue
      try {
        decode(text)
        if (which === 'bak') this.logger.warn('config file unreadable, loaded backup', { file: this.path })
        return which
      } catch (error) {
        this.logger.error('config file corrupt', { file, error: (error as Error).message })
      }
    }
    return null
  }

  /** Writes the current state atomically. Resolves when a write that started after this call has finished. */
  persist(): Promise<void> {
    if (this.queued !== undefined) return this.queued
    const queued = this.running.then(() => {
      this.queued = undefined
      return writeFileAtomic(this.path, this.render())
    })
    this.queued = queued
    this.running = queued.catch(() => undefined)
    return queued
  }
}

/** tmp + fsync + `.bak` copy of the previous content + rename. Creates the directory when needed. */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const tmp = `${path}.tmp`
  const handle = await open(tmp, 'w')
  try {
    await handle.writeFile(content, 'utf8')
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    await copyFile(path, `${path}.bak`)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  await rename(tmp, path)
}
