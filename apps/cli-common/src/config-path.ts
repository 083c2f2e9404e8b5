import { isAbsolute, resolve } from 'node:path'

/**
 * Resolves a `-c <file>` path: absolute as is; else against `cwd`, falling back to `initCwd` (pnpm's INIT_CWD,
 * the directory `pnpm …` was typed in, which differs from `cwd` when pnpm runs a package script) when the file
 * exists only there. A path found nowhere resolves against `cwd`, so the read error names that path.
 */
export function resolveConfigPath(path: string, cwd: string, initCwd: string | undefined, exists: (path: string) => boolean): string {
  if (isAbsolute(path)) return path
  const fromCwd = resolve(cwd, path)
  if (exists(fromCwd) || initCwd === undefined) return fromCwd
  const fromInit = resolve(initCwd, path)
  return exists(fromInit) ? fromInit : fromCwd
}
