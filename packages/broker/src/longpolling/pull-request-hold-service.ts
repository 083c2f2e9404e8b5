/**
 * PullRequestHoldService: parks PULL_MESSAGE requests that found nothing (§7.4) and wakes them when
 *  - a message for their (topic, queueId) arrives at or beyond their offset and its tagsCode passes their filter
 *    (`notifyMessageArriving`, driven by `store.onMessageArrived`) — answered promptly;
 *  - their hold time (`suspendTimeoutMillis`) elapses — an exact per-request timer (unref'd);
 *  - the periodic safety scan (default every 5 s) sees the queue's max offset beyond their offset (filter ignored,
 *    as Java's `checkHoldRequest`), in case an arrival event was missed.
 * Waking hands the request back to the pull processor (`wakeUp`), which re-evaluates it without suspend permission and
 * answers on the original opaque via `channel.send`. Requests of a closed channel are dropped silently.
 * Source: RocketMQ 4.9 `broker/longpolling/PullRequestHoldService.java`, `NotifyMessageArrivingListener.java`.
 */
import type { Logger, RemotingChannel, RemotingCommand } from '@cometmq/protocol'
import type { MessageArrivedEvent, MessageStore } from '@cometmq/store'
import type { TagsCodeFilter } from '../client/client-channel-info.js'

/** One parked pull. */
export interface PullRequest {
  readonly request: RemotingCommand
  readonly channel: RemotingChannel
  readonly topic: string
  readonly queueId: number
  /** The request's queueOffset: wake when the queue grows past it. */
  readonly pullFromThisOffset: number
  /** Broker-side tag filter of the subscription; undefined = match all. */
  readonly filter: TagsCodeFilter | undefined
  /** When it was parked, ms since epoch. */
  readonly suspendTimestamp: number
  /** Hold time, ms. */
  readonly timeoutMillis: number
}

interface Parked {
  readonly pull: PullRequest
  readonly key: string
  timer: NodeJS.Timeout | undefined
  done: boolean
}

export interface PullRequestHoldServiceOptions {
  store: MessageStore
  logger: Logger
  /** Re-evaluates a woken request and answers it; must not throw synchronously. */
  wakeUp: (pull: PullRequest) => void
  /** Safety scan period, ms (Java: 5000 with long polling, shortPollingTimeMills without). */
  checkIntervalMs?: number
}

/** Largest delay setTimeout accepts (2^31 − 1 ms); longer holds are capped to it. */
const MAX_TIMER_MS = 0x7fffffff

export class PullRequestHoldService {
  private readonly byQueue = new Map<string, Set<Parked>>()
  private readonly byChannel = new Map<string, Set<Parked>>()
  private interval: NodeJS.Timeout | undefined
  private readonly logger: Logger

  constructor(private readonly options: PullRequestHoldServiceOptions) {
    this.logger = options.logger
  }

  /** Number of parked requests. */
  get size(): number {
    let count = 0
    for (const set of this.byQueue.values()) count += set.size
    return count
  }

  start(): void {
    if (this.interval !== undefined) return
    this.interval = setInterval(() => this.checkHoldRequest(), this.options.checkIntervalMs ?? 5000)
    this.interval.unref()
  }

  /** Stops the scan and drops every parked request without answering (their connections are being closed). */
  shutdown(): void {
    if (this.interval !== undefined) clearInterval(this.interval)
    this.interval = undefined
    for (const set of this.byQueue.values()) for (const parked of set) this.release(parked)
    this.byQueue.clear()
    this.byChannel.clear()
  }

  /** Parks `pull` until a matching message arrives or its hold time elapses. */
  suspendPullRequest(pull: PullRequest): void {
    const key = queueKey(pull.topic, pull.queueId)
    const parked: Parked = { pull, key, timer: undefined, done: false }
    addTo(this.byQueue, key, parked)
    addTo(this.byChannel, pull.channel.id, parked)
    parked.timer = setTimeout(() => this.complete(parked), Math.min(MAX_TIMER_MS, Math.max(0, pull.timeoutMillis)))
    parked.timer.unref()
    // A message may have arrived between the store lookup and parking: answer now instead of at the timeout.
    if (this.options.store.getMaxOffsetInQueue(pull.topic, pull.queueId) > pull.pullFromThisOffset) this.complete(parked)
  }

  /** Store arrival hook: wakes parked requests of that queue whose offset is reached and whose filter matches. */
  notifyMessageArriving(event: MessageArrivedEvent): void {
    const set = this.byQueue.get(queueKey(event.topic, event.queueId))
    if (set === undefined) return
    for (const parked of [...set]) {
      const { pull } = parked
      if (event.queueOffset >= pull.pullFromThisOffset && (pull.filter === undefined || pull.filter(event.tagsCode))) this.complete(parked)
    }
  }

  /** Forgets the parked requests of a closed connection. */
  onChannelClosed(channel: RemotingChannel): void {
    const set = this.byChannel.get(channel.id)
    if (set === undefined) return
    for (const parked of set) {
      this.release(parked)
      removeFrom(this.byQueue, parked.key, parked)
    }
    this.byChannel.delete(channel.id)
  }

  /** Periodic scan: wake requests whose queue grew past their offset (filter not consulted). */
  checkHoldRequest(): void {
    for (const [key, set] of [...this.byQueue]) {
      const first = set.values().next().value
      if (first === undefined) continue
      const maxOffset = this.options.store.getMaxOffsetInQueue(first.pull.topic, first.pull.queueId)
      for (const parked of [...set]) if (maxOffset > parked.pull.pullFromThisOffset) this.complete(parked)
      if (set.size === 0) this.byQueue.delete(key)
    }
  }

  private complete(parked: Parked): void {
    if (parked.done) return
    this.release(parked)
    removeFrom(this.byQueue, parked.key, parked)
    removeFrom(this.byChannel, parked.pull.channel.id, parked)
    if (parked.pull.channel.closed) return
    try {
      this.options.wakeUp(parked.pull)
    } catch (error) {
      this.logger.error('wake up of held pull request failed', { topic: parked.pull.topic, queueId: parked.pull.queueId, error: (error as Error).message })
    }
  }

  private release(parked: Parked): void {
    parked.done = true
    if (parked.timer !== undefined) clearTimeout(parked.timer)
    parked.timer = undefined
  }
}

function queueKey(topic: string, queueId: number): string {
  return `${topic}@${queueId}`
}

function addTo(map: Map<string, Set<Parked>>, key: string, parked: Parked): void {
  let set = map.get(key)
  if (set === undefined) {
    set = new Set()
    map.set(key, set)
  }
  set.add(parked)
}

function removeFrom(map: Map<string, Set<Parked>>, key: string, parked: Parked): void {
  const set = map.get(key)
  if (set === undefined) return
  set.delete(parked)
  if (set.size === 0) map.delete(key)
}
