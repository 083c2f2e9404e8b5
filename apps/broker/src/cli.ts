import { resolve } from 'node:path'
import { Command, CommanderError } from 'commander'
import { brokerConfigSchema, parseBrokerConfig } from '@cometmq/broker'
import type { BrokerConfig } from '@cometmq/broker'

/** Parsed `mqbroker` command line (RocketMQ `BrokerStartup` options). */
export interface BrokerCliOptions {
  /** `-c <file>`: broker.conf (Java properties). */
  configFile?: string
  /** `-n <addr>`: name server address list `host:port;host:port`; wins over NAMESRV_ADDR and the file. */
  namesrvAddr?: string
  /** `-p`: print every config item (key=value) and exit 0. */
  printConfigItem: boolean
  /** `-m`: print the important config items and exit 0. */
  printImportantConfig: boolean
}

/** Where commander writes help and errors (injectable for tests). */
export interface CliOutput {
  writeOut(text: string): void
  writeErr(text: string): void
}

/**
 * Parses `mqbroker` arguments (without `node` and the script path). A leading `--` (pnpm forwards it) is dropped.
 * @throws CommanderError on bad arguments, and for `-h` (then `exitCode` is 0); the caller exits with `exitCode`.
 */
export function parseBrokerArgs(args: readonly string[], output?: CliOutput): BrokerCliOptions {
  const program = new Command('mqbroker')
    .description('CometMQ broker (RocketMQ-compatible)')
    .option('-c, --configFile <file>', 'broker config properties file')
    .option('-n, --namesrvAddr <addr>', "name server address list, e.g. '192.168.0.1:9876;192.168.0.2:9876'")
    .option('-p, --printConfigItem', 'print all config items and exit')
    .option('-m, --printImportantConfig', 'print important config items and exit')
    .helpOption('-h, --help', 'print help')
    .allowExcessArguments(false)
    .exitOverride()
  if (output !== undefined) program.configureOutput(output)
  program.parse(args[0] === '--' ? args.slice(1) : [...args], { from: 'user' })
  const opts = program.opts<{ configFile?: string; namesrvAddr?: string; printConfigItem?: boolean; printImportantConfig?: boolean }>()
  const result: BrokerCliOptions = { printConfigItem: opts.printConfigItem === true, printImportantConfig: opts.printImportantConfig === true }
  if (opts.configFile !== undefined) result.configFile = opts.configFile
  if (opts.namesrvAddr !== undefined) result.namesrvAddr = opts.namesrvAddr
  return result
}

/**
 * The overrides applied on top of the file: env `NAMESRV_ADDR`, then `-n` (STYLE §7 precedence:
 * defaults < file < env < CLI). Empty values count as unset.
 */
export function buildBrokerOverrides(cli: BrokerCliOptions, env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const overrides: Record<string, string> = {}
  const fromEnv = env['NAMESRV_ADDR']?.trim()
  if (fromEnv) overrides['namesrvAddr'] = fromEnv
  const fromCli = cli.namesrvAddr?.trim()
  if (fromCli) overrides['namesrvAddr'] = fromCli
  return overrides
}

/**
 * Effective broker config: defaults < `-c` file < env NAMESRV_ADDR < `-n`, through @cometmq/broker's
 * parseBrokerConfig. Relative store paths are made absolute against `cwd`.
 * @returns the frozen config and warnings (unknown keys with "did you mean", adjusted values).
 * @throws BrokerConfigError naming the key for a bad value; the error of `readText` for an unreadable file.
 */
export function loadBrokerConfig(
  cli: BrokerCliOptions,
  env: Readonly<Record<string, string | undefined>>,
  readText: (path: string) => string,
  cwd: string,
): { config: Readonly<BrokerConfig>; warnings: string[] } {
  const text = cli.configFile === undefined ? '' : readText(cli.configFile)
  const { config, warnings } = parseBrokerConfig(text, buildBrokerOverrides(cli, env))
  const absolute: BrokerConfig = { ...config, storePathRootDir: resolve(cwd, config.storePathRootDir) }
  if (config.storePathCommitLog !== undefined) absolute.storePathCommitLog = resolve(cwd, config.storePathCommitLog)
  const prefix = cli.configFile === undefined ? '' : `${cli.configFile}: `
  return { config: Object.freeze(absolute), warnings: warnings.map((warning) => `${prefix}${warning}`) }
}

/** Keys `-m` prints (RocketMQ marks these `@ImportantField`, plus what an operator checks first). */
export const IMPORTANT_CONFIG_KEYS = [
  'brokerClusterName', 'brokerName', 'brokerId', 'brokerRole', 'namesrvAddr', 'brokerIP1', 'brokerIP2', 'listenPort',
  'haListenPort', 'storeType', 'storePathRootDir', 'storePathCommitLog', 'flushDiskType', 'autoCreateTopicEnable',
  'autoCreateSubscriptionGroup', 'defaultTopicQueueNums', 'maxMessageSize',
] as const

/** `key=value` lines in schema order (`-p`), or only `keys` (`-m`); an unset value prints as `key=`. */
export function formatBrokerConfig(config: Readonly<BrokerConfig>, keys: readonly string[] = Object.keys(brokerConfigSchema)): string {
  const values = config as unknown as Record<string, unknown>
  return keys.map((key) => `${key}=${values[key] === undefined ? '' : String(values[key])}`).join('\n')
}

/**
 * RocketMQ's boot line (`BrokerStartup`): `The broker[<brokerName>, <brokerAddr>] boot success. serializeType=JSON`
 * plus ` and name server is <namesrvAddr>` when one is configured.
 */
export function brokerBootLine(brokerName: string, brokerAddr: string, namesrvAddr: string | undefined): string {
  const tip = `The broker[${brokerName}, ${brokerAddr}] boot success. serializeType=JSON`
  return namesrvAddr === undefined ? tip : `${tip} and name server is ${namesrvAddr}`
}

export { CommanderError }
