/**
 * `mqadmin <command> [options]` parsing (commander). Option letters and long names are RocketMQ mqadmin's
 * (`-n/--namesrvAddr`, `-t/--topic`, `-b/--brokerAddr`, `-c/--clusterName`, `-r/--readQueueNums`,
 * `-w/--writeQueueNums`, `-p/--perm`, `-o/--order`, `-g/--groupName`, `-l/--list`, `-i/--msgId`, `-f/--bodyFormat`,
 * `-k/--msgKey`, `-b/--beginTimestamp`, `-e/--endTimestamp`, `-m/--maxNum`, `-a/--showAll`).
 * `-n` falls back to env NAMESRV_ADDR, as in RocketMQ.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander'
import type { QueryMsgByIdOptions, QueryMsgByKeyOptions, QueryMsgByUniqueKeyOptions } from './commands/message-commands.js'
import type { UpdateTopicOptions } from './commands/topic-commands.js'

export type MqadminCommand =
  | { command: 'updateTopic'; namesrvAddr: string; options: UpdateTopicOptions }
  | { command: 'topicList'; namesrvAddr: string; options: Record<string, never> }
  | { command: 'topicRoute'; namesrvAddr: string; options: { topic: string; list: boolean } }
  | { command: 'topicStatus'; namesrvAddr: string; options: { topic: string } }
  | { command: 'clusterList'; namesrvAddr: string; options: { clusterName?: string } }
  | { command: 'consumerProgress'; namesrvAddr: string; options: { group: string; topic?: string } }
  | { command: 'queryMsgById'; namesrvAddr: string; options: QueryMsgByIdOptions }
  | { command: 'queryMsgByKey'; namesrvAddr: string; options: QueryMsgByKeyOptions }
  | { command: 'queryMsgByUniqueKey'; namesrvAddr: string; options: QueryMsgByUniqueKeyOptions }

export type MqadminCommandName = MqadminCommand['command']

export interface CliOutput {
  writeOut(text: string): void
  writeErr(text: string): void
}

function integer(min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`not an integer: ${value}`)
    const n = Number(value)
    if (n < min || n > max) throw new InvalidArgumentError(`must be between ${min} and ${max}`)
    return n
  }
}

function boolean(value: string): boolean {
  if (value === 'true') return true
  if (value === 'false') return false
  throw new InvalidArgumentError(`expected true or false, got ${value}`)
}

/** Java charset names (`-f UTF-8`) → Node encodings; only the ones Node can decode. */
const CHARSETS: Readonly<Record<string, BufferEncoding>> = {
  'utf-8': 'utf8', utf8: 'utf8', 'us-ascii': 'ascii', ascii: 'ascii', 'iso-8859-1': 'latin1', latin1: 'latin1',
  'utf-16le': 'utf16le', utf16le: 'utf16le',
}

function charset(value: string): BufferEncoding {
  const encoding = CHARSETS[value.trim().toLowerCase()]
  if (encoding === undefined) throw new InvalidArgumentError(`unsupported charset ${value} (UTF-8, US-ASCII, ISO-8859-1, UTF-16LE)`)
  return encoding
}

/**
 * A timestamp in ms (a Java long, e.g. Long.MAX_VALUE = "no end"); values beyond 2^53 − 1 are clamped to
 * Number.MAX_SAFE_INTEGER, which lies far past any store time.
 */
function timestamp(value: string): number {
  const text = value.trim()
  if (!/^\d{1,19}$/.test(text) || BigInt(text) > 9223372036854775807n) throw new InvalidArgumentError(`not a timestamp in ms: ${value}`)
  return Math.min(Number(text), Number.MAX_SAFE_INTEGER)
}

type Raw = Record<string, unknown>

/**
 * Parses mqadmin arguments (without `node` and the script). A leading `--` (pnpm forwards it) is dropped.
 * @throws CommanderError for bad arguments, a missing name server, or `-h` (then `exitCode` 0).
 */
export function parseMqadminArgs(args: readonly string[], env: Readonly<Record<string, string | undefined>> = {}, output?: CliOutput): MqadminCommand {
  let result: MqadminCommand | undefined
  const program = new Command('mqadmin')
    .description('CometMQ admin tool (a subset of RocketMQ mqadmin)')
    .usage('<command> [options]')
    .exitOverride()
  if (output) program.configureOutput(output)

  const sub = (name: MqadminCommandName, description: string): Command => {
    const command = program
      .command(name)
      .description(description)
      .option('-n, --namesrvAddr <addr>', "name server address list, e.g. '192.168.0.1:9876;192.168.0.2:9876' (env NAMESRV_ADDR)")
      .allowExcessArguments(false)
      .exitOverride()
    if (output) command.configureOutput(output)
    return command
  }
  const namesrvOf = (raw: Raw): string => {
    const addr = ((raw['namesrvAddr'] as string | undefined) ?? env['NAMESRV_ADDR'] ?? '').trim()
    if (addr === '') throw new CommanderError(1, 'mqadmin.noNamesrv', 'error: no name server address: pass -n <host:port> or set NAMESRV_ADDR')
    return addr
  }

  sub('updateTopic', 'Update or create topic')
    .option('-b, --brokerAddr <addr>', 'create topic to which broker')
    .option('-c, --clusterName <cluster>', 'create topic to which cluster')
    .requiredOption('-t, --topic <topic>', 'topic name')
    .option('-r, --readQueueNums <n>', 'set read queue nums', integer(1, 1024), 8)
    .option('-w, --writeQueueNums <n>', 'set write queue nums', integer(1, 1024), 8)
    .option('-p, --perm <perm>', 'set topic\'s permission(2|4|6), intro[2:W 4:R; 6:RW]', integer(0, 15), 6)
    .option('-o, --order <bool>', 'set topic\'s order(true|false)', boolean, false)
    .action((raw: Raw) => {
      const brokerAddr = raw['brokerAddr'] as string | undefined
      const clusterName = raw['clusterName'] as string | undefined
      if ((brokerAddr === undefined) === (clusterName === undefined)) {
        throw new CommanderError(1, 'mqadmin.target', 'error: updateTopic needs exactly one of -b <brokerAddr> or -c <clusterName>')
      }
      const options: UpdateTopicOptions = {
        topic: String(raw['topic']),
        readQueueNums: raw['readQueueNums'] as number,
        writeQueueNums: raw['writeQueueNums'] as number,
        perm: raw['perm'] as number,
        order: raw['order'] as boolean,
      }
      if (brokerAddr !== undefined) options.brokerAddr = brokerAddr
      if (clusterName !== undefined) options.clusterName = clusterName
      result = { command: 'updateTopic', namesrvAddr: namesrvOf(raw), options }
    })

  sub('topicList', 'Fetch all topic list from name server').action((raw: Raw) => {
    result = { command: 'topicList', namesrvAddr: namesrvOf(raw), options: {} }
  })

  sub('topicRoute', 'Examine topic route info')
    .requiredOption('-t, --topic <topic>', 'topic name')
    .option('-l, --list', 'use list format to print data')
    .action((raw: Raw) => {
      result = { command: 'topicRoute', namesrvAddr: namesrvOf(raw), options: { topic: String(raw['topic']), list: raw['list'] === true } }
    })

  sub('topicStatus', 'Examine topic Status info')
    .requiredOption('-t, --topic <topic>', 'topic name')
    .action((raw: Raw) => {
      result = { command: 'topicStatus', namesrvAddr: namesrvOf(raw), options: { topic: String(raw['topic']) } }
    })

  sub('clusterList', 'List cluster infos')
    .option('-c, --clusterName <cluster>', 'which cluster')
    .action((raw: Raw) => {
      const clusterName = raw['clusterName'] as string | undefined
      result = { command: 'clusterList', namesrvAddr: namesrvOf(raw), options: clusterName === undefined ? {} : { clusterName } }
    })

  sub('consumerProgress', 'Query consumers\'s progress, speed')
    .requiredOption('-g, --groupName <group>', 'consumer group name')
    .option('-t, --topic <topic>', 'topic name (default: every topic the group has offsets on)')
    .action((raw: Raw) => {
      const topic = raw['topic'] as string | undefined
      const options: { group: string; topic?: string } = { group: String(raw['groupName']) }
      if (topic !== undefined) options.topic = topic
      result = { command: 'consumerProgress', namesrvAddr: namesrvOf(raw), options }
    })

  sub('queryMsgById', 'Query Message by Id')
    .requiredOption('-i, --msgId <ids>', 'offset message id(s), comma-separated')
    .option('-f, --bodyFormat <charset>', 'print message body by the specified format (UTF-8, US-ASCII, ISO-8859-1, UTF-16LE)', charset)
    .option('--bodyDir <dir>', 'directory of the message body files (default <tmpdir>/rocketmq/msgbodys)')
    .action((raw: Raw) => {
      const msgIds = String(raw['msgId'])
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id !== '')
      if (msgIds.length === 0) throw new CommanderError(1, 'mqadmin.msgId', 'error: -i needs at least one message id')
      const options: QueryMsgByIdOptions = { msgIds }
      const bodyFormat = raw['bodyFormat'] as BufferEncoding | undefined
      if (bodyFormat !== undefined) options.bodyFormat = bodyFormat
      const bodyDir = raw['bodyDir'] as string | undefined
      if (bodyDir !== undefined) options.bodyDir = bodyDir
      result = { command: 'queryMsgById', namesrvAddr: namesrvOf(raw), options }
    })

  sub('queryMsgByKey', 'Query Message by Key')
    .requiredOption('-t, --topic <topic>', 'topic name')
    .requiredOption('-k, --msgKey <key>', 'Message Key')
    .option('-b, --beginTimestamp <ms>', 'Begin timestamp(ms). default:0', timestamp)
    .option('-e, --endTimestamp <ms>', 'End timestamp(ms). default:Long.MAX_VALUE', timestamp)
    .option('-m, --maxNum <n>', 'The maximum number of messages returned by the query, default:64', integer(1, 64))
    .action((raw: Raw) => {
      const options: QueryMsgByKeyOptions = { topic: String(raw['topic']).trim(), key: String(raw['msgKey']).trim() }
      if (raw['beginTimestamp'] !== undefined) options.beginTimestamp = raw['beginTimestamp'] as number
      if (raw['endTimestamp'] !== undefined) options.endTimestamp = raw['endTimestamp'] as number
      if (raw['maxNum'] !== undefined) options.maxNum = raw['maxNum'] as number
      result = { command: 'queryMsgByKey', namesrvAddr: namesrvOf(raw), options }
    })

  sub('queryMsgByUniqueKey', 'Query Message by Unique key')
    .requiredOption('-t, --topic <topic>', 'The topic of msg')
    .requiredOption('-i, --msgId <msgId>', 'Message Id')
    .option('-a, --showAll', 'Print all message, the limit is 32')
    .option('--bodyDir <dir>', 'directory of the message body files (default <tmpdir>/rocketmq/msgbodys)')
    .action((raw: Raw) => {
      const options: QueryMsgByUniqueKeyOptions = { topic: String(raw['topic']).trim(), msgId: String(raw['msgId']).trim(), showAll: raw['showAll'] === true }
      const bodyDir = raw['bodyDir'] as string | undefined
      if (bodyDir !== undefined) options.bodyDir = bodyDir
      result = { command: 'queryMsgByUniqueKey', namesrvAddr: namesrvOf(raw), options }
    })

  program.parse(args[0] === '--' ? args.slice(1) : [...args], { from: 'user' })
  if (!result) throw new CommanderError(1, 'mqadmin.noCommand', 'error: a command is required')
  return result
}

export { CommanderError }
