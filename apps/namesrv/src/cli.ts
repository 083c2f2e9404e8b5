import { Command, CommanderError } from 'commander'
import { formatNamesrvSettings, parseNamesrvConfig } from '@cometmq/namesrv'
import type { NamesrvSettings } from '@cometmq/namesrv'

/** Parsed `mqnamesrv` command line (RocketMQ `NamesrvStartup` options). */
export interface NamesrvCliOptions {
  /** `-c <file>`: namesrv.conf (Java properties). */
  configFile?: string
  /** `-p`: print the effective config (key=value) and exit 0. */
  printConfigItem: boolean
  /** `-n <addr>`: accepted for RocketMQ compatibility (ServerUtil adds it to every server) and ignored. */
  namesrvAddr?: string
}

/** Where commander writes help and errors (injectable for tests). */
export interface CliOutput {
  writeOut(text: string): void
  writeErr(text: string): void
}

/**
 * Parses `mqnamesrv` arguments (without `node` and the script path).
 * @throws CommanderError on bad arguments, and for `-h` (then `exitCode` is 0); the caller exits with `exitCode`.
 */
export function parseNamesrvArgs(args: readonly string[], output?: CliOutput): NamesrvCliOptions {
  const program = new Command('mqnamesrv')
    .description('CometMQ name server (RocketMQ-compatible)')
    .option('-c, --configFile <file>', 'name server config properties file')
    .option('-p, --printConfigItem', 'print all config items and exit')
    .option('-n, --namesrvAddr <addr>', 'accepted for RocketMQ compatibility; ignored by the name server')
    .helpOption('-h, --help', 'print help')
    .allowExcessArguments(false)
    .exitOverride()
  if (output !== undefined) program.configureOutput(output)
  // `pnpm <script> -- -c x` forwards the `--` itself; drop a leading one
  program.parse(args[0] === '--' ? args.slice(1) : [...args], { from: 'user' })
  const opts = program.opts<{ configFile?: string; printConfigItem?: boolean; namesrvAddr?: string }>()
  const result: NamesrvCliOptions = { printConfigItem: opts.printConfigItem === true }
  if (opts.configFile !== undefined) result.configFile = opts.configFile
  if (opts.namesrvAddr !== undefined) result.namesrvAddr = opts.namesrvAddr
  return result
}

/**
 * Effective settings: defaults < the `-c` file. `readText` reads a file as UTF-8 (fs in main, a stub in tests).
 * @returns frozen settings plus warnings (unknown keys, ignored RocketMQ keys, an ignored `-n`).
 * @throws NamesrvConfigError naming the key for a bad value; the error of `readText` for an unreadable file.
 */
export function loadNamesrvSettings(
  cli: NamesrvCliOptions,
  readText: (path: string) => string,
): { settings: Readonly<NamesrvSettings>; warnings: string[] } {
  const text = cli.configFile === undefined ? '' : readText(cli.configFile)
  const { config, warnings } = parseNamesrvConfig(text)
  const all = warnings.map((warning) => `${cli.configFile}: ${warning}`)
  if (cli.namesrvAddr !== undefined) all.push(`-n ${cli.namesrvAddr} is ignored by the name server`)
  return { settings: config, warnings: all }
}

/** The `-p` output: one `key=value` line per setting. */
export function formatSettings(settings: NamesrvSettings): string {
  return formatNamesrvSettings(settings)
}

/**
 * RocketMQ's boot line (`NamesrvStartup`: "The Name Server boot success. serializeType=JSON"), plus the bound port.
 */
export function namesrvBootLine(port: number): string {
  return `The Name Server boot success. serializeType=JSON, listenPort=${port}`
}

export { CommanderError }
