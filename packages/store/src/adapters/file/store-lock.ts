import fs from 'node:fs'
import { join, resolve } from 'node:path'
import { StoreError } from '../../store-error.js'

/** Roots locked by stores of this process (a second open in-process is refused too, like an OS file lock). */
const heldRoots = new Set<string>()

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Takes `<root>/lock` (protocol doc §4.8): the file holds the owner's pid. Refused when another store in
 * this process holds the root, or the pid in the file is another live process; a dead owner's lock is
 * taken over (a SIGKILLed broker leaves its lock behind). Advisory: pids are not comparable across
 * containers sharing a volume.
 * @returns the release function (empties the file; RocketMQ also keeps `lock` in place).
 * @throws StoreError STORE_LOCKED
 */
export function acquireStoreLock(rootDir: string): () => void {
  const key = resolve(rootDir)
  if (heldRoots.has(key)) throw new StoreError('STORE_LOCKED', `${key} is already open in this process`)
  const path = join(rootDir, 'lock')
  let owner = Number.NaN
  try {
    owner = Number.parseInt(fs.readFileSync(path, 'utf8'), 10)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
    throw new StoreError('STORE_LOCKED', `${key} is locked by process ${owner}`)
  }
  fs.writeFileSync(path, `${process.pid}\n`)
  heldRoots.add(key)
  return () => {
    heldRoots.delete(key)
    try {
      fs.writeFileSync(path, '')
    } catch {
      // the directory may be gone already (tests remove it); nothing to release on disk then
    }
  }
}

/** `<root>/abort` exists while a store is open; finding it at open means the last run did not close cleanly. */
export const ABORT_FILE_NAME = 'abort'
