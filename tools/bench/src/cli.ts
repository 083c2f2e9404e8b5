/**
 * Command line of `bench` (commander): `producer`, `consumer`, `backlog`, `cluster`. Parsing only; running is in
 * the *-bench.ts files. Options follow RocketMQ's benchmark tools (`-n` namesrv, `-t` topic, `-w` threads,
 * `-s` message size, `-g` group) plus `-d` duration and `-i` report interval.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'

export interface CommonOptions {
  /** `host:port;host:port` */
  namesrvAddr: string
  topic: string
  /** Run length in seconds; undefined = bounded by a count instead. */
  durationSec: number | undefined
  /** Seconds between report lines. */
  reportIntervalSec: number
}

export interface ProducerBenchOptions extends CommonOptions {
  /** Concurrent senders, each awaiting its own send (RocketMQ `-w` threadCount). */
  concurrency: number
  /** Body size in bytes. */
  messageSize: number
  /** Stop after this many messages (undefined = duration only). */
  count: number | undefined
  /** Messages per request: 1 = `send`, >1 = `sendBatch`. */
  batchSize: number
  producerGroup: string
  tag: string | undefined
  sendTimeoutMs: number
}

export interface ConsumerBenchOptions extends CommonOptions {
  group: string
  /** `push` = PushConsumer (RocketMQ's benchmark), `pull` = one PullConsumer loop per queue. */
  mode: 'push' | 'pull'
  /** Stop after this many messages (undefined = duration only). */
  count: number | undefined
  pullBatchSize: number
  consumeBatchSize: number
  consumeConcurrency: number
}

export interface BacklogBenchOptions extends ProducerBenchOptions {
  /** Messages to fill before draining. */
  messages: number
  group: string
  mode: 'push' | 'pull'
  pullBatchSize: number
  consumeBatchSize: number
  consumeConcurrency: number
  /** Upper bound on the drain phase, seconds. */
  maxDrainSec: number
}

export interface ClusterBenchOptions {
  scenario: 'producer' | 'backlog'
  producer: ProducerBenchOptions
  backlog: BacklogBenchOptions
  /** Queues of the topic created before the run (read = write). */
  queues: number
  storeType: 'default' | 'level' | 'memory'
  flushDiskType: 'ASYNC_FLUSH' | 'SYNC_FLUSH'
  /** Extra node flags for the broker child, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
  brokerNodeArgs: string[]
  /** Keep the temp store directory (its path is printed). */
  keepStore: boolean
}

export type BenchCommand =
  | { command: 'producer'; options: ProducerBenchOptions }
  | { command: 'consumer'; options: ConsumerBenchOptions }
  | { command: 'backlog'; options: BacklogBenchOptions }
  | { command: 'cluster'; options: ClusterBenchOptions }

export interface CliOutput {
  writeOut(text: string): void
  writeErr(text: string): void
}

function integer(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value) => {
    const n = Number(value)
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`not an integer: ${value}`)
    if (n < min || n > max) throw new InvalidArgumentError(`must be between ${min} and ${max}`)
    return n
  }
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[?::1\]?):\d+$/

/**
 * Checks that every name server of `addr` is a loopback address (the benchmark drives load; it is meant for a
 * local cluster). @throws InvalidArgumentError otherwise.
 */
export function checkLoopback(addr: string): string {
  const parts = addr.split(';').map((part) => part.trim()).filter((part) => part !== '')
  if (parts.length === 0) throw new InvalidArgumentError('empty name server address')
  for (const part of parts) {
    if (!LOOPBACK.test(part)) throw new InvalidArgumentError(`${part} is not a loopback host:port (pass --allow-remote to run against it)`)
  }
  return parts.join(';')
}

function randomSuffix(): string {
  return Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, '0')
}

function addCommon(command: Command, env: Readonly<Record<string, string | undefined>>, withNamesrv: boolean): Command {
  if (withNamesrv) {
    command
      .option('-n, --namesrv-addr <addr>', 'name server address list (env NAMESRV_ADDR)', env['NAMESRV_ADDR'] ?? '127.0.0.1:9876')
      .option('--allow-remote', 'allow a non-loopback name server')
  }
  return command
    .option('-t, --topic <topic>', 'topic', 'BenchTopic')
    .option('-d, --duration <seconds>', 'run length in seconds', integer(1))
    .option('-i, --interval <seconds>', 'report interval in seconds', integer(1), 10)
}

function addProducer(command: Command): Command {
  return command
    .option('-w, --concurrency <n>', 'concurrent senders, each awaiting its send', integer(1, 10_000), 64)
    .option('-s, --message-size <bytes>', 'body size in bytes', integer(1, 4 * 1024 * 1024), 128)
    .option('-b, --batch <n>', 'messages per request (1 = send, >1 = sendBatch)', integer(1, 1024), 1)
    .option('-p, --producer-group <group>', 'producer group', 'benchmark_producer')
    .option('--tag <tag>', 'tag of every message')
    .option('--send-timeout <ms>', 'send timeout in ms', integer(1), 3000)
}

function addConsumer(command: Command): Command {
  return command
    .option('-g, --group <group>', 'consumer group (default benchmark_consumer_<random>, so it starts at the first offset)')
    .addOption(new Option('--mode <mode>', 'push (PushConsumer) or pull (PullConsumer loop per queue)').choices(['push', 'pull']).default('push'))
    .option('--pull-batch-size <n>', 'messages per pull', integer(1, 1024), 32)
    .option('--consume-batch-size <n>', 'messages per listener call (push)', integer(1, 1024), 1)
    .option('--consume-concurrency <n>', 'listener calls in flight (push)', integer(1, 10_000), 20)
}

type Raw = Record<string, unknown>

function common(raw: Raw, withNamesrv: boolean): CommonOptions {
  let namesrvAddr = '127.0.0.1:0'
  if (withNamesrv) {
    namesrvAddr = String(raw['namesrvAddr'])
    if (raw['allowRemote'] !== true) namesrvAddr = checkLoopback(namesrvAddr)
  }
  return {
    namesrvAddr,
    topic: String(raw['topic']),
    durationSec: raw['duration'] as number | undefined,
    reportIntervalSec: raw['interval'] as number,
  }
}

function producerOptions(raw: Raw, base: CommonOptions): ProducerBenchOptions {
  return {
    ...base,
    concurrency: raw['concurrency'] as number,
    messageSize: raw['messageSize'] as number,
    count: raw['count'] as number | undefined,
    batchSize: raw['batch'] as number,
    producerGroup: String(raw['producerGroup']),
    tag: raw['tag'] as string | undefined,
    sendTimeoutMs: raw['sendTimeout'] as number,
  }
}

function consumerPart(raw: Raw): Pick<ConsumerBenchOptions, 'group' | 'mode' | 'pullBatchSize' | 'consumeBatchSize' | 'consumeConcurrency'> {
  return {
    group: (raw['group'] as string | undefined) ?? `benchmark_consumer_${randomSuffix()}`,
    mode: raw['mode'] as 'push' | 'pull',
    pullBatchSize: raw['pullBatchSize'] as number,
    consumeBatchSize: raw['consumeBatchSize'] as number,
    consumeConcurrency: raw['consumeConcurrency'] as number,
  }
}

function backlogOptions(raw: Raw, base: CommonOptions): BacklogBenchOptions {
  return { ...producerOptions(raw, base), ...consumerPart(raw), messages: raw['messages'] as number, maxDrainSec: raw['maxDrain'] as number }
}

/** Without -d and without a count, a run lasts this long (runs are always bounded). */
export const DEFAULT_DURATION_SEC = 60
/** A consumer run bounded by a count only still stops after this many seconds. */
export const MAX_COUNT_RUN_SEC = 900

/**
 * Parses `bench` arguments (without `node` and the script). A leading `--` (pnpm forwards it) is dropped.
 * @throws CommanderError for bad arguments and for `--help` (`exitCode` 0).
 */
export function parseBenchArgs(args: readonly string[], env: Readonly<Record<string, string | undefined>> = {}, output?: CliOutput): BenchCommand {
  let result: BenchCommand | undefined
  const program = new Command('bench').description('CometMQ benchmark (RocketMQ benchmark Producer/Consumer style)').exitOverride()
  if (output) program.configureOutput(output)
  const configure = (command: Command): Command => {
    command.exitOverride().allowExcessArguments(false)
    if (output) command.configureOutput(output)
    return command
  }

  const producer = addProducer(addCommon(configure(program.command('producer').description('send messages and report TPS/RT')), env, true))
  producer.option('-c, --count <n>', 'stop after this many messages', integer(1))
  producer.action((raw: Raw) => {
    const options = producerOptions(raw, common(raw, true))
    if (options.durationSec === undefined && options.count === undefined) options.durationSec = DEFAULT_DURATION_SEC
    result = { command: 'producer', options }
  })

  const consumer = addConsumer(addCommon(configure(program.command('consumer').description('consume from the first offset and report TPS')), env, true))
  consumer.option('-c, --count <n>', 'stop after this many messages', integer(1))
  consumer.action((raw: Raw) => {
    const base = common(raw, true)
    const options: ConsumerBenchOptions = { ...base, ...consumerPart(raw), count: raw['count'] as number | undefined }
    // a consumer waits for messages that may never come: always bounded by time as well
    if (options.durationSec === undefined) options.durationSec = options.count === undefined ? DEFAULT_DURATION_SEC : MAX_COUNT_RUN_SEC
    result = { command: 'consumer', options }
  })

  const backlogMessages = (command: Command): Command =>
    command
      .option('-N, --messages <n>', 'messages to fill before draining', integer(1), 100_000)
      .option('--max-drain <seconds>', 'give up draining after this many seconds', integer(1), 900)
  const backlog = backlogMessages(addConsumer(addProducer(addCommon(configure(program.command('backlog').description('fill N messages, then drain them from the first offset')), env, true))))
  backlog.action((raw: Raw) => {
    const options = backlogOptions(raw, common(raw, true))
    options.count = options.messages
    options.durationSec = undefined
    result = { command: 'backlog', options }
  })

  const cluster = backlogMessages(addConsumer(addProducer(addCommon(configure(program.command('cluster').description('start namesrv + broker child processes, run a scenario, sample the broker CPU/RSS')), env, false))))
  cluster
    .addOption(new Option('--scenario <name>', 'scenario to run').choices(['producer', 'backlog']).default('producer'))
    .option('-c, --count <n>', 'producer scenario: stop after this many messages', integer(1))
    .option('-q, --queues <n>', 'read/write queues of the topic', integer(1, 1024), 8)
    .addOption(new Option('--store-type <type>', 'broker storeType').choices(['default', 'level', 'memory']).default('default'))
    .addOption(new Option('--flush-disk-type <type>', 'broker flushDiskType').choices(['ASYNC_FLUSH', 'SYNC_FLUSH']).default('ASYNC_FLUSH'))
    .option('--broker-node-args <args>', "extra node flags for the broker, space separated (e.g. '--cpu-prof --cpu-prof-dir=/tmp/p')", '')
    .option('--keep-store', 'keep the temp store directory')
  cluster.action((raw: Raw) => {
    const base = common(raw, false)
    const producerOpts = producerOptions(raw, base)
    if (producerOpts.durationSec === undefined && producerOpts.count === undefined) producerOpts.durationSec = DEFAULT_DURATION_SEC
    const backlogOpts = backlogOptions(raw, base)
    backlogOpts.count = backlogOpts.messages
    backlogOpts.durationSec = undefined
    const nodeArgs = String(raw['brokerNodeArgs']).split(/\s+/).filter((arg) => arg !== '')
    result = {
      command: 'cluster',
      options: {
        scenario: raw['scenario'] as 'producer' | 'backlog',
        producer: producerOpts,
        backlog: backlogOpts,
        queues: raw['queues'] as number,
        storeType: raw['storeType'] as 'default' | 'level' | 'memory',
        flushDiskType: raw['flushDiskType'] as 'ASYNC_FLUSH' | 'SYNC_FLUSH',
        brokerNodeArgs: nodeArgs,
        keepStore: raw['keepStore'] === true,
      },
    }
  })

  program.parse(args[0] === '--' ? args.slice(1) : [...args], { from: 'user' })
  if (!result) throw new CommanderError(1, 'bench.noCommand', 'a command is required: producer, consumer, backlog or cluster')
  return result
}

export { CommanderError }
